// The graph around a node, from `/lineage`: columns by longest path from a source, so edges point right.
import type { LineageGraph, LineageNode } from '../../../marquez/api.ts';
import { enc, get } from './api.ts';
import { $, el, svgEl } from './dom.ts';

type Point = { x: number; y: number };

function layout(graph: LineageNode[]): { pos: Map<string, Point>; width: number; height: number } {
  const byId = new Map(graph.map((n) => [n.id, n]));
  const layer = new Map<string, number>();
  const visit = (id: string, seen: Set<string>): number => {
    if (layer.has(id)) return layer.get(id)!;
    if (seen.has(id)) return 0;
    seen.add(id);
    const ins = (byId.get(id)!.inEdges || []).map((e) => e.origin).filter((o) => byId.has(o));
    const l = ins.length === 0 ? 0 : 1 + Math.max(...ins.map((o) => visit(o, seen)));
    layer.set(id, l);
    return l;
  };
  graph.forEach((n) => visit(n.id, new Set()));
  const columns: LineageNode[][] = [];
  for (const n of graph) (columns[layer.get(n.id)!] ||= []).push(n);
  const pos = new Map<string, Point>();
  columns.forEach((col, x) => col.forEach((n, y) => pos.set(n.id, { x: 20 + x * 230, y: 20 + y * 70 })));
  return { pos, width: 40 + columns.length * 230, height: 40 + Math.max(1, ...columns.map((c) => c.length)) * 70 };
}

/** Draws the graph around `nodeId` (`depth` job hops, `direction` both, upstream or downstream); a click opens a node. */
export async function drawGraph(nodeId: string, depth: string, direction: string): Promise<void> {
  const { graph } = await get<LineageGraph>(
    `lineage?nodeId=${enc(nodeId)}&depth=${depth}${direction === 'both' ? '' : `&direction=${direction}`}`,
  );
  const { pos, width, height } = layout(graph);
  const svg = svgEl('svg', { width, height, viewBox: `0 0 ${width} ${height}`, id: 'lineage-graph' });
  svg.append(
    Object.assign(svgEl('defs', {}), {
      innerHTML:
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker>',
    }),
  );
  for (const n of graph) {
    for (const e of n.outEdges) {
      const a = pos.get(e.origin);
      const b = pos.get(e.destination);
      if (!a || !b) continue;
      svg.append(
        svgEl('path', {
          d: `M${a.x + 190},${a.y + 22} C${a.x + 210},${a.y + 22} ${b.x - 20},${b.y + 22} ${b.x},${b.y + 22}`,
          class: 'edge',
          'marker-end': 'url(#arrow)',
        }),
      );
    }
  }
  for (const n of graph) {
    const p = pos.get(n.id)!;
    const failing = n.type === 'JOB' && n.data.latestRun && n.data.latestRun.state === 'FAILED';
    const g = svgEl('g', {
      class: `node ${n.type.toLowerCase()}${failing ? ' failing' : ''}${n.id === nodeId ? ' selected' : ''}`,
      'data-node': n.id,
      transform: `translate(${p.x},${p.y})`,
    });
    g.append(svgEl('rect', { width: 190, height: 44, rx: n.type === 'JOB' ? 6 : 20 }));
    const label = svgEl('text', { x: 10, y: 19 });
    label.textContent = n.data.name.length > 28 ? `…${n.data.name.slice(-27)}` : n.data.name;
    const sub = svgEl('text', { x: 10, y: 35, class: 'sub' });
    sub.textContent = n.type === 'JOB' ? (n.data.latestRun ? n.data.latestRun.state : 'no run') : n.data.namespace;
    const title = svgEl('title', {});
    title.textContent = n.id;
    g.append(label, sub, title);
    g.addEventListener('click', () => {
      location.hash = enc(n.id);
    });
    svg.append(g);
  }
  $('#graph').replaceChildren(el('p', { class: 'muted' }, `${graph.length} nodes around ${nodeId}`), svg);
}
