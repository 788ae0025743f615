import type { CatalogStore } from './catalog-store.ts';
import type { IngestDataset } from './validate-event.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Writes the `columnLineage` facet of an output version, as Marquez: only output columns in the output's schema, and
 * input fields that are schema fields of datasets the same run read; only the deprecated transformation fields.
 */
export function writeColumnLineage(store: CatalogStore, run: string, version: string, output: IngestDataset): void {
  const facet = output.facets['columnLineage'];
  if (!isObj(facet) || !isObj(facet['fields'])) return;
  const schema =
    isObj(output.facets['schema']) && Array.isArray(output.facets['schema']['fields']) ? output.facets['schema']['fields'] : [];
  const columns = new Set(schema.filter(isObj).map((f) => f['name']));
  for (const [field, spec] of Object.entries(facet['fields'])) {
    if (!columns.has(field) || !isObj(spec) || !Array.isArray(spec['inputFields'])) continue;
    for (const input of spec['inputFields']) {
      if (
        !isObj(input) ||
        typeof input['namespace'] !== 'string' ||
        typeof input['name'] !== 'string' ||
        typeof input['field'] !== 'string'
      )
        continue;
      const read = store.get<{ uuid: string; fields: string }>(
        `SELECT d.uuid, d.fields FROM run_io io JOIN datasets d ON d.uuid = io.dataset_uuid
         WHERE io.run_uuid = ? AND io.direction = 'in' AND d.namespace = ? AND d.name = ?`,
        run,
        input['namespace'],
        input['name'],
      );
      if (!read) continue;
      const inputFields = (JSON.parse(read.fields) as unknown[]).filter(isObj).map((f) => f['name']);
      if (!inputFields.includes(input['field'])) continue;
      const transformation =
        Array.isArray(input['transformations']) && isObj(input['transformations'][0]) ? input['transformations'][0] : {};
      const description =
        typeof spec['transformationDescription'] === 'string' ? spec['transformationDescription'] : (transformation['description'] ?? null);
      const type = typeof spec['transformationType'] === 'string' ? spec['transformationType'] : (transformation['type'] ?? null);
      store.run(
        `INSERT OR IGNORE INTO column_lineage (version_uuid, field, input_dataset_uuid, input_field, description, type) VALUES (?, ?, ?, ?, ?, ?)`,
        version,
        field,
        read.uuid,
        input['field'],
        typeof description === 'string' ? description : null,
        typeof type === 'string' ? type : null,
      );
    }
  }
}
