import type { CatalogStore } from './catalog-store.ts';
import type { RunLineage, RunState } from '../marquez/api.ts';

type RunRow = {
  uuid: string;
  state: RunState;
  started_at: string | null;
  ended_at: string | null;
  namespace: string;
  name: string;
  job_version: string | null;
};
type IoRow = { version_uuid: string; namespace: string; name: string; other: string | null };

function runRow(store: CatalogStore, uuid: string): RunRow | undefined {
  return store.get<RunRow>(
    'SELECT r.uuid, r.state, r.started_at, r.ended_at, r.job_version, j.namespace, j.name FROM runs r JOIN jobs j ON j.uuid = r.job_uuid WHERE r.uuid = ?',
    uuid,
  );
}

/**
 * Point-in-time lineage of a run: `upstream` is Marquez's `/runlineage/upstream` (the dataset versions each run read and
 * the runs that produced them); `downstream` (extension) is the versions each run wrote and the runs that read them.
 */
export function runLineage(
  store: CatalogStore,
  runId: string,
  depth: number,
  direction: 'upstream' | 'downstream',
): RunLineage | undefined {
  if (!runRow(store, runId)) return undefined;
  const runs: RunLineage['runs'] = [];
  const seen = new Set<string>();
  let frontier = [runId];
  for (let hop = 0; frontier.length > 0 && hop <= depth; hop += 1) {
    const next: string[] = [];
    for (const uuid of frontier) {
      if (seen.has(uuid)) continue;
      seen.add(uuid);
      const r = runRow(store, uuid)!;
      const io =
        direction === 'upstream'
          ? store.all<IoRow>(
              `SELECT io.version_uuid, d.namespace, d.name, v.run_uuid AS other FROM run_io io JOIN datasets d ON d.uuid = io.dataset_uuid
               LEFT JOIN dataset_versions v ON v.uuid = io.version_uuid WHERE io.run_uuid = ? AND io.direction = 'in' ORDER BY d.namespace, d.name`,
              uuid,
            )
          : store.all<IoRow>(
              `SELECT io.version_uuid, d.namespace, d.name, c.run_uuid AS other FROM run_io io JOIN datasets d ON d.uuid = io.dataset_uuid
               LEFT JOIN run_io c ON c.version_uuid = io.version_uuid AND c.direction = 'in' WHERE io.run_uuid = ? AND io.direction = 'out' ORDER BY d.namespace, d.name`,
              uuid,
            );
      const job = { namespace: r.namespace, name: r.name, version: r.job_version };
      const run = { id: r.uuid, start: r.started_at, end: r.ended_at, status: r.state };
      if (direction === 'upstream') {
        runs.push({
          job,
          run,
          inputs: io.map((x) => ({ namespace: x.namespace, name: x.name, version: x.version_uuid, producedByRunId: x.other })),
        });
      } else {
        runs.push({
          job,
          run,
          outputs: io.map((x) => ({ namespace: x.namespace, name: x.name, version: x.version_uuid, consumedByRunId: x.other })),
        });
      }
      for (const x of io) if (x.other && !seen.has(x.other)) next.push(x.other);
    }
    frontier = next;
  }
  return { runs };
}
