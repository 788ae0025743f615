import type { CatalogStore } from './catalog-store.ts';
import { hashUuid } from './ids.ts';
import type { IngestDataset } from './validate-event.ts';

/** The version label a dataset facet `version` gives (`datasetVersion`), if any. */
function versionLabel(ds: IngestDataset): string | undefined {
  const facet = ds.facets['version'];
  const label = typeof facet === 'object' && facet !== null ? (facet as { datasetVersion?: unknown }).datasetVersion : undefined;
  return typeof label === 'string' && label !== '' ? label : undefined;
}

/**
 * Records which version of an input dataset a run read, and returns it. Marquez takes the dataset's current version
 * (making one when there is none), which points every run of a dataset no run writes — uploads, model files — at its
 * first version, whatever each run actually read. Here an input whose `version` facet names a label resolves to the
 * version with that label: the one a run wrote (so the trace walks on to that run), else, for a dataset no run writes,
 * a version of its own per label, which becomes the dataset's current one as the latest read. Without a label, or
 * with a label no version has of a dataset runs do write (a table read over several batches), it is Marquez's rule.
 * A later event of the run with a label replaces what an earlier one without it chose. `created` is true when the
 * version was made for this read (its fields are the input's own); an existing version gets the input's fields mapped.
 */
export function recordInputVersion(
  store: CatalogStore,
  run: string,
  dataset: string,
  input: IngestDataset,
  time: string,
  marquezVersion: (current: string | null) => string,
): { version: string; created: boolean } {
  const { known, current } = store.get<{ known: string | null; current: string | null }>(
    `SELECT (SELECT version_uuid FROM run_io WHERE run_uuid = ? AND dataset_uuid = ?2 AND direction = 'in') AS known,
            (SELECT current_version FROM datasets WHERE uuid = ?2) AS current`,
    run,
    dataset,
  )!;
  const label = versionLabel(input);
  let version: string | undefined;
  let created = false;
  if (label !== undefined) {
    version = store.get<{ uuid: string }>(
      `SELECT uuid FROM dataset_versions WHERE dataset_uuid = ? AND version_label = ?
       ORDER BY run_uuid IS NULL, created_at DESC LIMIT 1`,
      dataset,
      label,
    )?.uuid;
    const written = store.get('SELECT 1 AS x FROM dataset_versions WHERE dataset_uuid = ? AND run_uuid IS NOT NULL LIMIT 1', dataset);
    if (version === undefined && !written) {
      version = hashUuid('dsv-read', input.namespace, input.name, label);
      created = !store.get('SELECT 1 AS x FROM dataset_versions WHERE uuid = ?', version);
      store.run(
        `INSERT INTO dataset_versions (uuid, dataset_uuid, run_uuid, version_label, fields, mapped_fields, lifecycle_state, created_at)
         VALUES (?, ?, NULL, ?, ?, ?4, NULL, ?) ON CONFLICT (uuid) DO NOTHING`,
        version,
        dataset,
        label,
        JSON.stringify(schemaFields(input) ?? []),
        time,
      );
      store.run('UPDATE datasets SET current_version = ? WHERE uuid = ?', version, dataset);
    }
  }
  if (version === undefined) {
    version = known ?? marquezVersion(current);
    created = !known && !current;
  }
  if (!current) store.run('UPDATE datasets SET current_version = ? WHERE uuid = ?', version, dataset);
  store.run(
    `INSERT INTO run_io (run_uuid, dataset_uuid, direction, version_uuid) VALUES (?, ?, 'in', ?)
     ON CONFLICT (run_uuid, dataset_uuid, direction) DO UPDATE SET version_uuid = CASE WHEN ? THEN excluded.version_uuid ELSE version_uuid END`,
    run,
    dataset,
    version,
    label !== undefined ? 1 : 0,
  );
  return { version, created };
}

function schemaFields(ds: IngestDataset): unknown[] | undefined {
  const schema = ds.facets['schema'];
  const fields = typeof schema === 'object' && schema !== null ? (schema as { fields?: unknown }).fields : undefined;
  return Array.isArray(fields) ? fields : undefined;
}
