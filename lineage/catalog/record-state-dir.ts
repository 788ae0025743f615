import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CatalogStore } from './catalog-store.ts';
import { importEventsFile } from './import-events.ts';

/**
 * Records a local state directory's lineage (`lineage/events.jsonl`) in its catalog database
 * (`lineage/catalog.db`), so a run's lineage can be explored or traced right after it. Each event once.
 */
export async function recordStateDirLineage(stateDir: string): Promise<{ db: string; imported: number; rejected: number }> {
  const db = join(stateDir, 'lineage', 'catalog.db');
  await mkdir(join(stateDir, 'lineage'), { recursive: true });
  const store = new CatalogStore(db);
  try {
    const report = await importEventsFile(store, join(stateDir, 'lineage', 'events.jsonl'));
    return { db, imported: report.imported, rejected: report.rejected };
  } finally {
    store.close();
  }
}
