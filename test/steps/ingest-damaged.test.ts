import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { openDuckDb } from '../../lib/runtime/duckdb.ts';
import { withStoredObjects } from '../support/local-s3.ts';
import { CORPUS_HEADER, malformedCorpus } from '../support/malformed-corpus.ts';

const BUCKET = 'damaged-test';

function pipeline(format: 'csv' | 'jsonl' | 'parquet', raw: Record<string, unknown> = {}) {
  return definePipeline({
    name: 'damaged',
    datasets: {
      raw: {
        bucket: BUCKET,
        prefix: 'raw',
        format,
        schema: z.object({ id: z.string(), amount: z.number(), qty: z.int(), day: z.iso.date() }),
        ...raw,
      },
      staged: { bucket: BUCKET, prefix: 'staged', format: 'parquet' },
      rejected: { bucket: BUCKET, prefix: 'rejected', format: 'parquet' },
    },
    triggers: [{ kind: 'upload', dataset: 'raw' }],
    steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' }],
  });
}

describe('ingest of damaged files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-damaged-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(name: string, content: Buffer, spec: ReturnType<typeof pipeline>) {
    const file = join(dir, name);
    await writeFile(file, content);
    const stateDir = join(dir, `state-${name}`);
    const report = await runLocal(spec, { stateDir, input: file, env: { OPENLINEAGE_DISABLED: 'true' } });
    const rows = (prefix: 'staged' | 'rejected') =>
      withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => {
        const objects = (await store.list(BUCKET, prefix)).filter((o) => o.key.endsWith('.parquet'));
        const db = await openDuckDb();
        try {
          const out: Array<Record<string, unknown>> = [];
          for (const [i, o] of objects.entries()) {
            const local = join(dir, `${name}-${prefix}-${i}.parquet`);
            await store.download(BUCKET, o.key, local);
            out.push(...(await db.all(`SELECT * FROM read_parquet('${local}') ORDER BY 1`)));
          }
          return out;
        } finally {
          db.close();
        }
      });
    return { report, rows };
  }

  it.each(malformedCorpus().map((c) => [c.name, c] as const))(
    'fails %s with a reason, stages nothing and accounts for every record',
    async (name, c) => {
      const { report, rows } = await run(name, c.content, pipeline(c.format, c.maxBytes ? { maxBytes: c.maxBytes } : {}));
      expect(report.status).toBe('FAILED');
      expect(report.error?.name).toBe(`Sluice.${c.code}`);
      expect(report.error?.message).toMatch(c.message);
      expect(report.error?.message).toContain(`s3://${BUCKET}/raw/${name}`);
      expect(await rows('staged')).toEqual([]);
      const tally = /(\d+) records?: (\d+) valid, (\d+) rejected/.exec(report.error?.message ?? '');
      const all = /all (\d+) records were rejected/.exec(report.error?.message ?? '');
      const rejected = await rows('rejected');
      if (c.records !== undefined) {
        expect(tally ?? all, 'the message accounts for every record').not.toBeNull();
        if (tally) {
          expect(Number(tally[1])).toBe(c.records);
          expect(Number(tally[2]) + Number(tally[3])).toBe(c.records);
          expect(rejected).toHaveLength(Number(tally[3]));
        } else {
          expect(Number(all![1])).toBe(c.records);
          expect(rejected).toHaveLength(c.records);
        }
        for (const r of rejected) expect(String(r.reason)).not.toBe('');
      } else expect(rejected).toEqual([]);
    },
  );

  it('rejects the line of a stray quote alone and reads the rest, when the dataset rejects malformed records', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `r${i},${i}.5,${i},2026-01-05`);
    lines[4_999] = 'r4999,"4999.5,4999,2026-01-05';
    const { report, rows } = await run(
      'quote.csv',
      Buffer.from(`${CORPUS_HEADER}\n${lines.join('\n')}\n`),
      pipeline('csv', { malformedRecords: 'reject' }),
    );
    expect(report.status).toBe('SUCCEEDED');
    expect(report.steps[0]?.result).toMatchObject({ rowsIn: 10_000, rowsOut: 9_999, rejectedRows: 1 });
    expect(await rows('rejected')).toEqual([
      {
        source_row: 5_000,
        source_line: 5_001,
        column: null,
        reason: expect.stringMatching(/^UNTERMINATED QUOTE: a quoted field opened on line 5001 is not closed/),
        raw: 'r4999,"4999.5,4999,2026-01-05',
      },
    ]);
  });

  it('keeps quoted fields with line breaks whole, and numbers records rather than lines', async () => {
    const content = `${CORPUS_HEADER}\r\n"a\r\nb",1,1,2026-01-05\r\nc,x,1,2026-01-05\r\n`;
    const { report, rows } = await run('multiline.csv', Buffer.from(content), pipeline('csv', { maxRejectedFraction: 1 }));
    expect(report.status).toBe('SUCCEEDED');
    expect((await rows('staged')).map((r) => r.id)).toEqual(['a\r\nb']);
    expect((await rows('rejected')).map((r) => [r.source_row, r.source_line])).toEqual([[2, 4]]);
  });

  it('types no wider than the declared zod schema, naming each value', async () => {
    const content = `${CORPUS_HEADER}\nok,1.5,1,2026-01-05\na,1_000,1,2026-01-05\nb,1e-400,1,2026-01-05\nc,1,1_0,2026-01-05\nd,1,1,2026-1-5\ne,1,1,10000-01-01\nf,1,1,0000-01-01\ng,0e5,-0,0001-01-01\n`;
    const { report, rows } = await run('wide.csv', Buffer.from(content), pipeline('csv', { maxRejectedFraction: 1 }));
    expect(report.status).toBe('SUCCEEDED');
    expect((await rows('staged')).map((r) => r.id)).toEqual(['g', 'ok']);
    expect((await rows('rejected')).map((r) => r.reason)).toEqual([
      'amount: expected a number, got "1_000"',
      'amount: out of the range of a double (it would be stored as 0 or infinity), got "1e-400"',
      'qty: expected an integer, got "1_0"',
      'day: expected an ISO 8601 date (YYYY-MM-DD), got "2026-1-5"',
      'day: expected an ISO 8601 date (YYYY-MM-DD), got "10000-01-01"',
      'day: year 0000 does not exist (it would be stored as 1 BC), got "0000-01-01"',
    ]);
  });

  it('reads a file whose lines end in several ways when the dataset rejects malformed records', async () => {
    const content = `${CORPUS_HEADER}\r\na,1,1,2026-01-05\nb,2,2,2026-01-05\r\nc,3,3,2026-01-05\rd,4,4,2026-01-05`;
    const { report, rows } = await run('endings.csv', Buffer.from(content), pipeline('csv', { malformedRecords: 'reject' }));
    expect(report.status).toBe('SUCCEEDED');
    expect((await rows('staged')).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it.each(['100%.csv', 'a%20b.csv', 'plus+sign.csv'])('runs an upload named %s under its own key, decoded never', async (name) => {
    const { report, rows } = await run(name, Buffer.from(`${CORPUS_HEADER}\na,1,1,2026-01-05\n`), pipeline('csv'));
    expect(report.status).toBe('SUCCEEDED');
    expect(report.trigger).toMatchObject({ key: `raw/${name}` });
    expect((await rows('staged')).map((r) => r.id)).toEqual(['a']);
  });

  it('refuses a file name the embedded S3 cannot store, before anything is uploaded', async () => {
    const name = `${'x'.repeat(240)}.csv`;
    await expect(run(name, Buffer.from(`${CORPUS_HEADER}\n`), pipeline('csv'))).rejects.toMatchObject({
      code: 'RUN_INPUT_NAME',
      message: expect.stringContaining('the file name is 244 bytes long'),
    });
  });
});
