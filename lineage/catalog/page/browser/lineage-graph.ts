// The job and dataset graph around a node: fetched from `/lineage`, laid out by ELK, drawn with each node's health
// and toggles that collapse or expand its upstream and downstream.
import type { LineageGraph, LineageNode } from '../../../marquez/api.ts';
import { enc, get } from './api.ts';
import { showBusy, svgEl } from './dom.ts';
import { shorten } from './format.ts';
import { edgePath } from './graph-canvas.ts';
import type { GraphCanvas } from './graph-canvas.ts';
import { graphModel } from './graph-model.ts';
import type { GraphModel, ModelNode, Side } from './graph-model.ts';
import { layout } from './layout.ts';
import type { Layouter } from './layout.ts';
import type { GraphScope } from './routes.ts';
import { NODE_SIZE } from './node-size.ts';

const NAME_CHARS = 29;

function kindLabel(n: ModelNode): string {
  if (n.kind === 'dataset') return 'DATASET';
  if (n.pipeline) return 'PIPELINE';
  return n.parent ? `STEP · ${shorten(n.parent, 20)}` : 'JOB';
}

function chip(text: string, health: string, right: number): SVGElement {
  const width = Math.round(text.length * 6.4 + 12);
  return svgEl(
    'g',
    { class: `chip chip-${health}`, transform: `translate(${right - width},8)` },
    svgEl('rect', { width, height: 16, rx: 8 }),
    svgEl('text', { x: width / 2, y: 12, 'text-anchor': 'middle' }, text),
  );
}

function toggle(n: ModelNode, side: 'up' | 'down', s: Side, onToggle: (id: string, side: 'up' | 'down') => void): SVGElement | undefined {
  if (s.edges === 0) return undefined;
  const word = side === 'up' ? 'upstream' : 'downstream';
  const text = s.collapsed ? `+${s.hidden}` : '−';
  const r = s.collapsed ? Math.max(10, text.length * 3.6 + 4) : 9;
  const g = svgEl(
    'g',
    {
      class: `toggle ${side}${s.collapsed ? ' collapsed' : ''}`,
      'data-node': n.id,
      'data-side': side,
      transform: `translate(${side === 'up' ? 0 : NODE_SIZE.width},${NODE_SIZE.height / 2})`,
      role: 'button',
    },
    svgEl('title', {}, s.collapsed ? `Expand ${word} (${s.hidden} hidden)` : `Collapse ${word}`),
    svgEl('circle', { r }),
    svgEl('text', { 'text-anchor': 'middle', y: 4 }, text),
  );
  g.addEventListener('click', (e) => {
    e.stopPropagation();
    onToggle(n.id, side);
  });
  return g;
}

function nodeElement(
  n: ModelNode,
  x: number,
  y: number,
  onOpen: (id: string) => void,
  onToggle: (id: string, side: 'up' | 'down') => void,
): SVGElement {
  const { width, height } = NODE_SIZE;
  const h = n.health;
  const g = svgEl(
    'g',
    {
      class: `node ${n.kind} ${h.health}${n.focus ? ' focus' : ''}`,
      'data-node': n.id,
      'data-health': h.health,
      transform: `translate(${x},${y})`,
      role: 'link',
    },
    svgEl('title', {}, `${n.kind === 'job' ? 'job' : 'dataset'} ${n.namespace} : ${n.name}${h.label ? ` — ${h.label}` : ''}`),
    svgEl('rect', { class: 'box', width, height, rx: n.kind === 'job' ? 10 : 3 }),
    svgEl('rect', { class: 'accent', width: 5, height, rx: 2 }),
    svgEl('text', { class: 'kind', x: 14, y: 18 }, kindLabel(n)),
    svgEl('text', { class: 'name', x: 14, y: 37 }, shorten(n.name, NAME_CHARS)),
    svgEl('text', { class: 'sub', x: 14, y: 52 }, shorten(n.namespace, 34)),
  );
  if (h.label) g.append(chip(h.label, h.health, width - 8));
  g.addEventListener('click', () => onOpen(n.id));
  for (const t of [toggle(n, 'up', n.upstream, onToggle), toggle(n, 'down', n.downstream, onToggle)]) if (t) g.append(t);
  return g;
}

/** The lineage graph view: what was fetched, what is collapsed, and drawing it. */
export class LineageGraphView {
  readonly #canvas: GraphCanvas;
  readonly #layouter: Layouter;
  readonly #onOpen: (nodeId: string) => void;
  #graph: LineageNode[] = [];
  #focus = '';
  #up = new Set<string>();
  #down = new Set<string>();
  #model: GraphModel | undefined;

  constructor(canvas: GraphCanvas, layouter: Layouter, onOpen: (nodeId: string) => void) {
    this.#canvas = canvas;
    this.#layouter = layouter;
    this.#onOpen = onOpen;
  }

  /** The model last drawn (for the summary line under the graph). */
  get model(): GraphModel | undefined {
    return this.#model;
  }

  /** Fetches the graph around `nodeId` and draws it, the node centred; collapses start empty. */
  async load(nodeId: string, scope: GraphScope): Promise<GraphModel> {
    const ticket = this.#canvas.claim();
    showBusy('Loading lineage…');
    const dir = scope.direction === 'both' ? '' : `&direction=${scope.direction}`;
    const { graph } = await get<LineageGraph>(`lineage?nodeId=${enc(nodeId)}&depth=${scope.depth}${dir}`);
    if (!this.#canvas.holds(ticket)) return graphModel(graph, nodeId);
    this.#graph = graph;
    this.#focus = nodeId;
    this.#up = new Set();
    this.#down = new Set();
    return this.#draw(ticket, false);
  }

  /** Collapses or expands one side of a node, keeping the view where it is. */
  async toggle(id: string, side: 'up' | 'down'): Promise<void> {
    const set = side === 'up' ? this.#up : this.#down;
    if (!set.delete(id)) set.add(id);
    await this.#draw(this.#canvas.claim(), true);
  }

  async #draw(ticket: number, keepView: boolean): Promise<GraphModel> {
    const model = graphModel(this.#graph, this.#focus, { up: this.#up, down: this.#down });
    this.#model = model;
    showBusy(model.nodes.length > 60 ? `Laying out ${model.nodes.length} nodes…` : '');
    const placed = await layout(
      this.#layouter,
      model.nodes.map((n) => ({ id: n.id, ...NODE_SIZE })),
      model.edges,
    );
    showBusy('');
    const touching = (e: { source: string; target: string }) => e.source === this.#focus || e.target === this.#focus;
    this.#canvas.show(
      ticket,
      placed,
      (layer) => {
        const edges = svgEl('g', { class: 'edges' });
        for (const e of model.edges) {
          const points = placed.links.get(e.id);
          if (!points || points.length < 2) continue;
          const strong = touching(e);
          edges.append(
            svgEl('path', {
              d: edgePath(points),
              class: `edge${strong ? ' strong' : ''}`,
              'data-edge': e.id,
              'marker-end': strong ? 'url(#arrow-strong)' : 'url(#arrow)',
            }),
          );
        }
        const nodes = svgEl('g', { class: 'nodes' });
        for (const n of model.nodes) {
          const r = placed.boxes.get(n.id);
          if (r) nodes.append(nodeElement(n, r.x, r.y, this.#onOpen, (id, side) => void this.toggle(id, side)));
        }
        layer.append(edges, nodes);
      },
      this.#focus,
      keepView,
    );
    return model;
  }
}
