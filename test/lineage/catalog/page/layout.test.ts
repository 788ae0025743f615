import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ELK, ElkNode } from 'elkjs/lib/elk-api.js';
import { startCatalogServer } from '../../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../../lineage/catalog/index.ts';
import type { LineageGraph } from '../../../../lineage/marquez/api.ts';
import { graphModel } from '../../../../lineage/catalog/page/browser/graph-model.ts';
import { layout } from '../../../../lineage/catalog/page/browser/layout.ts';
import type { Placement, Rect } from '../../../../lineage/catalog/page/browser/layout.ts';
import { NODE_SIZE } from '../../../../lineage/catalog/page/browser/node-size.ts';
import { post } from '../churn-events.ts';
import { wideLineageEvents } from './wide-lineage.ts';

// ELK in-process (the page runs the same code in a Web Worker).
const Elk = createRequire(import.meta.url)('elkjs/lib/elk.bundled.js') as new () => ELK;
const elk = new Elk();
const layouter = (graph: ElkNode) => elk.layout(graph);

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function overlapping(p: Placement): string[] {
  const boxes = [...p.boxes];
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i += 1)
    for (let j = i + 1; j < boxes.length; j += 1) if (overlap(boxes[i]![1], boxes[j]![1])) found.push(`${boxes[i]![0]} × ${boxes[j]![0]}`);
  return found;
}

// A segment crosses a box when it passes through its inside (touching the border where an edge ends is fine).
function crosses(a: { x: number; y: number }, b: { x: number; y: number }, r: Rect): boolean {
  const inset = { x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2 };
  if (a.x === b.x)
    return a.x > inset.x && a.x < inset.x + inset.width && Math.max(a.y, b.y) > inset.y && Math.min(a.y, b.y) < inset.y + inset.height;
  if (a.y === b.y)
    return a.y > inset.y && a.y < inset.y + inset.height && Math.max(a.x, b.x) > inset.x && Math.min(a.x, b.x) < inset.x + inset.width;
  return false;
}

describe('the graph layout', () => {
  let catalog: CatalogServer;
  let graph: LineageGraph['graph'];

  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0 });
    for (const event of wideLineageEvents(30)) expect((await post(catalog.url, event)).status).toBe(201);
    const res = await fetch(`${catalog.url}/api/v1/lineage?nodeId=${encodeURIComponent('job:wide:p15.features')}&depth=50`);
    graph = ((await res.json()) as LineageGraph).graph;
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it('places the 302 nodes of a wide graph without overlap and routes every edge orthogonally around them', async () => {
    const model = graphModel(graph, 'job:wide:p15.features');
    const placed = await layout(
      layouter,
      model.nodes.map((n) => ({ id: n.id, ...NODE_SIZE })),
      model.edges,
    );
    expect(placed.boxes.size).toBe(302);
    expect(overlapping(placed)).toEqual([]);
    expect(placed.links.size).toBe(model.edges.length);
    const boxes = [...placed.boxes];
    for (const e of model.edges) {
      const points = placed.links.get(e.id)!;
      expect(points.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < points.length; i += 1) {
        const [a, b] = [points[i - 1]!, points[i]!];
        expect(a.x === b.x || a.y === b.y, `${e.id} segment ${i} is not orthogonal`).toBe(true);
        const through = boxes.filter(([, r]) => crosses(a, b, r)).map(([id]) => id);
        expect(through, `${e.id} runs through a node`).toEqual([]);
      }
      // Left to right: an edge leaves its source's right side and enters its target's left side.
      const s = placed.boxes.get(e.source)!;
      const t = placed.boxes.get(e.target)!;
      expect(points[0]!.x).toBeCloseTo(s.x + s.width, 0);
      expect(points.at(-1)!.x).toBeCloseTo(t.x, 0);
    }
  }, 60_000);

  it('joins fields through fixed ports on the sides of their dataset boxes', async () => {
    const box = (id: string, fields: string[]) => ({
      id,
      width: 200,
      height: 32 + fields.length * 24,
      ports: fields.flatMap((f, i) => [
        { id: `${id}.${f}#in`, side: 'WEST' as const, y: 32 + i * 24 + 12 },
        { id: `${id}.${f}#out`, side: 'EAST' as const, y: 32 + i * 24 + 12 },
      ]),
    });
    const placed = await layout(
      layouter,
      [box('raw', ['a', 'b']), box('features', ['ab', 'b2']), box('predictions', ['score'])],
      [
        { id: 'a->ab', source: 'raw', target: 'features', sourcePort: 'raw.a#out', targetPort: 'features.ab#in' },
        { id: 'b->ab', source: 'raw', target: 'features', sourcePort: 'raw.b#out', targetPort: 'features.ab#in' },
        { id: 'ab->score', source: 'features', target: 'predictions', sourcePort: 'features.ab#out', targetPort: 'predictions.score#in' },
      ],
    );
    expect(overlapping(placed)).toEqual([]);
    const raw = placed.boxes.get('raw')!;
    const features = placed.boxes.get('features')!;
    const b = placed.links.get('b->ab')!;
    expect(b[0]).toEqual({ x: raw.x + raw.width, y: raw.y + 32 + 24 + 12 });
    expect(b.at(-1)).toEqual({ x: features.x, y: features.y + 32 + 12 });
  });
});
