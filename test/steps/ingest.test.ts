import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { withStoredObjects } from '../support/local-s3.ts';

const spec = definePipeline({
  name: 'ingest-only',
  datasets: {
    raw: {
      bucket: 'ingest-test',
      prefix: 'raw',
      format: 'csv',
      // These tests look at rejected rows one by one, so any share of them may be rejected.
      maxRejectedFraction: 1,
      malformedRecords: 'reject',
      schema: z.object({
        id: z.string(),
        amount: z.number(),
        qty: z.int(),
        paid: z.boolean(),
        day: z.iso.date(),
        at: z.iso.datetime().nullable(),
        tier: z.enum(['gold', 'silver']),
      }),
    },
    staged: { bucket: 'ingest-test', prefix: 'staged', format: 'parquet' },
    rejected: { bucket: 'ingest-test', prefix: 'rejected', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' }],
});

const HEADER = 'id,amount,qty,paid,day,at,tier';
const GOOD = 'a1,10.5,3,true,2026-01-02,2026-01-02T10:00:00Z,gold';

describe('ingest', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-ingest-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function ingestFile(name: string, content: string | Buffer) {
    const file = join(dir, name);
    await writeFile(file, content);
    const stateDir = join(dir, `state-${name}`);
    const report = await runLocal(spec, { stateDir, input: file, env: { OPENLINEAGE_DISABLED: 'true' } });
    const read = async (dataset: 'staged' | 'rejected') => {
      const out = report.steps[0]?.result?.outputs.find((o) => o.dataset === dataset);
      if (!out) return [];
      return withStoredObjects(join(stateDir, 's3'), ['ingest-test'], async (store) => {
        const local = join(dir, `${name}-${dataset}.parquet`);
        await store.download(out.bucket, out.key, local);
        const db = await openDuckDb();
        try {
          return await db.all(`SELECT * FROM read_parquet('${local}')`);
        } finally {
          db.close();
        }
      });
    };
    const raw = await withStoredObjects(join(stateDir, 's3'), ['ingest-test'], async (store) => {
      const local = join(dir, `${name}-raw`);
      await store.download('ingest-test', `raw/${name}`, local);
      return readFile(local);
    });
    expect(raw.equals(Buffer.isBuffer(content) ? content : Buffer.from(content))).toBe(true);
    return { report, read };
  }

  it('types a UTF-8 CSV with a BOM, CRLF line ends and quoted fields', async () => {
    const { report, read } = await ingestFile('bom.csv', `\uFEFF${HEADER}\r\n${GOOD}\r\n"b,2","1,000.5",4,no,2026-01-03,,silver\r\n`);
    expect(report.status).toBe('SUCCEEDED');
    const rows = await read('staged');
    expect(rows.map((r) => r.id)).toEqual(['a1']);
    const rejected = await read('rejected');
    expect(rejected).toEqual([
      {
        source_row: 2,
        source_line: 3,
        column: 'amount',
        reason: 'amount: expected a number, got "1,000.5"',
        raw: expect.stringContaining('"b,2"'),
      },
    ]);
  });

  it('keeps typed values and sets aside each untypable row with its row, columns and reasons', async () => {
    const lines = [
      GOOD,
      'a2,abc,3,true,2026-01-02,,gold',
      'a3,1,3.5,true,2026-01-02,,gold',
      'a4,1,3,maybe,2026-13-45,,gold',
      'a5,1,3,true,2026-01-02,yesterday,bronze',
      ',1,3,true,2026-01-02,,gold',
      'a7,-2.5e2,-4,N,2026-02-28,2026-02-28T23:59:59+02:00,silver',
    ];
    const { report, read } = await ingestFile('types.csv', `${HEADER}\n${lines.join('\n')}\n`);
    expect(report.steps[0]?.result).toMatchObject({ rowsIn: 7, rowsOut: 2, rejectedRows: 5 });
    const staged = await read('staged');
    expect(staged).toEqual([
      { id: 'a1', amount: 10.5, qty: 3, paid: true, day: expect.anything(), at: expect.anything(), tier: 'gold' },
      { id: 'a7', amount: -250, qty: -4, paid: false, day: expect.anything(), at: expect.anything(), tier: 'silver' },
    ]);
    expect(String(staged[1]?.at)).toContain('2026-02-28T21:59:59');
    const rejected = (await read('rejected')).map((r) => [r.source_row, r.column, r.reason]);
    expect(rejected).toEqual([
      [2, 'amount', 'amount: expected a number, got "abc"'],
      [3, 'qty', 'qty: expected an integer, got "3.5"'],
      [
        4,
        'paid,day',
        'paid: expected a boolean (true/false, 1/0, yes/no), got "maybe"; day: expected an ISO 8601 date (YYYY-MM-DD), got "2026-13-45"',
      ],
      [5, 'at,tier', 'at: expected an ISO 8601 timestamp, got "yesterday"; tier: expected one of gold, silver, got "bronze"'],
      [6, 'id', 'id: required, got an empty value'],
    ]);
    // The report counts each column's problem once per record, without the values, most frequent first.
    expect(report.steps[0]?.result?.rejections).toEqual([
      { column: 'amount', reason: 'expected a number', rows: 1, firstRow: 2, example: '"abc"' },
      { column: 'qty', reason: 'expected an integer', rows: 1, firstRow: 3, example: '"3.5"' },
      { column: 'day', reason: 'expected an ISO 8601 date (YYYY-MM-DD)', rows: 1, firstRow: 4, example: '"2026-13-45"' },
      { column: 'paid', reason: 'expected a boolean (true/false, 1/0, yes/no)', rows: 1, firstRow: 4, example: '"maybe"' },
      { column: 'at', reason: 'expected an ISO 8601 timestamp', rows: 1, firstRow: 5, example: '"yesterday"' },
    ]);
  });

  it('counts rejection reasons by column across records, keeping the first record and value of each', async () => {
    const bad = (id: string, amount: string, qty: string) => `${id},${amount},${qty},true,2026-01-02,,gold`;
    const lines = [GOOD, bad('b1', 'x', '1'), bad('b2', 'y', '1'), bad('b3', '1', 'z'), bad('b4', 'w', '2.5'), 'b5,1,2', GOOD];
    const { report, read } = await ingestFile('reasons.csv', `${HEADER}\n${lines.join('\n')}\n`);
    expect(report.steps[0]?.result?.rejections).toEqual([
      { column: 'amount', reason: 'expected a number', rows: 3, firstRow: 2, example: '"x"' },
      { column: 'qty', reason: 'expected an integer', rows: 2, firstRow: 4, example: '"z"' },
      { column: null, reason: 'TOO FEW COLUMNS: expected 7 fields, found 3', rows: 1, firstRow: 6 },
    ]);
    // Record numbers are integers in the rejected rows' Parquet, whichever reader counted them.
    const out = report.steps[0]!.result!.outputs.find((o) => o.dataset === 'rejected')!;
    const types = await withStoredObjects(join(report.stateDir, 's3'), ['ingest-test'], async (store) => {
      const local = join(dir, 'reasons-rejected.parquet');
      await store.download(out.bucket, out.key, local);
      const db = await openDuckDb();
      try {
        return await db.all(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${local}'))`);
      } finally {
        db.close();
      }
    });
    expect(types).toContainEqual({ column_name: 'source_row', column_type: 'BIGINT' });
    expect((await read('rejected')).map((r) => r.source_row)).toEqual([2, 3, 4, 5, 6]);
  });

  it('sets aside ragged rows and unterminated quotes with the parser reason and record number', async () => {
    const content = `${HEADER}\n${GOOD}\na2,1,2,3,4,5,6,7,8\n${GOOD.replace('a1', 'a3')}\na4,"open,1,true,2026-01-02,,gold\n`;
    const { report, read } = await ingestFile('ragged.csv', content);
    expect(report.status).toBe('SUCCEEDED');
    expect((await read('staged')).map((r) => r.id)).toEqual(['a1', 'a3']);
    const rejected = await read('rejected');
    expect(rejected.map((r) => [r.source_row, r.reason?.toString().split(':')[0]])).toEqual([
      [2, 'TOO MANY COLUMNS'],
      [4, 'UNTERMINATED QUOTE'],
    ]);
  });

  it('numbers rejected records by their place in the file when the file is read on several threads', async () => {
    // About 30 MB: DuckDB splits the scan into buffers of 16 MB (the longest line allowed), read by four threads at once.
    const bad = new Map([
      [3, 'b,abc,3,true,2026-01-02,,gold'],
      [250_001, 'b,1,3.5,true,2026-01-02,,gold'],
      [400_000, 'b,1,2,3,4,5,6,7,8'],
      [450_000, 'b,1,3,maybe,2026-01-02,,gold'],
      [500_000, 'b,1,2,3,4,5,6,7,8,9'],
      [599_999, 'b,1,3,true,2026-01-02,,bronze'],
    ]);
    const padding = 'x'.repeat(14);
    const lines = Array.from({ length: 600_000 }, (_, i) => bad.get(i + 1) ?? `r${i + 1}${padding},1.5,2,true,2026-01-02,,gold`);
    const saved = process.env.SLUICE_DUCKDB_THREADS;
    process.env.SLUICE_DUCKDB_THREADS = '4';
    try {
      const { report, read } = await ingestFile('ordered.csv', `${HEADER}\n${lines.join('\n')}\n`);
      expect(report.steps[0]?.result).toMatchObject({ rowsIn: 600_000, rowsOut: 600_000 - bad.size, rejectedRows: bad.size });
      expect((await read('rejected')).map((r) => r.source_row)).toEqual([...bad.keys()]);
    } finally {
      if (saved === undefined) delete process.env.SLUICE_DUCKDB_THREADS;
      else process.env.SLUICE_DUCKDB_THREADS = saved;
    }
  });

  it('reads gzip-compressed CSV', async () => {
    const { report, read } = await ingestFile('gz.csv.gz', gzipSync(`${HEADER}\n${GOOD}\n`));
    expect(report.status).toBe('SUCCEEDED');
    expect(await read('staged')).toHaveLength(1);
  });

  it.each<[string, string | Buffer, string, RegExp]>([
    ['empty.csv', '', 'Sluice.INGEST_EMPTY', /the file is empty; expected a CSV header line/],
    ['header-only.csv', `${HEADER}\n`, 'Sluice.INGEST_EMPTY', /header-only.csv: the file has no records; nothing was published/],
    ['missing.csv', 'id,amount\na,1\n', 'Sluice.INGEST_COLUMNS_MISSING', /missing columns qty, paid, day, at, tier \(found: id, amount\)/],
    ['binary.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x0a]), 'Sluice.INGEST_NOT_CSV', /contains NUL bytes/],
    ['latin1.csv', Buffer.from('id,montant\xe9\n', 'latin1'), 'Sluice.INGEST_ENCODING', /not valid UTF-8/],
    ['dup.csv', 'id,id\n1,2\n', 'Sluice.INGEST_HEADER', /column "id" appears twice/],
    ['broken.csv.gz', Buffer.from('not gzip at all'), 'Sluice.INGEST_UNREADABLE', /cannot be decompressed as gzip/],
  ])('fails %s with a clear message and writes nothing', async (name, content, code, message) => {
    const { report } = await ingestFile(name, content);
    expect(report.status).toBe('FAILED');
    expect(report.error?.name).toBe(code);
    expect(report.error?.message).toMatch(message);
    expect(report.error?.message).toContain(`s3://ingest-test/raw/${name}`);
    expect(report.steps[0]?.result).toBeUndefined();
    const written = await withStoredObjects(join(report.stateDir, 's3'), ['ingest-test'], async (store) => [
      ...(await store.list('ingest-test', 'staged')),
      ...(await store.list('ingest-test', 'rejected')),
    ]);
    expect(written).toEqual([]);
  });
});
