import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore, importEventsFile, startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { hostileEvent } from '../../support/hostile-requests.ts';
import { post } from './churn-events.ts';

const stored = (store: CatalogStore) => store.get<{ n: number }>('SELECT count(*) AS n FROM lineage_events')!.n;

describe('the catalog stores each event once', () => {
  let catalog: CatalogServer;
  let dir: string;
  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'sluice-idempotent-'));
  });
  afterAll(async () => {
    await catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 201 to an event sent again (a replay after a late answer) and stores it once, whatever its key order', async () => {
    const event = hostileEvent({ job: { namespace: 'replayed', name: 'job' } });
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    for (const body of [event, event, reordered]) expect((await post(catalog.url, body)).status).toBe(201);
    expect(catalog.store.get<{ n: number }>(`SELECT count(*) AS n FROM lineage_events WHERE payload LIKE '%replayed%'`)!.n).toBe(1);
    expect((await post(catalog.url, { ...event, eventType: 'FAIL' })).status).toBe(201);
    expect(catalog.store.get<{ n: number }>(`SELECT count(*) AS n FROM lineage_events WHERE payload LIKE '%replayed%'`)!.n).toBe(2);
  });

  it('imports an events file once even when two importers read it from the same offset', async () => {
    const file = join(dir, 'events.jsonl');
    const events = Array.from({ length: 12 }, (_, i) => JSON.stringify(hostileEvent({ job: { namespace: 'import', name: `job${i}` } })));
    await writeFile(file, `${events.join('\n')}\n`);
    const db = join(dir, 'catalog.db');
    const first = new CatalogStore(db);
    const second = new CatalogStore(db);
    try {
      expect(await importEventsFile(first, file)).toMatchObject({ imported: 12, duplicates: 0 });
      // The second importer read the offset before the first stored it.
      second.run('DELETE FROM imported_files');
      expect(await importEventsFile(second, file)).toMatchObject({ imported: 0, duplicates: 12 });
      expect(stored(second)).toBe(12);
    } finally {
      first.close();
      second.close();
    }
  });
});
