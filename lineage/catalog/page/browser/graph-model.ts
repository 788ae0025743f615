// What the graph shows of a `/lineage` answer: the nodes reachable from the focused one, where a node whose upstream
// (or downstream) is collapsed is not walked through on that side; kept apart from drawing so it can be tested.
import type { LineageNode } from '../../../marquez/api.ts';
import { graphHealth } from './health.ts';
import type { NodeHealth } from './health.ts';

/** The nodes whose upstream and whose downstream are collapsed. */
export type Collapse = { readonly up: ReadonlySet<string>; readonly down: ReadonlySet<string> };

/** One side of a node: its edges there, how many nodes collapsing it hides, and edges to nodes not fetched yet. */
export type Side = { edges: number; collapsed: boolean; hidden: number; unfetched: number };

/** A node as drawn. */
export type ModelNode = {
  id: string;
  kind: 'job' | 'dataset';
  name: string;
  namespace: string;
  /** A job's pipeline (its parent job), when it is a step of one. */
  parent: string | null;
  /** A job that other jobs of the graph are steps of. */
  pipeline: boolean;
  health: NodeHealth;
  focus: boolean;
  upstream: Side;
  downstream: Side;
};

/** An edge as drawn, from the node that feeds to the node fed. */
export type ModelEdge = { id: string; source: string; target: string };

/** The visible part of a lineage graph. */
export type GraphModel = { nodes: ModelNode[]; edges: ModelEdge[]; total: number };

const NO_COLLAPSE: Collapse = { up: new Set(), down: new Set() };

function reachable(byId: Map<string, LineageNode>, focus: string, collapse: Collapse): Set<string> {
  const seen = new Set<string>();
  if (!byId.has(focus)) return seen;
  const queue = [focus];
  seen.add(focus);
  while (queue.length > 0) {
    const id = queue.pop()!;
    const n = byId.get(id)!;
    const next = [
      ...(collapse.up.has(id) ? [] : n.inEdges.map((e) => e.origin)),
      ...(collapse.down.has(id) ? [] : n.outEdges.map((e) => e.destination)),
    ];
    for (const m of next) {
      if (!seen.has(m) && byId.has(m)) {
        seen.add(m);
        queue.push(m);
      }
    }
  }
  return seen;
}

function without(set: ReadonlySet<string>, id: string): Set<string> {
  const copy = new Set(set);
  copy.delete(id);
  return copy;
}

/** The nodes and edges to draw around `focus`, with what each collapse hides. */
export function graphModel(graph: LineageNode[], focus: string, collapse: Collapse = NO_COLLAPSE): GraphModel {
  const byId = new Map(graph.map((n) => [n.id, n]));
  const visible = reachable(byId, focus, collapse);
  const health = graphHealth(graph);
  const parents = new Set(
    graph.flatMap((n) => (n.type === 'JOB' && n.data.parentJobName ? [`${n.data.namespace}:${n.data.parentJobName}`] : [])),
  );
  const hiddenBy = (id: string, side: 'up' | 'down'): number => {
    const opened =
      side === 'up' ? { up: without(collapse.up, id), down: collapse.down } : { up: collapse.up, down: without(collapse.down, id) };
    return reachable(byId, focus, opened).size - visible.size;
  };
  const side = (n: LineageNode, dir: 'up' | 'down'): Side => {
    const ends = dir === 'up' ? n.inEdges.map((e) => e.origin) : n.outEdges.map((e) => e.destination);
    const collapsed = (dir === 'up' ? collapse.up : collapse.down).has(n.id);
    return {
      edges: ends.length,
      collapsed,
      hidden: collapsed ? hiddenBy(n.id, dir) : 0,
      unfetched: ends.filter((e) => !byId.has(e)).length,
    };
  };
  const nodes: ModelNode[] = [];
  const edges = new Map<string, ModelEdge>();
  for (const n of graph) {
    if (!visible.has(n.id)) continue;
    nodes.push({
      id: n.id,
      kind: n.type === 'JOB' ? 'job' : 'dataset',
      name: n.data.name,
      namespace: n.data.namespace,
      parent: n.type === 'JOB' ? n.data.parentJobName : null,
      pipeline: n.type === 'JOB' && parents.has(`${n.data.namespace}:${n.data.name}`),
      health: health.get(n.id) ?? { health: 'none', label: '' },
      focus: n.id === focus,
      upstream: side(n, 'up'),
      downstream: side(n, 'down'),
    });
    for (const e of [...n.inEdges, ...n.outEdges]) {
      if (e.origin === e.destination || !visible.has(e.origin) || !visible.has(e.destination)) continue;
      const id = `${e.origin}->${e.destination}`;
      edges.set(id, { id, source: e.origin, target: e.destination });
    }
  }
  return { nodes, edges: [...edges.values()], total: graph.length };
}

/** Adds the nodes of `more` to `graph` (a node already there keeps its edges merged with the new ones). */
export function mergeGraphs(graph: LineageNode[], more: LineageNode[]): LineageNode[] {
  const byId = new Map(graph.map((n) => [n.id, n]));
  for (const n of more) {
    const old = byId.get(n.id);
    if (!old) {
      byId.set(n.id, n);
      continue;
    }
    const key = (e: { origin: string; destination: string }) => `${e.origin}->${e.destination}`;
    const merge = <E extends { origin: string; destination: string }>(a: E[], b: E[]) => [
      ...new Map([...a, ...b].map((e) => [key(e), e])).values(),
    ];
    byId.set(n.id, { ...old, inEdges: merge(old.inEdges, n.inEdges), outEdges: merge(old.outEdges, n.outEdges) });
  }
  return [...byId.values()];
}
