// Column lineage of one field, from `/column-lineage`: each dataset is a box listing its fields in the graph, and an
// edge joins a field to each field made from it; the chosen field, what it comes from and what it feeds are marked.
import type { ColumnLineageGraph, ColumnLineageNode } from '../../../marquez/api.ts';
import { enc, get } from './api.ts';
import { showBusy, svgEl } from './dom.ts';
import { shorten } from './format.ts';
import { edgePath } from './graph-canvas.ts';
import type { GraphCanvas } from './graph-canvas.ts';
import { layout } from './layout.ts';
import type { LayoutBox, LayoutLink, Layouter } from './layout.ts';
import { fieldRoles, inputsOf } from './column-roles.ts';
import type { FieldRole } from './column-roles.ts';

const WIDTH = 260;
const HEADER = 32;
const ROW = 24;

/** The column graph view. */
export class ColumnGraphView {
  readonly #canvas: GraphCanvas;
  readonly #layouter: Layouter;
  readonly #onField: (namespace: string, dataset: string, field: string) => void;
  readonly #onDataset: (namespace: string, dataset: string) => void;

  constructor(
    canvas: GraphCanvas,
    layouter: Layouter,
    onField: (namespace: string, dataset: string, field: string) => void,
    onDataset: (namespace: string, dataset: string) => void,
  ) {
    this.#canvas = canvas;
    this.#layouter = layouter;
    this.#onField = onField;
    this.#onDataset = onDataset;
  }

  /** Fetches and draws the column lineage of one field, upstream and downstream; returns the graph. */
  async load(nodeId: string): Promise<ColumnLineageNode[]> {
    const ticket = this.#canvas.claim();
    showBusy('Loading column lineage…');
    const { graph } = await get<ColumnLineageGraph>(`column-lineage?nodeId=${enc(nodeId)}&depth=20&withDownstream=true`);
    const roles = fieldRoles(graph, nodeId);
    const datasets = new Map<string, ColumnLineageNode[]>();
    for (const n of graph) {
      const key = `dataset:${n.data.namespace}:${n.data.dataset}`;
      datasets.set(key, [...(datasets.get(key) ?? []), n]);
    }
    const boxes: LayoutBox[] = [...datasets].map(([id, fields]) => ({
      id,
      width: WIDTH,
      height: HEADER + fields.length * ROW + 6,
      ports: fields.flatMap((f, i) => [
        { id: `${f.id}#in`, side: 'WEST' as const, y: HEADER + i * ROW + ROW / 2 },
        { id: `${f.id}#out`, side: 'EAST' as const, y: HEADER + i * ROW + ROW / 2 },
      ]),
    }));
    const byId = new Map(graph.map((n) => [n.id, n]));
    const links = new Map<string, LayoutLink>();
    for (const n of graph) {
      for (const input of inputsOf(n)) {
        const source = byId.get(input);
        if (!source || input === n.id) continue;
        links.set(`${input}->${n.id}`, {
          id: `${input}->${n.id}`,
          source: `dataset:${source.data.namespace}:${source.data.dataset}`,
          target: `dataset:${n.data.namespace}:${n.data.dataset}`,
          sourcePort: `${input}#out`,
          targetPort: `${n.id}#in`,
        });
      }
    }
    showBusy(graph.length > 80 ? `Laying out ${graph.length} fields…` : '');
    const placed = await layout(this.#layouter, boxes, [...links.values()]);
    showBusy('');
    const own = [...datasets].find(([, fields]) => fields.some((f) => f.id === nodeId))?.[0];
    this.#canvas.show(
      ticket,
      placed,
      (layer) => {
        const edges = svgEl('g', { class: 'edges' });
        for (const l of links.values()) {
          const points = placed.links.get(l.id);
          if (!points || points.length < 2) continue;
          const [from, to] = l.id.split('->') as [string, string];
          const on = [roles.get(from), roles.get(to)].every((r) => r !== 'other');
          edges.append(
            svgEl('path', {
              d: edgePath(points),
              class: `edge${on ? ' strong' : ' faint'}`,
              'data-edge': l.id,
              'marker-end': on ? 'url(#arrow-strong)' : 'url(#arrow)',
            }),
          );
        }
        const nodes = svgEl('g', { class: 'nodes' });
        for (const [id, fields] of datasets) {
          const r = placed.boxes.get(id);
          if (r) nodes.append(this.#datasetBox(id, fields, r.x, r.y, r.height, roles));
        }
        layer.append(edges, nodes);
      },
      own,
    );
    return graph;
  }

  #datasetBox(id: string, fields: ColumnLineageNode[], x: number, y: number, height: number, roles: Map<string, FieldRole>): SVGElement {
    const first = fields[0]!.data;
    const g = svgEl('g', { class: 'column-dataset', 'data-node': id, transform: `translate(${x},${y})` });
    const header = svgEl(
      'g',
      { class: 'column-header', role: 'link' },
      svgEl('title', {}, `dataset ${first.namespace} : ${first.dataset}`),
      svgEl('rect', { class: 'box', width: WIDTH, height, rx: 6 }),
      svgEl('text', { class: 'name', x: 12, y: 21 }, shorten(first.dataset, 32)),
    );
    header.addEventListener('click', () => this.#onDataset(first.namespace, first.dataset));
    g.append(header);
    fields.forEach((f, i) => {
      const role = roles.get(f.id) ?? 'other';
      const row = svgEl(
        'g',
        { class: `field-row ${role}`, 'data-field': f.id, transform: `translate(0,${HEADER + i * ROW})`, role: 'link' },
        svgEl(
          'title',
          {},
          `${f.data.field}${f.data.fieldType ? ` (${f.data.fieldType})` : ''}${f.data.transformationDescription ? `\n${f.data.transformationDescription}` : ''}`,
        ),
        svgEl('rect', { class: 'row-bg', x: 1, width: WIDTH - 2, height: ROW }),
        svgEl('text', { class: 'field-name', x: 12, y: 16 }, shorten(f.data.field, 24)),
        svgEl('text', { class: 'field-type', x: WIDTH - 10, y: 16, 'text-anchor': 'end' }, shorten(f.data.fieldType ?? '', 12)),
      );
      row.addEventListener('click', () => this.#onField(f.data.namespace, f.data.dataset, f.data.field));
      g.append(row);
    });
    return g;
  }
}
