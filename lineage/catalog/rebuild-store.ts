import type { DatabaseSync } from 'node:sqlite';
import type { CatalogStore } from './catalog-store.ts';
import { ingestEvent } from './ingest.ts';
import { DERIVED_TABLES } from './schema.ts';

const KEPT = 'lineage_events_before_rebuild';

/** Sets the raw events of a file with an older layout aside and drops the tables derived from them (before createSchema). */
export function setAsideOlderLayout(db: DatabaseSync): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(`ALTER TABLE lineage_events RENAME TO ${KEPT}`);
    for (const table of DERIVED_TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * Re-ingests the raw events set aside, in the order they were first stored, so the derived tables follow the current
 * rules (tags and import offsets stay: tags name jobs and datasets by uuids that are hashes of their names). Returns
 * how many events were accepted again.
 */
export function replayOlderLayout(store: CatalogStore): number {
  let accepted = 0;
  for (const row of store.all<{ payload: string }>(`SELECT payload FROM ${KEPT} ORDER BY seq`)) {
    if (ingestEvent(store, JSON.parse(row.payload) as unknown).status === 201) accepted += 1;
  }
  store.db.exec(`DROP TABLE ${KEPT}`);
  return accepted;
}
