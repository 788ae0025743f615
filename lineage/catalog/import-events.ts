import { open, stat } from 'node:fs/promises';
import type { CatalogStore } from './catalog-store.ts';
import { checkJsonDepth, HttpError } from './http-body.ts';
import { ingestEvent } from './ingest.ts';

/** What one import pass did: events stored, events stored before, lines rejected (with the first reasons), bytes consumed. */
export type ImportReport = { imported: number; duplicates: number; rejected: number; reasons: string[]; offset: number };

/**
 * Imports new lines of an OpenLineage JSON-lines file (the local runner's `events.jsonl`) into the catalog,
 * from where the last pass stopped, so running it again never stores an event twice. A partial last line waits.
 */
export async function importEventsFile(store: CatalogStore, path: string): Promise<ImportReport> {
  store.db.exec('CREATE TABLE IF NOT EXISTS imported_files (path TEXT PRIMARY KEY, offset INTEGER NOT NULL)');
  const info = await stat(path).catch(() => undefined);
  const report: ImportReport = { imported: 0, duplicates: 0, rejected: 0, reasons: [], offset: 0 };
  if (!info) return report;
  let offset = store.get<{ offset: number }>('SELECT offset FROM imported_files WHERE path = ?', path)?.offset ?? 0;
  // A file that shrank was replaced: read it from the start.
  if (offset > info.size) offset = 0;
  report.offset = offset;
  if (offset === info.size) return report;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(info.size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    const end = buffer.lastIndexOf(0x0a);
    if (end < 0) return report;
    for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      let body: unknown;
      try {
        checkJsonDepth(Buffer.from(line));
        body = JSON.parse(line);
      } catch (error) {
        report.rejected += 1;
        if (report.reasons.length < 5)
          report.reasons.push(error instanceof HttpError ? error.message : `unparsable JSON: ${(error as Error).message}`);
        continue;
      }
      const result = ingestEvent(store, body);
      if (result.status === 201 && result.duplicate) report.duplicates += 1;
      else if (result.status === 201) report.imported += 1;
      else {
        report.rejected += 1;
        if (report.reasons.length < 5)
          report.reasons.push(`${result.message}${result.errors.length > 0 ? `: ${result.errors.join('; ')}` : ''}`);
      }
    }
    report.offset = offset + end + 1;
    store.run(
      'INSERT INTO imported_files (path, offset) VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET offset = excluded.offset',
      path,
      report.offset,
    );
    return report;
  } finally {
    await handle.close();
  }
}
