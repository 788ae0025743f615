import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline, type PipelineDefinition } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';

const SCHEMA = z.object({ id: z.string(), amount: z.number(), note: z.string().nullable() });
type Format = 'csv' | 'jsonl' | 'parquet';

function pipeline(format: Format, options: Partial<PipelineDefinition['datasets'][string]> = {}) {
  return definePipeline({
    name: 'contract',
    datasets: {
      raw: { bucket: 'contract-test', prefix: 'raw', format, schema: SCHEMA, ...options },
      staged: { bucket: 'contract-test', prefix: 'staged', format: 'parquet' },
      rejected: { bucket: 'contract-test', prefix: 'rejected', format: 'parquet' },
    },
    triggers: [{ kind: 'upload', dataset: 'raw' }],
    steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' }],
  });
}

/** Rows as each format writes them; `null` leaves a field out of a JSON record. */
type Row = Record<string, string | number | null>;

describe('ingest contracts, for every format', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-contract-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes rows in a format (Parquet through DuckDB, every value as text, as a loosely typed producer would). */
  async function file(format: Format, rows: Row[], options: { gzip?: boolean; columns?: string[] } = {}): Promise<string> {
    const path = join(dir, `input-${n++}.${format}${options.gzip ? '.gz' : ''}`);
    const columns = options.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
    let bytes: Buffer;
    if (format === 'csv') {
      const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => String(r[c] ?? '')).join(','))];
      bytes = Buffer.from(rows.length === 0 && columns.length === 0 ? '' : `${lines.join('\n')}\n`);
    } else if (format === 'jsonl') {
      bytes = Buffer.from(
        rows.map((r) => `${JSON.stringify(Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)))}\n`).join(''),
      );
    } else {
      const plain = join(dir, `plain-${n++}.parquet`);
      const db = await openDuckDb();
      try {
        const select =
          rows.length === 0
            ? `SELECT ${columns.map((c) => `NULL::VARCHAR AS ${c}`).join(', ')} WHERE false`
            : rows
                .map(
                  (r) =>
                    `SELECT ${columns.map((c) => `${r[c] === null || r[c] === undefined ? 'NULL' : `'${String(r[c])}'`}::VARCHAR AS ${c}`).join(', ')}`,
                )
                .join(' UNION ALL ');
        await db.run(`COPY (${select}) TO '${plain}' (FORMAT parquet)`);
      } finally {
        db.close();
      }
      bytes = await import('node:fs/promises').then((fs) => fs.readFile(plain));
    }
    await writeFile(path, options.gzip ? gzipSync(bytes) : bytes);
    return path;
  }

  async function ingest(format: Format, input: string, options: Partial<PipelineDefinition['datasets'][string]> = {}) {
    const stateDir = join(dir, `state-${n++}`);
    const events = join(stateDir, 'events.jsonl');
    const report = await runLocal(pipeline(format, options), {
      stateDir,
      input,
      env: { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events, OPENLINEAGE__TRANSPORT__APPEND: 'true' },
    });
    const stored = await withStoredObjects(join(stateDir, 's3'), ['contract-test'], async (store) => ({
      staged: (await store.list('contract-test', 'staged')).map((o) => o.key),
      rejected: (await store.list('contract-test', 'rejected')).map((o) => o.key),
    }));
    return { report, stored, events: () => readEvents(events) };
  }

  const formats: Array<[string, Format, boolean]> = [
    ['CSV', 'csv', false],
    ['gzip CSV', 'csv', true],
    ['JSON Lines', 'jsonl', false],
    ['gzip JSON Lines', 'jsonl', true],
    ['Parquet', 'parquet', false],
    ['gzip Parquet', 'parquet', true],
  ];

  describe.each(formats)('%s', (_, format, gzip) => {
    it('fails an empty file with a file-level error and publishes nothing', async () => {
      const { report, stored } = await ingest(format, await file(format, [], { gzip, columns: ['id', 'amount', 'note'] }));
      expect(report.status).toBe('FAILED');
      expect(report.error?.name).toBe('Sluice.INGEST_EMPTY');
      expect(report.error?.message).toMatch(/input-\d+\.\w+(\.gz)?: the file has no records; nothing was published/);
      expect(stored).toEqual({ staged: [], rejected: [] });
    });

    it('fails a file whose every record is rejected, keeping the rejected rows with their reasons', async () => {
      const rows = [
        { id: 'a', amount: 'one', note: null },
        { id: 'b', amount: 'two', note: 'x' },
      ];
      const { report, stored } = await ingest(format, await file(format, rows, { gzip }));
      expect(report.status).toBe('FAILED');
      expect(report.error?.name).toBe('Sluice.INGEST_NO_VALID_ROWS');
      expect(report.error?.message).toContain(
        'all 2 records were rejected (most frequent: amount: expected a number (2 rows, first at record 1: "one"))',
      );
      // The failed step's own record keeps what it found for the report and alerts.
      expect(report.steps[0]?.record).toMatchObject({
        status: 'FAILED',
        rowsIn: 2,
        rejectedRows: 2,
        rejections: [{ column: 'amount', reason: 'expected a number', rows: 2, firstRow: 1, example: '"one"' }],
        outputs: [expect.objectContaining({ dataset: 'rejected', role: 'rejected', rows: 2 })],
        error: expect.objectContaining({ code: 'INGEST_NO_VALID_ROWS' }),
      });
      expect(report.error?.message).toContain('nothing was published; the rejected rows are kept at s3://contract-test/rejected/batch=');
      expect(stored.staged).toEqual([]);
      expect(stored.rejected.some((k) => k.endsWith('/rejected.parquet'))).toBe(true);
      expect(stored.rejected.some((k) => k.startsWith('rejected/_batches/'))).toBe(true);
    });

    it('fails a file whose records all lack a declared column, naming it', async () => {
      const rows = [
        { id: 'a', amount: 1 },
        { id: 'b', amount: 2 },
      ];
      const { report, stored } = await ingest(format, await file(format, rows, { gzip }));
      expect(report.error?.name).toBe('Sluice.INGEST_COLUMNS_MISSING');
      expect(report.error?.message).toMatch(
        format === 'jsonl' ? /no record has field note \(found: id, amount\)/ : /missing column note \(found: id, amount\)/,
      );
      expect(stored).toEqual({ staged: [], rejected: [] });
    });

    it('stages or rejects every record of the file: rows in = staged + rejected', async () => {
      const rows = Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, amount: i % 20 === 7 ? 'n/a' : i, note: i % 3 ? 'x' : null }));
      const { report } = await ingest(format, await file(format, rows, { gzip }));
      expect(report.status).toBe('SUCCEEDED');
      expect(report.steps[0]?.result).toMatchObject({ rowsIn: 40, rowsOut: 38, rejectedRows: 2 });
    });
  });

  it('fails a batch with more rejected rows than the default maxRejectedFraction (a tenth), and passes one at the limit', async () => {
    const rows = (bad: number, total: number) =>
      Array.from({ length: total }, (_, i) => ({ id: `r${i}`, amount: i < bad ? 'bad' : i, note: 'x' }));
    const over = await ingest('csv', await file('csv', rows(3, 20)));
    expect(over.report.error?.name).toBe('Sluice.INGEST_TOO_MANY_REJECTED');
    expect(over.report.error?.message).toContain(
      '3 of 20 records (15.0 %) were rejected, more than dataset "raw" allows (maxRejectedFraction 0.1)',
    );
    expect(over.stored.staged).toEqual([]);
    const at = await ingest('csv', await file('csv', rows(2, 20)));
    expect(at.report.status).toBe('SUCCEEDED');
    const raised = await ingest('csv', await file('csv', rows(3, 20)), { maxRejectedFraction: 0.2 });
    expect(raised.report.status).toBe('SUCCEEDED');
  });

  describe('extra columns', () => {
    const rows = [
      { id: 'a', amount: 1, note: null, channel: 'web', region: 'eu' },
      { id: 'b', amount: 2, note: 'x', channel: 'shop', region: null },
    ];

    it('drops them by default and notes them in lineage', async () => {
      const { report, events } = await ingest('jsonl', await file('jsonl', rows));
      expect(report.status).toBe('SUCCEEDED');
      const done = (await events()).find((e) => e.job.name === 'contract.ingest' && e.eventType === 'COMPLETE')!;
      expect(done.inputs[0].inputFacets.sluice_ingest).toMatchObject({
        sourceColumns: ['id', 'amount', 'channel', 'region', 'note'],
        extraColumns: ['channel', 'region'],
        extraColumnsPolicy: 'ignore',
        rejectedRows: 0,
        maxRejectedFraction: 0.1,
      });
      expect(done.outputs[0].facets.schema.fields.map((f: any) => f.name)).toEqual(['id', 'amount', 'note']);
    });

    it('fails the file when the dataset rejects them', async () => {
      const { report, stored } = await ingest('csv', await file('csv', rows), { extraColumns: 'reject' });
      expect(report.error?.name).toBe('Sluice.INGEST_EXTRA_COLUMNS');
      expect(report.error?.message).toContain(
        'columns channel, region are not declared in dataset "raw"\'s schema, whose extraColumns is "reject"',
      );
      expect(stored).toEqual({ staged: [], rejected: [] });
    });

    it('keeps them as text when the dataset keeps them', async () => {
      const { report, events } = await ingest('parquet', await file('parquet', rows), { extraColumns: 'keep' });
      expect(report.status).toBe('SUCCEEDED');
      const done = (await events()).find((e) => e.job.name === 'contract.ingest' && e.eventType === 'COMPLETE')!;
      expect(done.outputs[0].facets.schema.fields.map((f: any) => [f.name, f.type])).toEqual([
        ['id', 'VARCHAR'],
        ['amount', 'DOUBLE'],
        ['note', 'VARCHAR'],
        ['channel', 'VARCHAR'],
        ['region', 'VARCHAR'],
      ]);
    });
  });
});
