import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { column, definePipeline, type PipelineDefinition } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { withStoredObjects } from '../support/local-s3.ts';

function pipeline(raw: Partial<PipelineDefinition['datasets'][string]>) {
  return definePipeline({
    name: 'formats',
    datasets: {
      // These tests look at rejected rows one by one, so any share of them may be rejected.
      raw: { bucket: 'formats-test', prefix: 'raw', format: 'csv', maxRejectedFraction: 1, malformedRecords: 'reject', ...raw },
      staged: { bucket: 'formats-test', prefix: 'staged', format: 'parquet' },
      rejected: { bucket: 'formats-test', prefix: 'rejected', format: 'parquet' },
    },
    triggers: [{ kind: 'upload', dataset: 'raw' }],
    steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' }],
  });
}

describe('ingest formats', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-formats-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function ingest(raw: Partial<PipelineDefinition['datasets'][string]>, name: string, content: string | Buffer) {
    const file = join(dir, name);
    await writeFile(file, content);
    const stateDir = join(dir, `state-${n++}`);
    const report = await runLocal(pipeline(raw), { stateDir, input: file, env: { OPENLINEAGE_DISABLED: 'true' } });
    const read = async (dataset: 'staged' | 'rejected') => {
      const out = report.steps[0]?.result?.outputs.find((o) => o.dataset === dataset);
      if (!out) return [];
      return withStoredObjects(join(stateDir, 's3'), ['formats-test'], async (store) => {
        const local = join(dir, `${n}-${dataset}.parquet`);
        await store.download(out.bucket, out.key, local);
        const db = await openDuckDb();
        try {
          await db.run(`SET TimeZone = 'UTC'`);
          return await db.all(`SELECT * FROM read_parquet('${local}')`);
        } finally {
          db.close();
        }
      });
    };
    return { report, read };
  }

  it('reads JSON Lines line by line, rejecting malformed lines and keeping nested values as JSON', async () => {
    const schema = z.object({ id: z.string(), x: z.number(), tags: z.string().nullable() });
    const content = '{"id":"a","x":1,"tags":["p","q"]}\n{bad json\n\n{"id":"c","x":"2.5"}\n[1,2]\n{"id":"d","x":"many"}\n';
    const { report, read } = await ingest({ format: 'jsonl', schema }, 'rows.jsonl', content);
    expect(report.steps[0]?.result).toMatchObject({ rowsOut: 2, rejectedRows: 3 });
    expect(await read('staged')).toEqual([
      { id: 'a', x: 1, tags: '["p","q"]' },
      { id: 'c', x: 2.5, tags: null },
    ]);
    expect((await read('rejected')).map((r) => [r.source_row, r.reason])).toEqual([
      [2, 'not valid JSON'],
      [5, 'expected a JSON object, got array'],
      [6, 'x: expected a number, got "many"'],
    ]);
  });

  it('reads a semicolon-separated CSV without a header, naming fields from the schema', async () => {
    const schema = z.object({ id: z.string(), amount: z.number() });
    const { report, read } = await ingest({ schema, csv: { delimiter: ';', header: false } }, 'noheader.csv', 'a;1,5\nb;2\n"c;d";3\n');
    expect(report.status).toBe('SUCCEEDED');
    expect(await read('staged')).toEqual([
      { id: 'b', amount: 2 },
      { id: 'c;d', amount: 3 },
    ]);
    expect((await read('rejected')).map((r) => [r.source_row, r.reason])).toEqual([[1, 'amount: expected a number, got "1,5"']]);
  });

  it('types dates and timestamps written in a stated format', async () => {
    const schema = z.object({ day: column.date('%d/%m/%Y'), at: column.timestamp('%d.%m.%Y %H:%M') });
    const { read } = await ingest({ schema }, 'dates.csv', 'day,at\n31/12/2026,01.02.2026 13:45\n2026-12-31,13:45\n');
    const [row] = await read('staged');
    expect(String(row?.day)).toContain('2026-12-31');
    expect(String(row?.at)).toContain('2026-02-01T13:45');
    expect((await read('rejected')).map((r) => r.reason)).toEqual([
      'day: expected a date like %d/%m/%Y, got "2026-12-31"; at: expected a timestamp like %d.%m.%Y %H:%M, got "13:45"',
    ]);
  });

  it('rejects rows that are not UTF-8 and lines longer than 16 MiB, keeping the rest', async () => {
    const schema = z.object({ id: z.string(), name: z.string() });
    const content = Buffer.concat([
      Buffer.from('id,name\n1,ok\n2,caf'),
      Buffer.from([0xe9]),
      Buffer.from(`\n3,${'x'.repeat(17 * 1024 * 1024)}\n4,fine\n`),
    ]);
    const { report, read } = await ingest({ schema }, 'mixed.csv', content);
    expect(report.status).toBe('SUCCEEDED');
    expect((await read('staged')).map((r) => r.id)).toEqual(['1', '4']);
    expect((await read('rejected')).map((r) => [r.source_row, String(r.reason).split(':')[0]])).toEqual([
      [2, 'INVALID ENCODING'],
      [3, 'RECORD TOO LONG'],
    ]);
  });

  for (const [name, extra] of [
    ['', ''],
    [' with a column named file_row_number', ', 7 AS file_row_number'],
  ] as const) {
    it(`numbers Parquet rows by their place in the file${name}, across row groups`, async () => {
      const file = join(dir, `numbered-${extra.length}.parquet`);
      const db = await openDuckDb();
      try {
        await db.run(`COPY (SELECT CASE WHEN i % 1000 = 999 THEN 'x' || i ELSE i::VARCHAR END AS id${extra} FROM range(10000) t(i))
          TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
      } finally {
        db.close();
      }
      const { report, read } = await ingest(
        { format: 'parquet', schema: z.object({ id: z.int() }) },
        'numbered.parquet',
        await readFile(file),
      );
      expect(report.steps[0]?.result).toMatchObject({ rowsOut: 9990, rejectedRows: 10 });
      // Row n holds id n - 1; the rejected ones are the rows of ids 999, 1999, …
      expect((await read('rejected')).map((r) => [r.source_row, JSON.parse(String(r.raw)).id])).toEqual(
        Array.from({ length: 10 }, (_, k) => [1000 * (k + 1), `x${1000 * (k + 1) - 1}`]),
      );
    });
  }

  it('fails a truncated Parquet file with a clear message', async () => {
    const { report } = await ingest({ format: 'parquet' }, 'broken.parquet', Buffer.from('PAR1 not really parquet'));
    expect(report.error?.name).toBe('Sluice.INGEST_UNREADABLE');
    expect(report.error?.message).toContain('s3://formats-test/raw/broken.parquet: cannot be read as parquet');
  });

  it.each([
    [
      'CSV options on a non-CSV dataset',
      { format: 'jsonl' as const, csv: { delimiter: ';' } },
      'datasets.raw.csv: CSV options given for a jsonl dataset',
    ],
    [
      'a headerless CSV without a schema',
      { csv: { header: false } },
      'datasets.raw.csv.header: a CSV without a header line needs a schema',
    ],
    ['a two-character delimiter', { csv: { delimiter: '||' } }, 'datasets.raw.csv.delimiter: expected one ASCII character'],
  ])('fails a definition with %s', (_, raw, message) => {
    expect(() => pipeline(raw)).toThrow(message);
  });

  it('fails on a format with unknown directives when the column is declared', () => {
    expect(() => column.date('%Q')).toThrow('column format: expected strptime directives');
  });
});
