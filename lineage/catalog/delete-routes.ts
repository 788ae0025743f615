// Marquez's delete buttons: `DELETE /namespaces/{ns}/datasets/{ds}` and `…/jobs/{job}` hide the dataset or job (a soft
// delete, as Marquez's `is_hidden`): gone from lists, search, lineage and its own reads; its runs, events and the counts
// of the dashboard keep it; the next event that names it brings it back with its history.
import type { CatalogStore } from './catalog-store.ts';
import { datasetView } from './dataset-views.ts';
import { HttpError } from './http-body.ts';
import { jobView } from './read-models.ts';
import { dataset, job } from './read-routes.ts';
import type { DeletedDataset, DeletedJob } from '../marquez/api.ts';

/** A delete handler: path segments; returns what Marquez answers, the object as it was just before. */
export type DeleteHandler = (store: CatalogStore, params: string[]) => DeletedDataset | DeletedJob;

function namespace(store: CatalogStore, ns: string): void {
  if (!store.get('SELECT 1 AS x FROM namespaces WHERE name = ?', ns))
    throw new HttpError(404, `namespace ${JSON.stringify(ns.slice(0, 200))} not found`);
}

/** DELETE routes: pattern → handler; each runs in one transaction. */
export const DELETE_ROUTES: [string, DeleteHandler][] = [
  [
    'namespaces/*/datasets/*',
    (s, [ns, name]) => {
      namespace(s, ns!);
      const d = dataset(s, ns!, name!);
      const before = datasetView(s, d);
      s.run('UPDATE datasets SET hidden = 1 WHERE uuid = ?', d.uuid);
      // Marquez leaves the column lineage out of the answer.
      return { ...before, columnLineage: null };
    },
  ],
  [
    'namespaces/*/jobs/*',
    (s, [ns, name]) => {
      namespace(s, ns!);
      const j = job(s, ns!, name!);
      const before = jobView(s, j);
      s.run('UPDATE jobs SET hidden = 1 WHERE uuid = ?', j.uuid);
      // Marquez answers the job without its outputs and runs.
      return { ...before, outputs: [], latestRun: null, latestRuns: null };
    },
  ],
];
