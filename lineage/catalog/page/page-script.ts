/** The lineage page's browser script (plain ES2020, no build step); every text goes through textContent. */
export const PAGE_SCRIPT = String.raw`
const API = '/api/v1/';
const $ = (sel) => document.querySelector(sel);
const enc = encodeURIComponent;
// A catalog served with --protect-reads answers 401 without its key: the page asks for it once per tab and keeps it
// in sessionStorage (never in the URL), then sends it as a bearer token.
const KEY = 'sluice-catalog-key';
function askForKey(message) {
  return new Promise((resolve) => {
    const form = $('#key-form');
    $('#key-message').textContent = message;
    form.hidden = false;
    $('#key').focus();
    form.onsubmit = (e) => {
      e.preventDefault();
      sessionStorage.setItem(KEY, $('#key').value);
      $('#key').value = '';
      form.hidden = true;
      resolve();
    };
  });
}
async function get(path) {
  for (;;) {
    const key = sessionStorage.getItem(KEY);
    const res = await fetch(API + path, key ? { headers: { authorization: 'Bearer ' + key } } : {});
    if (res.status === 401) {
      await askForKey(key ? 'The catalog refused that key; enter the right one.' : 'This catalog needs its API key to read.');
      continue;
    }
    if (!res.ok) throw new Error(path + ': ' + res.status + ' ' + (await res.text()).slice(0, 200));
    return res.json();
  }
}
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick') e.addEventListener('click', v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
const svgEl = (tag, attrs) => {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};
const duration = (ms) => (ms === null || ms === undefined ? '–' : ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s');
const stateBadge = (s) => el('span', { class: 'state state-' + String(s).toLowerCase() }, s || 'NEW');
function splitId(id) {
  const body = id.slice(id.indexOf(':') + 1);
  const at = body.search(/:(?!\/\/|\d)/);
  return { type: id.slice(0, id.indexOf(':')), namespace: body.slice(0, at), name: body.slice(at + 1) };
}
function showError(e) {
  $('#error').textContent = String(e && e.message ? e.message : e);
}

async function search(q) {
  const list = $('#results');
  list.replaceChildren();
  if (!q.trim()) return;
  const { results } = await get('search?q=' + enc(q) + '&limit=50');
  if (results.length === 0) list.append(el('li', { class: 'muted' }, 'no job or dataset matches ' + JSON.stringify(q)));
  for (const r of results) {
    list.append(el('li', {}, el('a', { href: '#' + enc(r.nodeId), 'data-node': r.nodeId }, el('span', { class: 'kind' }, r.type), ' ', r.namespace + ' : ' + r.name)));
  }
}

async function overview() {
  const { jobs } = await get('jobs?limit=200');
  const rows = jobs.map((j) => {
    const run = j.latestRun;
    return el('tr', { class: run && run.state === 'FAILED' ? 'failing' : '' },
      el('td', {}, el('a', { href: '#' + enc('job:' + j.namespace + ':' + j.name) }, j.namespace + ' : ' + j.name)),
      el('td', {}, run ? stateBadge(run.state) : '–'), el('td', {}, run ? duration(run.durationMs) : '–'), el('td', {}, run ? run.startedAt || '–' : '–'));
  });
  $('#detail').replaceChildren(el('h2', {}, 'Jobs'), el('table', { id: 'jobs' }, el('tr', {}, el('th', {}, 'job'), el('th', {}, 'latest run'), el('th', {}, 'duration'), el('th', {}, 'started')), rows));
  $('#graph').replaceChildren();
}

function layout(graph) {
  // Layer = longest path from a source, so edges point right.
  const byId = new Map(graph.map((n) => [n.id, n]));
  const layer = new Map();
  const visit = (id, seen) => {
    if (layer.has(id)) return layer.get(id);
    if (seen.has(id)) return 0;
    seen.add(id);
    const ins = (byId.get(id).inEdges || []).map((e) => e.origin).filter((o) => byId.has(o));
    const l = ins.length === 0 ? 0 : 1 + Math.max(...ins.map((o) => visit(o, seen)));
    layer.set(id, l);
    return l;
  };
  graph.forEach((n) => visit(n.id, new Set()));
  const columns = [];
  for (const n of graph) (columns[layer.get(n.id)] ||= []).push(n);
  const pos = new Map();
  columns.forEach((col, x) => col.forEach((n, y) => pos.set(n.id, { x: 20 + x * 230, y: 20 + y * 70 })));
  return { pos, width: 40 + columns.length * 230, height: 40 + Math.max(1, ...columns.map((c) => c.length)) * 70 };
}

async function drawGraph(nodeId, depth, direction) {
  const { graph } = await get('lineage?nodeId=' + enc(nodeId) + '&depth=' + depth + (direction === 'both' ? '' : '&direction=' + direction));
  const { pos, width, height } = layout(graph);
  const svg = svgEl('svg', { width, height, viewBox: '0 0 ' + width + ' ' + height, id: 'lineage-graph' });
  svg.append(Object.assign(svgEl('defs', {}), { innerHTML: '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker>' }));
  for (const n of graph) for (const e of n.outEdges) {
    const a = pos.get(e.origin), b = pos.get(e.destination);
    if (!a || !b) continue;
    svg.append(svgEl('path', { d: 'M' + (a.x + 190) + ',' + (a.y + 22) + ' C' + (a.x + 210) + ',' + (a.y + 22) + ' ' + (b.x - 20) + ',' + (b.y + 22) + ' ' + b.x + ',' + (b.y + 22), class: 'edge', 'marker-end': 'url(#arrow)' }));
  }
  for (const n of graph) {
    const p = pos.get(n.id);
    const failing = n.type === 'JOB' && n.data.latestRun && n.data.latestRun.state === 'FAILED';
    const g = svgEl('g', { class: 'node ' + n.type.toLowerCase() + (failing ? ' failing' : '') + (n.id === nodeId ? ' selected' : ''), 'data-node': n.id, transform: 'translate(' + p.x + ',' + p.y + ')' });
    g.append(svgEl('rect', { width: 190, height: 44, rx: n.type === 'JOB' ? 6 : 20 }));
    const label = svgEl('text', { x: 10, y: 19 });
    label.textContent = n.data.name.length > 28 ? '…' + n.data.name.slice(-27) : n.data.name;
    const sub = svgEl('text', { x: 10, y: 35, class: 'sub' });
    sub.textContent = n.type === 'JOB' ? (n.data.latestRun ? n.data.latestRun.state : 'no run') : n.data.namespace;
    const title = svgEl('title', {});
    title.textContent = n.id;
    g.append(label, sub, title);
    g.addEventListener('click', () => { location.hash = enc(n.id); });
    svg.append(g);
  }
  $('#graph').replaceChildren(el('p', { class: 'muted' }, graph.length + ' nodes around ' + nodeId), svg);
}

async function jobDetail(id) {
  const { runs } = await get('namespaces/' + enc(id.namespace) + '/jobs/' + enc(id.name) + '/runs?limit=50');
  const rows = runs.map((r) => el('tr', { class: r.state === 'FAILED' ? 'failing' : '' },
    el('td', { class: 'mono' }, r.id), el('td', {}, stateBadge(r.state)), el('td', {}, duration(r.durationMs)), el('td', {}, r.startedAt || '–'),
    el('td', {}, (r.facets && r.facets.errorMessage && r.facets.errorMessage.message) || '')));
  return [el('h2', {}, 'Job ' + id.namespace + ' : ' + id.name), el('h3', {}, 'Runs'),
    el('table', { id: 'runs' }, el('tr', {}, el('th', {}, 'run'), el('th', {}, 'state'), el('th', {}, 'duration'), el('th', {}, 'started'), el('th', {}, 'error')), rows)];
}

function subsetOf(facets) {
  const s = facets && facets.subset && (facets.subset.outputCondition || facets.subset.inputCondition);
  const d = s && s.partitions && s.partitions[0] && s.partitions[0].dimensions;
  return d ? Object.entries(d).map(([k, v]) => k + '=' + v).join(',') : '';
}

async function datasetDetail(id) {
  const { versions } = await get('namespaces/' + enc(id.namespace) + '/datasets/' + enc(id.name) + '/versions?limit=20');
  const blocks = versions.map((v) => {
    const run = v.createdByRun;
    const quarantined = run && run.state === 'FAILED';
    const out = run && run.outputDatasetVersions.find((o) => o.datasetVersionId.version === v.version);
    const batch = subsetOf(out && out.facets) || subsetOf(v.facets);
    const assertions = (v.facets.dataQualityAssertions && v.facets.dataQualityAssertions.assertions) || [];
    const metrics = (v.facets.dataQualityMetrics && v.facets.dataQualityMetrics.columnMetrics) || {};
    const failed = assertions.some((a) => a.success === false);
    return el('section', { class: 'version' + (quarantined ? ' quarantined' : '') + (failed ? ' failed-assertions' : '') },
      el('h4', {}, quarantined ? el('span', { class: 'state state-failed' }, 'QUARANTINED') : '', ' ', batch || v.version, ' ',
        el('span', { class: 'muted' }, 'created ' + v.createdAt + (run ? ' by run ' + run.id + ' (' + run.state + ')' : ''))),
      el('table', { class: 'schema' }, el('tr', {}, el('th', {}, 'field'), el('th', {}, 'type')), v.fields.map((f) => el('tr', {}, el('td', {}, f.name), el('td', {}, f.type || '')))),
      assertions.length === 0 ? '' : el('table', { class: 'assertions' }, el('tr', {}, el('th', {}, 'assertion'), el('th', {}, 'column'), el('th', {}, 'result'), el('th', {}, 'actual')),
        assertions.map((a) => el('tr', { class: a.success ? '' : 'failing' }, el('td', {}, a.name || a.assertion), el('td', {}, a.column || ''), el('td', {}, a.success ? 'passed' : 'FAILED'), el('td', {}, a.actual || '')))),
      Object.keys(metrics).length === 0 ? '' : el('table', { class: 'metrics' }, el('tr', {}, el('th', {}, 'column'), el('th', {}, 'nulls'), el('th', {}, 'distinct'), el('th', {}, 'min'), el('th', {}, 'max')),
        Object.entries(metrics).map(([c, m]) => el('tr', {}, el('td', {}, c), el('td', {}, m.nullCount ?? ''), el('td', {}, m.distinctCount ?? ''), el('td', {}, m.min ?? ''), el('td', {}, m.max ?? '')))));
  });
  return [el('h2', {}, 'Dataset ' + id.namespace + ' : ' + id.name), el('h3', {}, 'Versions'), ...blocks];
}

async function route() {
  showError('');
  const nodeId = decodeURIComponent(location.hash.slice(1));
  if (!nodeId) return overview();
  const id = splitId(nodeId);
  $('#node').textContent = nodeId;
  try {
    await drawGraph(nodeId, $('#depth').value, $('#direction').value);
    $('#detail').replaceChildren(...(id.type === 'job' ? await jobDetail(id) : await datasetDetail(id)));
  } catch (e) { showError(e); }
}

$('#search').addEventListener('input', (e) => search(e.target.value).catch(showError));
$('#depth').addEventListener('change', route);
$('#direction').addEventListener('change', route);
window.addEventListener('hashchange', route);
route().catch(showError);
`;
