import type { CatalogStore } from './catalog-store.ts';
import { fieldNodeId, parseNodeId } from './names.ts';
import type { GraphResult } from './lineage-graph.ts';
import type { ColumnLineageGraph, ColumnLineageNode, ColumnLineageNodeInput, GraphEdge } from '../marquez/api.ts';

/** One column-lineage edge: an output column, one of its input columns, and the versions involved. */
type Row = {
  out_uuid: string;
  out_ns: string;
  out_name: string;
  field: string;
  out_version: string;
  in_uuid: string;
  in_ns: string;
  in_name: string;
  input_field: string;
  in_version: string | null;
  description: string | null;
  type: string | null;
  hidden: number;
};

// As Marquez: the latest record of each (output column, input column) pair over every version; the input version is the
// one the writing run read. The walk goes through deleted datasets; the answer leaves their records out.
const LATEST = `
WITH ranked AS (
  SELECT c.field, c.input_dataset_uuid, c.input_field, c.description, c.type, c.version_uuid, v.dataset_uuid AS out_uuid, v.run_uuid,
         row_number() OVER (PARTITION BY v.dataset_uuid, c.field, c.input_dataset_uuid, c.input_field ORDER BY v.created_at DESC, v.rowid DESC) AS n
  FROM column_lineage c JOIN dataset_versions v ON v.uuid = c.version_uuid
)
SELECT r.out_uuid, o.namespace AS out_ns, o.name AS out_name, r.field, r.version_uuid AS out_version,
       r.input_dataset_uuid AS in_uuid, i.namespace AS in_ns, i.name AS in_name, r.input_field,
       (SELECT io.version_uuid FROM run_io io WHERE io.run_uuid = r.run_uuid AND io.dataset_uuid = r.input_dataset_uuid AND io.direction = 'in') AS in_version,
       r.description, r.type, o.hidden + i.hidden AS hidden
FROM ranked r JOIN datasets o ON o.uuid = r.out_uuid JOIN datasets i ON i.uuid = r.input_dataset_uuid
WHERE r.n = 1`;

const fieldKey = (dataset: string, field: string) => `${dataset}\u0000${field}`;
const rowKey = (r: Row) => `${fieldKey(r.out_uuid, r.field)}\u0001${fieldKey(r.in_uuid, r.input_field)}`;

/** The fields a node stands for (dataset uuid and field name), or undefined when it names nothing with fields. */
function nodeFields(store: CatalogStore, nodeId: string): Array<[string, string]> | undefined {
  const node = parseNodeId(nodeId);
  if (!node || node.type === 'RUN') return undefined;
  if (node.type === 'JOB') {
    // Marquez: the fields of the datasets the job's latest run wrote.
    return store
      .all<{ uuid: string; fields: string }>(
        `SELECT d.uuid, v.mapped_fields AS fields FROM jobs j JOIN runs r ON r.job_uuid = j.uuid JOIN dataset_versions v ON v.run_uuid = r.uuid
         JOIN datasets d ON d.uuid = v.dataset_uuid AND d.hidden = 0
         WHERE j.namespace = ? AND j.name = ? AND r.uuid = (SELECT uuid FROM runs WHERE job_uuid = j.uuid ORDER BY created_at DESC, rowid DESC LIMIT 1)`,
        node.namespace,
        node.name,
      )
      .flatMap((d) => (JSON.parse(d.fields) as { name: string }[]).map((f) => [d.uuid, f.name] as [string, string]));
  }
  // A dataset stands for every field any of its versions had.
  const fields = store.all<{ uuid: string; field: string }>(
    `SELECT DISTINCT d.uuid, json_extract(f.value, '$.name') AS field
     FROM datasets d JOIN dataset_versions v ON v.dataset_uuid = d.uuid, json_each(v.mapped_fields) f
     WHERE d.namespace = ? AND d.name = ? AND d.hidden = 0`,
    node.namespace,
    node.name,
  );
  const wanted = node.type === 'DATASET_FIELD' ? fields.filter((f) => f.field === node.field) : fields;
  return wanted.map((f) => [f.uuid, f.field]);
}

/**
 * `/column-lineage?nodeId&depth&withDownstream`, as Marquez walks it: from the lineage records of the node's own
 * columns, each step takes the records of a record's input column (and, with `withDownstream`, those that read its
 * output column), `depth` records deep. Extension: a node without column lineage of its own still walks downstream
 * from the records that read it (Marquez answers an empty graph).
 */
export function columnLineageGraph(
  store: CatalogStore,
  nodeId: string,
  depth: number,
  withDownstream: boolean,
): GraphResult<ColumnLineageGraph> {
  const node = parseNodeId(nodeId);
  if (!node || node.type === 'RUN')
    return {
      error: 400,
      message: `nodeId: expected dataset:<namespace>:<name>, datasetField:<namespace>:<dataset>:<field> or job:<namespace>:<name>, got ${JSON.stringify(nodeId.slice(0, 200))}`,
    };
  const fields = nodeFields(store, nodeId);
  if (!fields || fields.length === 0)
    return { error: 404, message: `no columns for ${nodeId.slice(0, 200)}: unknown, deleted or without a schema` };
  const all = store.all<Row>(LATEST);
  const byOutput = new Map<string, Row[]>();
  const byInput = new Map<string, Row[]>();
  for (const r of all) {
    const o = fieldKey(r.out_uuid, r.field);
    const i = fieldKey(r.in_uuid, r.input_field);
    byOutput.set(o, [...(byOutput.get(o) ?? []), r]);
    byInput.set(i, [...(byInput.get(i) ?? []), r]);
  }
  const own = fields.flatMap(([d, f]) => byOutput.get(fieldKey(d, f)) ?? []);
  let frontier = own.length > 0 || !withDownstream ? own : fields.flatMap(([d, f]) => byInput.get(fieldKey(d, f)) ?? []);
  const seen = new Map<string, Row>();
  for (let level = 0; frontier.length > 0 && level < Math.max(depth, 1); level += 1) {
    const next: Row[] = [];
    for (const r of frontier) {
      if (seen.has(rowKey(r))) continue;
      seen.set(rowKey(r), r);
      next.push(...(byOutput.get(fieldKey(r.in_uuid, r.input_field)) ?? []));
      if (withDownstream) next.push(...(byInput.get(fieldKey(r.out_uuid, r.field)) ?? []));
    }
    frontier = next;
  }
  return {
    graph: toGraph(
      store,
      [...seen.values()].filter((r) => r.hidden === 0),
    ),
  };
}

// A column's type is the one its dataset last recorded for it, in any version (Marquez keeps one row per column).
function columnTypes(store: CatalogStore, datasets: string[]): Map<string, string | null> {
  const typeOf = new Map<string, string | null>();
  for (const v of store.all<{ dataset_uuid: string; fields: string }>(
    'SELECT dataset_uuid, mapped_fields AS fields FROM dataset_versions WHERE dataset_uuid IN (SELECT value FROM json_each(?)) ORDER BY created_at, rowid',
    JSON.stringify([...new Set(datasets)]),
  ))
    for (const f of JSON.parse(v.fields) as { name: string; type?: string | null }[])
      typeOf.set(fieldKey(v.dataset_uuid, f.name), f.type ?? null);
  return typeOf;
}

function toGraph(store: CatalogStore, rows: Row[]): ColumnLineageNode[] {
  const typeOf = columnTypes(
    store,
    rows.flatMap((r) => [r.out_uuid, r.in_uuid]),
  );
  const nodes = new Map<string, ColumnLineageNode>();
  const input = (r: Row): ColumnLineageNodeInput => ({
    namespace: r.in_ns,
    dataset: r.in_name,
    datasetVersion: r.in_version,
    field: r.input_field,
    transformationDescription: r.description,
    transformationType: r.type,
  });
  for (const r of rows) {
    const id = fieldNodeId(r.out_ns, r.out_name, r.field);
    const n = nodes.get(id) ?? {
      id,
      type: 'DATASET_FIELD' as const,
      data: {
        namespace: r.out_ns,
        dataset: r.out_name,
        datasetVersion: r.out_version,
        field: r.field,
        fieldType: typeOf.get(fieldKey(r.out_uuid, r.field)) ?? null,
        transformationDescription: null,
        transformationType: null,
        inputFields: [],
      },
      inEdges: [],
      outEdges: [],
    };
    n.data.inputFields.push(input(r));
    nodes.set(id, n);
  }
  // A column that is only an input is a node too, with its type when known (Marquez always leaves it empty: an extension).
  for (const r of rows) {
    const id = fieldNodeId(r.in_ns, r.in_name, r.input_field);
    if (nodes.has(id)) continue;
    nodes.set(id, {
      id,
      type: 'DATASET_FIELD',
      data: {
        namespace: r.in_ns,
        dataset: r.in_name,
        datasetVersion: r.in_version,
        field: r.input_field,
        fieldType: typeOf.get(fieldKey(r.in_uuid, r.input_field)) ?? '',
        transformationDescription: null,
        transformationType: null,
        inputFields: [],
      },
      inEdges: [],
      outEdges: [],
    });
  }
  for (const r of rows) {
    const out = fieldNodeId(r.out_ns, r.out_name, r.field);
    const inp = fieldNodeId(r.in_ns, r.in_name, r.input_field);
    nodes.get(out)!.inEdges.push({ origin: out, destination: inp });
    nodes.get(inp)!.outEdges.push({ origin: inp, destination: out });
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const edgeKey = (e: GraphEdge) => `${e.origin}\u0000${e.destination}`;
  return [...nodes.values()]
    .map((n) => {
      // Marquez's node-level transformation is its first input's.
      const first = n.data.inputFields[0];
      const data = {
        ...n.data,
        transformationDescription: first?.transformationDescription ?? null,
        transformationType: first?.transformationType ?? null,
      };
      const sortEdges = (edges: GraphEdge[]) => edges.sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : 1));
      return { ...n, data, inEdges: sortEdges(n.inEdges), outEdges: sortEdges(n.outEdges) };
    })
    .sort(byId);
}
