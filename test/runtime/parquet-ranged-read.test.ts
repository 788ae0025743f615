import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, type DuckDb } from '../../lib/runtime/duckdb.ts';
import { readRowRange } from '../../lib/runtime/parquet/ranged-read.ts';
import { withStoredObjects } from '../support/local-s3.ts';

// How a scoring shard reads its rows in AWS: the file's footer and its row groups' bytes by ranged GETs through S3.
describe('reading whole row groups of a Parquet object by ranged reads', () => {
  let dir: string;
  let db: DuckDb;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-ranged-read-'));
    db = await openDuckDb();
    file = join(dir, 'features.parquet');
    await db.run(`COPY (SELECT i AS id, i * 0.5 AS x, 'label ' || (i % 11) AS label FROM range(20480) t(i))
      TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
  });
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = async (path: string, where = 'true') =>
    (await db.all(`SELECT id, x, label FROM read_parquet('${path}', file_row_number = true) WHERE ${where} ORDER BY file_row_number`)).map(
      (r) => `${r.id}|${r.x}|${r.label}`,
    );

  it("makes a Parquet file of exactly those rows from the object's bytes, and refuses rows that are not whole groups", async () => {
    const size = (await stat(file)).size;
    await withStoredObjects(join(dir, 's3'), ['b'], async (store) => {
      const put = await store.upload('b', 'features/data.parquet', file);
      const object = { bucket: 'b', key: put.key, etag: put.etag };
      let n = 0;
      const scratch = (name: string) => join(dir, `read-${n}-${name}`);
      const part = await readRowRange(store, object, size, { from: 6144, to: 12288 }, scratch);
      expect(await rows(part)).toEqual(await rows(file, 'file_row_number >= 6144 AND file_row_number < 12288'));
      // Three of ten row groups: the file holds about their bytes, not the object's.
      expect((await stat(part)).size).toBeLessThan(size / 2);

      n += 1;
      await expect(readRowRange(store, object, size, { from: 100, to: 2048 }, scratch)).rejects.toThrow(
        /rows 100–2048 are not whole row groups of this file/,
      );
      n += 1;
      const stale = { ...object, etag: '0123456789abcdef0123456789abcdef' };
      await expect(readRowRange(store, stale, size, { from: 0, to: 2048 }, scratch)).rejects.toThrow(/no longer the version/);
    });
  });
});
