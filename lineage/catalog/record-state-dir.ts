import { mkdir } from 'node:fs/promises';
import { stateDirLayout } from '../../core/state-dir.ts';
import { CatalogStore } from './catalog-store.ts';
import { importEventsFile } from './import-events.ts';

/**
 * Records a local state directory's lineage (`lineage/events.jsonl`) in its catalog database
 * (`lineage/catalog.db`), so a run's lineage can be explored or traced right after it. Each event once.
 */
export async function recordStateDirLineage(stateDir: string): Promise<{ db: string; imported: number; rejected: number }> {
  const layout = stateDirLayout(stateDir);
  await mkdir(layout.lineage, { recursive: true });
  const store = new CatalogStore(layout.catalog);
  try {
    const report = await importEventsFile(store, layout.events);
    return { db: layout.catalog, imported: report.imported, rejected: report.rejected };
  } finally {
    store.close();
  }
}
