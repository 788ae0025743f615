import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_HEADER, malformedCorpus, type MalformedCase } from '../support/malformed-corpus.ts';
import { parquetRows, runSluice, scratchProject, STACK_LINE, storedFile, storedKeys, writePipeline } from './project.ts';
import { tally } from './tally.ts';

const BUCKET = 'malformed-data';
const row = (i: number): string => `r${i},${i}.5,${i},2026-01-05`;
const csv = (lines: readonly string[]): Buffer => Buffer.from(`${CORPUS_HEADER}\n${lines.join('\n')}\n`);
const good = (n: number): string[] => Array.from({ length: n }, (_, i) => row(i));

/** Damage beyond the shared corpus: one bad record among good ones, wrong headers, other encodings and containers. */
function moreCases(): MalformedCase[] {
  const oneBad = (name: string, line: string, message: RegExp): MalformedCase => ({
    name,
    format: 'csv',
    content: csv([...good(5), line]),
    records: 6,
    code: 'INGEST_TOO_MANY_REJECTED',
    message,
  });
  const gz = gzipSync(csv(good(2_000)));
  return [
    oneBad('nan.csv', 'x,NaN,1,2026-01-05', /amount: expected a number, got "NaN"/),
    oneBad('infinity.csv', 'x,-Infinity,1,2026-01-05', /amount: expected a number, got "-Infinity"/),
    oneBad('hex.csv', 'x,0x1F,1,2026-01-05', /amount: expected a number, got "0x1F"/),
    oneBad('huge-int.csv', 'x,1,99999999999999999999,2026-01-05', /qty: expected an integer/),
    oneBad('fraction-int.csv', 'x,1,2.5,2026-01-05', /qty: expected an integer, got "2.5"/),
    oneBad('feb-30.csv', 'x,1,1,2026-02-30', /day: expected an ISO 8601 date/),
    oneBad('slash-date.csv', 'x,1,1,05/01/2026', /day: expected an ISO 8601 date/),
    { ...oneBad('too-many-fields.csv', 'x,1,1,2026-01-05,extra', /TOO MANY COLUMNS/), code: 'INGEST_MALFORMED' },
    {
      name: 'missing-column.csv',
      format: 'csv',
      content: Buffer.from('id,amount,day\nr1,1.5,2026-01-05\n'),
      code: 'INGEST_COLUMNS_MISSING',
      message: /missing column qty/,
    },
    {
      name: 'repeated-header.csv',
      format: 'csv',
      content: Buffer.from(`${CORPUS_HEADER},id\nr1,1.5,1,2026-01-05,r2\n`),
      code: 'INGEST_HEADER',
      message: /column "id" appears twice/,
    },
    {
      name: 'header-only.csv',
      format: 'csv',
      content: csv([]).subarray(0, CORPUS_HEADER.length + 1),
      code: 'INGEST_EMPTY',
      message: /no records/,
    },
    {
      name: 'latin-1.csv',
      format: 'csv',
      content: Buffer.concat([Buffer.from(`${CORPUS_HEADER}\n${row(0)}\ncaf`), Buffer.from([0xe9]), Buffer.from(',1,1,2026-01-05\n')]),
      records: 2,
      code: 'INGEST_MALFORMED',
      message: /not utf-8 encoded/i,
    },
    {
      name: 'utf16-be.csv',
      format: 'csv',
      content: Buffer.from(csv(good(5)).toString(), 'utf16le').swap16(),
      code: 'INGEST_ENCODING',
      message: /UTF-16/,
    },
    { name: 'half.csv.gz', format: 'csv', content: gz.subarray(0, gz.length >> 1), code: 'INGEST_UNREADABLE', message: /gzip/ },
    { name: 'plain.csv.gz', format: 'csv', content: csv(good(3)), code: 'INGEST_UNREADABLE', message: /gzip/ },
    {
      name: 'not-json.jsonl',
      format: 'jsonl',
      content: Buffer.from('{"id":"a","amount":1,"qty":1,"day":"2026-01-05"}\nid,amount,qty,day\n{"id":"b"\n'),
      records: 3,
      code: 'INGEST_MALFORMED',
      message: /record/,
    },
    {
      name: 'csv-as.parquet',
      format: 'parquet',
      content: csv(good(3)),
      code: 'INGEST_UNREADABLE',
      message: /cannot be read as parquet/,
    },
  ];
}

describe('the malformed-file corpus, each file uploaded by the CLI', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  beforeAll(async () => {
    project = await scratchProject('malformed');
  });
  afterAll(async () => {
    await project?.remove();
  });

  it('fails every file with exit 1 and a file- or row-level reason, accounts for every record and publishes nothing', async () => {
    const cases = [...malformedCorpus(), ...moreCases()];
    const outcomes: Array<{ name: string; problems: string[] }> = [];
    let accounted = 0;
    let withRecords = 0;
    let published = 0;
    const check = async (c: MalformedCase, i: number): Promise<void> => {
      const problems: string[] = [];
      const file = join(project.dir, c.name);
      await writeFile(file, c.content);
      const datasetExtra = c.maxBytes ? `, maxBytes: ${c.maxBytes}` : '';
      const pipeline = await writePipeline(
        project.dir,
        `pipeline-${i}.ts`,
        `{
  name: 'malformed',
  datasets: {
    raw: { bucket: '${BUCKET}', prefix: 'raw', format: '${c.format}', schema: z.object({ id: z.string(), amount: z.number(), qty: z.int(), day: z.iso.date() })${datasetExtra} },
    staged: { bucket: '${BUCKET}', prefix: 'staged', format: 'parquet' },
    rejected: { bucket: '${BUCKET}', prefix: 'rejected', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' }],
}`,
      );
      const state = join(project.dir, `state-${i}`);
      const run = await runSluice(['run', '--state-dir', state, '--input', file, '--json', pipeline], { OPENLINEAGE_DISABLED: 'true' });
      if (run.code !== 1) problems.push(`exit ${run.code}, expected 1`);
      if (STACK_LINE.test(run.stdout) || STACK_LINE.test(run.stderr)) problems.push('printed a stack trace');
      let message = '';
      try {
        const report = JSON.parse(run.stdout) as { error?: { name?: string; message?: string } };
        message = report.error?.message ?? '';
        if (report.error?.name !== `Sluice.${c.code}`) problems.push(`error ${report.error?.name}, expected Sluice.${c.code}`);
      } catch {
        problems.push(`no JSON report on stdout: ${run.stdout.slice(0, 200)} ${run.stderr.slice(0, 400)}`);
      }
      if (!c.message.test(message)) problems.push(`message ${JSON.stringify(message.slice(0, 300))} does not match ${c.message}`);
      if (!message.includes(`s3://${BUCKET}/raw/${c.name}`)) problems.push('the message does not name the file');
      const records = await storedKeys(state, BUCKET, 'staged/_batches');
      if (records.length > 0) {
        published += 1;
        problems.push(`published ${records.join(', ')}`);
      }
      if (c.records !== undefined) {
        withRecords += 1;
        const counts = /(\d+) records?: (\d+) valid, (\d+) rejected/.exec(message);
        const all = /all (\d+) records were rejected/.exec(message);
        const [total, rejected] = counts ? [Number(counts[1]), Number(counts[3])] : all ? [Number(all[1]), Number(all[1])] : [NaN, NaN];
        const valid = counts ? Number(counts[2]) : 0;
        let kept = 0;
        for (const key of (await storedKeys(state, BUCKET, 'rejected')).filter((k) => k.endsWith('.parquet'))) {
          const n = await parquetRows(storedFile(state, BUCKET, key));
          kept += n instanceof Error ? 0 : n;
        }
        if (total === c.records && valid + rejected === total && kept === rejected) accounted += 1;
        else
          problems.push(`records: file ${c.records}, message ${total} = ${valid} valid + ${rejected} rejected, rejected rows kept ${kept}`);
      }
      outcomes.push({ name: c.name, problems });
    };
    // Two uploads at a time: each run is its own process, as a user's would be.
    let next = 0;
    await Promise.all(
      [0, 1].map(async () => {
        while (next < cases.length) {
          const i = next++;
          await check(cases[i]!, i);
        }
      }),
    );
    const failed = outcomes.filter((o) => o.problems.length > 0);
    tally({
      promise: 'clear failure',
      scenario: `malformed files (${cases.length}): exit 1, a file- or row-level reason naming the file, no stack trace`,
      tried: cases.length,
      held: cases.length - failed.length,
      lost: failed.length,
    });
    tally({
      promise: 'exact row accounting',
      scenario: 'records in the file = valid + rejected, every rejected row kept',
      tried: withRecords,
      held: accounted,
      lost: withRecords - accounted,
    });
    tally({
      promise: 'atomic publication',
      scenario: 'nothing published for a failed batch',
      tried: cases.length,
      held: cases.length - published,
      lost: published,
    });
    expect(failed).toEqual([]);
  });
});
