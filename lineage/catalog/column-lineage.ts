import type { CatalogStore } from './catalog-store.ts';
import { fieldNodeId, parseNodeId } from './names.ts';
import type { GraphResult } from './lineage-graph.ts';
import type { ColumnLineageGraph, ColumnLineageNode, GraphEdge } from '../marquez/api.ts';

type Field = { dataset_uuid: string; field: string };
type ClRow = {
  dataset_uuid: string;
  field: string;
  input_dataset_uuid: string;
  input_field: string;
  description: string | null;
  type: string | null;
};

const key = (f: Field) => `${f.dataset_uuid}\u0000${f.field}`;

// Column lineage of each dataset's current version.
function rows(store: CatalogStore, where: string, ...params: string[]): ClRow[] {
  return store.all<ClRow>(
    `SELECT d.uuid AS dataset_uuid, c.field, c.input_dataset_uuid, c.input_field, c.description, c.type
     FROM datasets d JOIN column_lineage c ON c.version_uuid = d.current_version WHERE ${where} ORDER BY c.field, c.input_field`,
    ...params,
  );
}

/** `/column-lineage?nodeId&depth&withDownstream`: DATASET_FIELD nodes, upstream (and downstream on request) over current versions. */
export function columnLineageGraph(
  store: CatalogStore,
  nodeId: string,
  depth: number,
  withDownstream: boolean,
): GraphResult<ColumnLineageGraph> {
  const node = parseNodeId(nodeId);
  if (!node || (node.type !== 'DATASET' && node.type !== 'DATASET_FIELD')) {
    return {
      error: 400,
      message: `nodeId: expected dataset:<namespace>:<name> or datasetField:<namespace>:<dataset>:<field>, got ${JSON.stringify(nodeId.slice(0, 200))}`,
    };
  }
  const ds = store.get<{ uuid: string; fields: string }>(
    'SELECT uuid, fields FROM datasets WHERE namespace = ? AND name = ?',
    node.namespace,
    node.name,
  );
  if (!ds) return { error: 404, message: `dataset ${node.namespace}:${node.name} not found` };
  const names = node.type === 'DATASET_FIELD' ? [node.field] : (JSON.parse(ds.fields) as { name: string }[]).map((f) => f.name);
  const seen = new Map<string, Field>();
  let frontier: Field[] = names.map((field) => ({ dataset_uuid: ds.uuid, field }));
  for (let hop = 0; frontier.length > 0 && hop <= depth; hop += 1) {
    const next: Field[] = [];
    for (const f of frontier) {
      if (seen.has(key(f))) continue;
      seen.set(key(f), f);
      if (hop === depth) continue;
      for (const r of rows(store, 'd.uuid = ? AND c.field = ?', f.dataset_uuid, f.field))
        next.push({ dataset_uuid: r.input_dataset_uuid, field: r.input_field });
      if (withDownstream)
        for (const r of rows(store, 'c.input_dataset_uuid = ? AND c.input_field = ?', f.dataset_uuid, f.field))
          next.push({ dataset_uuid: r.dataset_uuid, field: r.field });
    }
    frontier = next;
  }
  const meta = new Map<string, { namespace: string; name: string; fields: string; current_version: string | null }>();
  const dataset = (uuid: string) => {
    if (!meta.has(uuid)) meta.set(uuid, store.get('SELECT namespace, name, fields, current_version FROM datasets WHERE uuid = ?', uuid)!);
    return meta.get(uuid)!;
  };
  const idOf = (f: Field) => fieldNodeId(dataset(f.dataset_uuid).namespace, dataset(f.dataset_uuid).name, f.field);
  const graph = [...seen.values()].map((f): ColumnLineageNode => {
    const d = dataset(f.dataset_uuid);
    const inputs = rows(store, 'd.uuid = ? AND c.field = ?', f.dataset_uuid, f.field);
    const outputs = rows(store, 'c.input_dataset_uuid = ? AND c.input_field = ?', f.dataset_uuid, f.field).filter((r) =>
      seen.has(key({ dataset_uuid: r.dataset_uuid, field: r.field })),
    );
    const type = (JSON.parse(d.fields) as { name: string; type?: string }[]).find((x) => x.name === f.field)?.type ?? null;
    const id = idOf(f);
    const inEdges: GraphEdge[] = inputs
      .filter((r) => seen.has(key({ dataset_uuid: r.input_dataset_uuid, field: r.input_field })))
      .map((r) => ({ origin: id, destination: idOf({ dataset_uuid: r.input_dataset_uuid, field: r.input_field }) }));
    const outEdges: GraphEdge[] = outputs.map((r) => ({ origin: id, destination: idOf({ dataset_uuid: r.dataset_uuid, field: r.field }) }));
    return {
      id,
      type: 'DATASET_FIELD',
      data: {
        namespace: d.namespace,
        dataset: d.name,
        datasetVersion: d.current_version,
        field: f.field,
        fieldType: type,
        transformationDescription: inputs[0]?.description ?? null,
        transformationType: inputs[0]?.type ?? null,
        inputFields: inputs.map((r) => ({
          namespace: dataset(r.input_dataset_uuid).namespace,
          dataset: dataset(r.input_dataset_uuid).name,
          datasetVersion: dataset(r.input_dataset_uuid).current_version,
          field: r.input_field,
          transformationDescription: r.description,
          transformationType: r.type,
        })),
      },
      inEdges,
      outEdges,
    };
  });
  return { graph: graph.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}
