import { describe, expect, it } from 'vitest';
import { duckDbSettings } from '../../lib/runtime/duckdb-settings.ts';
import { stepDuckDb } from '../../lib/runtime/warm-duckdb.ts';

const attached = async (db: Awaited<ReturnType<typeof stepDuckDb>>) =>
  (await db.all(`SELECT database_name AS name FROM duckdb_databases() WHERE database_name LIKE 'step_%' ORDER BY 1`)).map((r) => r.name);

describe("a step's DuckDB on the warm instance", () => {
  it('gives each step a database of its own, invisible to the others and gone when it closes', async () => {
    const first = await stepDuckDb(duckDbSettings({}));
    const second = await stepDuckDb(duckDbSettings({}));
    await first.run('CREATE TABLE batch AS SELECT 1 AS a');
    await second.run('CREATE TABLE batch AS SELECT 2 AS a');
    expect(await first.all('SELECT a FROM batch')).toEqual([{ a: 1 }]);
    expect(await second.all('SELECT a FROM batch')).toEqual([{ a: 2 }]);
    const before = await attached(second);
    expect(before).toHaveLength(2);
    await first.close();
    expect(await attached(second)).toEqual(before.slice(1));
    await second.close();
  });

  it('keeps session settings to the step that made them', async () => {
    const first = await stepDuckDb(duckDbSettings({}));
    await first.run(`SET TimeZone = 'Asia/Tokyo'`);
    const second = await stepDuckDb(duckDbSettings({}));
    expect(await second.all(`SELECT current_setting('TimeZone') = 'Asia/Tokyo' AS same`)).toEqual([{ same: false }]);
    await Promise.all([first.close(), second.close()]);
  });

  it('opens a new instance when the settings change (one thread, a memory limit)', async () => {
    const db = await stepDuckDb(duckDbSettings({ SLUICE_DUCKDB_THREADS: '1', SLUICE_DUCKDB_MEMORY_MB: '256' }));
    expect(db.threads).toBe(1);
    expect(await db.all(`SELECT current_setting('memory_limit') AS limit`)).toEqual([{ limit: '244.1 MiB' }]);
    await db.close();
  });
});
