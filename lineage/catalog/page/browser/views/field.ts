// A field: where it comes from (its inputs, with how each was transformed, back to the fields nothing feeds) and where
// it goes; read from the column-lineage graph the canvas shows.
import type { ColumnLineageNode } from '../../../../marquez/api.ts';
import { el } from '../dom.ts';
import { fieldRoles, inputsOf, outputsOf } from '../column-roles.ts';
import { datasetHash, fieldHash } from '../routes.ts';
import { keyValues, section, table, titleBlock } from './panel.ts';

const fieldLink = (n: ColumnLineageNode) =>
  el('a', { href: fieldHash(n.data.namespace, n.data.dataset, n.data.field), 'data-field': n.id }, `${n.data.dataset}.${n.data.field}`);

// A long description (one clause per input) is folded behind its first clause.
function how(type: string, description: string | null): HTMLElement | string {
  if (!description) return type;
  if (description.length <= 140) return `${type} — ${description}`;
  return el('details', {}, el('summary', {}, `${type} — ${description.split(';')[0]}…`), el('p', { class: 'muted' }, description));
}

/** The field view's panel for `nodeId` (`datasetField:ns:dataset:field`) in its column-lineage graph. */
export function fieldView(namespace: string, dataset: string, field: string, nodeId: string, graph: ColumnLineageNode[]): HTMLElement[] {
  const byId = new Map(graph.map((n) => [n.id, n]));
  const self = byId.get(nodeId);
  const roles = fieldRoles(graph, nodeId);
  const upstream = graph.filter((n) => roles.get(n.id) === 'upstream');
  const downstream = graph.filter((n) => roles.get(n.id) === 'downstream');
  const origins = upstream.filter((n) => inputsOf(n).length === 0);
  const inputs = (self ? inputsOf(self) : []).map((id) => byId.get(id)).filter((n) => n !== undefined);
  const outputs = (self ? outputsOf(self) : []).map((id) => byId.get(id)).filter((n) => n !== undefined);
  return [
    titleBlock('FIELD', field, [el('a', { href: datasetHash(namespace, dataset) }, dataset), ` · ${namespace}`]),
    keyValues([
      ['type', self?.data.fieldType ? el('span', { class: 'mono' }, self.data.fieldType) : 'unknown'],
      ['how it is made', self?.data.transformationType ? how(self.data.transformationType, self.data.transformationDescription) : ''],
      [
        'origins',
        origins.length === 0
          ? 'none: nothing upstream feeds it'
          : el(
              'ul',
              { class: 'plain', id: 'origins' },
              origins.map((n) => el('li', {}, fieldLink(n))),
            ),
      ],
    ]),
    section(
      `Made from (${inputs.length})`,
      'field-inputs',
      inputs.length === 0
        ? el('p', { class: 'muted' }, 'No recorded inputs: a source field, or its producer reported no column lineage.')
        : table(
            'made-from',
            ['input field', 'type'],
            inputs.map((n) => ({ cells: [fieldLink(n), el('span', { class: 'mono' }, n.data.fieldType ?? '')] })),
          ),
    ),
    section(
      `Feeds (${outputs.length})`,
      'field-outputs',
      outputs.length === 0
        ? el('p', { class: 'muted' }, 'Nothing downstream is made from it.')
        : table(
            'feeds',
            ['field', 'how'],
            outputs.map((n) => ({ cells: [fieldLink(n), el('span', { class: 'muted' }, n.data.transformationType ?? '')] })),
          ),
    ),
    el('p', { class: 'muted' }, `${upstream.length} fields upstream, ${downstream.length} downstream.`),
  ];
}
