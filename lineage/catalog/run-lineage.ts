import type { CatalogStore } from './catalog-store.ts';

type Obj = Record<string, unknown>;
type RunRow = {
  uuid: string;
  state: string;
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
): { runs: Obj[] } | undefined {
  if (!runRow(store, runId)) return undefined;
  const runs: Obj[] = [];
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
      const datasets = io.map((x) =>
        direction === 'upstream'
          ? { namespace: x.namespace, name: x.name, version: x.version_uuid, producedByRunId: x.other }
          : { namespace: x.namespace, name: x.name, version: x.version_uuid, consumedByRunId: x.other },
      );
      runs.push({
        job: { namespace: r.namespace, name: r.name, version: r.job_version },
        run: { id: r.uuid, start: r.started_at, end: r.ended_at, status: r.state },
        [direction === 'upstream' ? 'inputs' : 'outputs']: datasets,
      });
      for (const x of io) if (x.other && !seen.has(x.other)) next.push(x.other);
    }
    frontier = next;
  }
  return { runs };
}
