// Graph layout by ELK's layered algorithm (left to right, edges routed orthogonally around the boxes): the ELK graph
// of some boxes and links, and what ELK answered read back; ELK itself runs elsewhere (a Web Worker in the page).
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';

/** A point in layout coordinates. */
export type Point = { x: number; y: number };

/** A box to place; `ports` are fixed connection points on its left or right side (`y` from its top). */
export type LayoutBox = { id: string; width: number; height: number; ports?: { id: string; side: 'WEST' | 'EAST'; y: number }[] };

/** An edge to route, between boxes or between ports of boxes. */
export type LayoutLink = { id: string; source: string; target: string; sourcePort?: string; targetPort?: string };

/** A placed box. */
export type Rect = { x: number; y: number; width: number; height: number };

/** Where everything went: boxes, the polyline of every edge, and the size of the whole. */
export type Placement = { boxes: Map<string, Rect>; links: Map<string, Point[]>; width: number; height: number };

/** Runs ELK on a graph (in a worker in the page; in-process in tests). */
export type Layouter = (graph: ElkNode) => Promise<ElkNode>;

const OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '64',
  'elk.layered.spacing.edgeNodeBetweenLayers': '20',
  'elk.spacing.nodeNode': '22',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '8',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.separateConnectedComponents': 'true',
  'elk.spacing.componentComponent': '48',
  'elk.padding': '[top=24,left=24,bottom=24,right=24]',
};

/** The ELK graph of some boxes and links (links whose ends are not boxes are left out). */
export function elkGraph(boxes: LayoutBox[], links: LayoutLink[]): ElkNode {
  const ids = new Set(boxes.map((b) => b.id));
  const edges: ElkExtendedEdge[] = links
    .filter((l) => ids.has(l.source) && ids.has(l.target))
    .map((l) => ({ id: l.id, sources: [l.sourcePort ?? l.source], targets: [l.targetPort ?? l.target] }));
  return {
    id: 'root',
    layoutOptions: OPTIONS,
    children: boxes.map((b) => ({
      id: b.id,
      width: b.width,
      height: b.height,
      ...(b.ports
        ? {
            layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
            ports: b.ports.map((p) => ({
              id: p.id,
              width: 0,
              height: 0,
              x: p.side === 'WEST' ? 0 : b.width,
              y: p.y,
              layoutOptions: { 'elk.port.side': p.side },
            })),
          }
        : {}),
    })),
    edges,
  };
}

/** Reads ELK's answer: box positions and each edge as a polyline (start, bends, end). */
export function placement(laid: ElkNode): Placement {
  const boxes = new Map<string, Rect>();
  for (const c of laid.children ?? []) boxes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
  const links = new Map<string, Point[]>();
  for (const e of (laid.edges ?? []) as ElkExtendedEdge[]) {
    const points = (e.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
    links.set(e.id, points);
  }
  return { boxes, links, width: laid.width ?? 0, height: laid.height ?? 0 };
}

/** Lays boxes and links out. */
export async function layout(layouter: Layouter, boxes: LayoutBox[], links: LayoutLink[]): Promise<Placement> {
  return placement(await layouter(elkGraph(boxes, links)));
}
