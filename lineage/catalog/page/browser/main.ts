// The lineage page's script: the view in the URL's hash, drawn as a graph (jobs and datasets, or one field's column
// lineage) beside a detail panel; search in the header.
import { ColumnGraphView } from './column-graph.ts';
import { $, el, showBusy, showError } from './dom.ts';
import { GraphCanvas } from './graph-canvas.ts';
import { workerLayouter } from './elk-worker.ts';
import { LineageGraphView } from './lineage-graph.ts';
import { DEFAULT_SCOPE, nodeHash, parseRoute, routeHash } from './routes.ts';
import type { GraphScope, Route } from './routes.ts';
import { attachSearchBox } from './search-box.ts';
import { datasetView } from './views/dataset.ts';
import { fieldView } from './views/field.ts';
import { homeView } from './views/home.ts';
import { jobView } from './views/job.ts';
import { runView } from './views/run.ts';
import { searchView } from './views/search-results.ts';
import { traceView } from './views/trace.ts';

const layouter = workerLayouter(document.body.dataset.layoutWorker ?? '/layout-worker.js');
const canvas = new GraphCanvas($('#graph'));
let scope: GraphScope = DEFAULT_SCOPE;
let current: Route = { view: 'home' };
const lineage = new LineageGraphView(canvas, layouter, (id) => (location.hash = nodeHash(id, scope)));
const columns = new ColumnGraphView(
  canvas,
  layouter,
  (namespace, name, field) => (location.hash = routeHash({ view: 'field', namespace, name, field })),
  (namespace, name) => (location.hash = routeHash({ view: 'dataset', namespace, name, ...scope })),
);

function layoutFor(route: Route): void {
  const graph =
    route.view === 'job' || route.view === 'dataset' || route.view === 'run' || route.view === 'field' || route.view === 'trace';
  document.body.dataset.view = route.view;
  $('#graph-pane').hidden = !graph;
  $('#scope').hidden = route.view === 'field';
  if (route.view === 'job' || route.view === 'dataset' || route.view === 'run') {
    scope = { depth: route.depth, direction: route.direction };
    $<HTMLSelectElement>('#depth').value = String(route.depth);
    $<HTMLSelectElement>('#direction').value = route.direction;
  }
}

async function drawLineage(nodeId: string): Promise<void> {
  const model = await lineage.load(nodeId, scope);
  const hidden = model.total - model.nodes.length;
  $('#graph-note').textContent =
    `${model.nodes.length} nodes${hidden > 0 ? ` (${hidden} collapsed)` : ''} · depth ${scope.depth} · ${scope.direction === 'both' ? 'both directions' : scope.direction}`;
}

async function render(route: Route, stale: () => boolean): Promise<void> {
  const detail = $('#detail');
  const show = (title: string, panel: HTMLElement[]) => {
    if (stale()) return;
    document.title = `${title} · Sluice lineage`;
    detail.replaceChildren(...panel);
    detail.scrollTop = 0;
  };
  switch (route.view) {
    case 'home':
      canvas.clear();
      return show('Home', await homeView());
    case 'search':
      $<HTMLInputElement>('#search').value = route.q;
      return show(`Search ${route.q}`, await searchView(route.q));
    case 'job': {
      const [panel] = await Promise.all([jobView(route.namespace, route.name), drawLineage(`job:${route.namespace}:${route.name}`)]);
      return show(route.name, panel);
    }
    case 'dataset': {
      const [panel] = await Promise.all([
        datasetView(route.namespace, route.name, route.version),
        drawLineage(`dataset:${route.namespace}:${route.name}`),
      ]);
      show(route.name, panel);
      if (route.version) document.getElementById(`version-${route.version}`)?.scrollIntoView({ block: 'start' });
      return;
    }
    case 'field': {
      const nodeId = `datasetField:${route.namespace}:${route.name}:${route.field}`;
      const graph = await columns.load(nodeId);
      const datasets = new Set(graph.map((n) => `${n.data.namespace}:${n.data.dataset}`)).size;
      $('#graph-note').textContent = `${graph.length} fields in ${datasets} datasets · column lineage of ${route.name}.${route.field}`;
      return show(`${route.name}.${route.field}`, fieldView(route.namespace, route.name, route.field, nodeId, graph));
    }
    case 'run':
    case 'trace': {
      const { panel, job } = route.view === 'run' ? await runView(route.id) : await traceView(route.id);
      if (job && !stale()) await drawLineage(`job:${job.namespace}:${job.name}`);
      else if (!job) canvas.clear();
      return show(route.view === 'run' ? `Run ${route.id.slice(0, 8)}` : `Trace ${route.id.slice(0, 8)}`, panel);
    }
    case 'unknown':
      canvas.clear();
      return show('Not found', [
        el('h2', {}, 'Nothing here'),
        el('p', {}, `The link ${route.hash} names no view of this page. `, el('a', { href: '#/' }, 'Home')),
      ]);
  }
}

let seq = 0;
async function route(): Promise<void> {
  const mine = (seq += 1);
  current = parseRoute(location.hash);
  showError('');
  layoutFor(current);
  try {
    await render(current, () => mine !== seq);
  } catch (e) {
    if (mine !== seq) return;
    showBusy('');
    showError(e);
  }
}

function rescope(change: Partial<GraphScope>): void {
  if (current.view === 'job' || current.view === 'dataset' || current.view === 'run') location.hash = routeHash({ ...current, ...change });
}

$('#depth').addEventListener('change', (e) => rescope({ depth: Number((e.target as HTMLSelectElement).value) }));
$('#direction').addEventListener('change', (e) => rescope({ direction: (e.target as HTMLSelectElement).value as GraphScope['direction'] }));
$('#zoom-in').addEventListener('click', () => canvas.panZoom.zoom(1.25));
$('#zoom-out').addEventListener('click', () => canvas.panZoom.zoom(0.8));
$('#zoom-fit').addEventListener('click', () => canvas.fit());
$('#zoom-focus').addEventListener('click', () => canvas.centreFocus());
attachSearchBox();
window.addEventListener('hashchange', () => void route());
void route();
