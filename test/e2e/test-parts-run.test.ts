import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline, type DataTestRuleInput } from '../../lib/index.ts';
import { runLocal, type RunReport } from '../../lib/local/index.ts';
import { pipelineRunId } from '../../lib/runtime/lineage/run-ids.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';

const BUCKET = 'parts-test';

function pipeline(tests: DataTestRuleInput[], parts: false | { minRows: number }) {
  return definePipeline({
    name: 'parts',
    datasets: {
      raw: {
        bucket: BUCKET,
        prefix: 'raw',
        format: 'csv',
        schema: z.object({ id: z.string(), v: z.number().nullable(), code: z.string() }),
      },
      staged: { bucket: BUCKET, prefix: 'staged', format: 'parquet', tests },
      rejected: { bucket: BUCKET, prefix: 'rejected', format: 'parquet' },
      published: { bucket: BUCKET, prefix: 'published', format: 'parquet' },
      quarantine: { bucket: BUCKET, prefix: 'quarantine', format: 'parquet' },
    },
    triggers: [{ kind: 'upload', dataset: 'raw' }],
    steps: [
      { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
      { name: 'audit', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine', parts },
    ],
  });
}

// 600 rows with a few nulls and repeated ids, and one row ingest rejects (so its outputs are two files: rejects and staged).
function csv(): string {
  const lines = ['id,v,code'];
  for (let i = 0; i < 600; i++) lines.push(`${i % 97 === 0 ? 'dup' : `id-${i}`},${i % 13 === 0 ? '' : (i * 7.3) % 100},${'ABC'[i % 3]}`);
  lines.push('bad,not-a-number,A');
  return `${lines.join('\n')}\n`;
}

const PASSING: DataTestRuleInput[] = [
  { rule: 'notNull', column: 'id' },
  { rule: 'acceptedValues', column: 'code', values: ['A', 'B', 'C'] },
  { rule: 'range', column: 'v', min: 0, max: 100 },
  { rule: 'nullFraction', column: 'v', max: 0.1 },
  { rule: 'duplicateFraction', columns: ['id'], max: 0.05 },
  { rule: 'mean', column: 'v', min: 10, max: 90 },
  { rule: 'stddev', column: 'v', min: 1 },
  { rule: 'rowCount', min: 100 },
];
const FAILING: DataTestRuleInput[] = [
  ...PASSING,
  { rule: 'unique', columns: ['id'] },
  { rule: 'notNull', column: 'v', severity: 'warn' },
  { rule: 'sum', column: 'v', max: 10 },
];

/** What the report and the stored objects say about a run: the audit step's outcome and the batch it wrote. */
async function outcome(report: RunReport, stateDir: string) {
  const audit = report.steps.find((s) => s.step === 'audit')!;
  const stored = await withStoredObjects(join(stateDir, 's3'), [BUCKET], async (store) => ({
    published: (await store.list(BUCKET, 'published')).filter((o) => o.key.endsWith('.parquet')).length,
    quarantined: (await store.list(BUCKET, 'quarantine')).map((o) => o.key.replace(/batch=[^/]+/, 'batch=*')).sort(),
  }));
  return {
    status: report.status,
    error: report.error?.name,
    audit: { status: audit.status, tests: audit.record?.tests, rules: audit.record?.rules, rowsIn: audit.record?.rowsIn },
    ...stored,
  };
}

describe('a data-test step audited in parts, run locally', () => {
  let dir: string;
  const runs: Record<string, { report: RunReport; stateDir: string }> = {};
  const run = async (name: string, tests: DataTestRuleInput[], parts: false | { minRows: number }) => {
    const stateDir = join(dir, name);
    const report = await runLocal(pipeline(tests, parts), {
      stateDir,
      input: join(dir, 'data.csv'),
      env: {
        OPENLINEAGE__TRANSPORT__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: join(stateDir, 'events.jsonl'),
        OPENLINEAGE__TRANSPORT__APPEND: 'true',
      },
    });
    runs[name] = { report, stateDir };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-parts-run-'));
    await writeFile(join(dir, 'data.csv'), csv());
    await run('single-pass', PASSING, false);
    await run('parts-pass', PASSING, { minRows: 1 });
    await run('single-fail', FAILING, false);
    await run('parts-fail', FAILING, { minRows: 1 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes a passing batch as the single path does, with the same verdicts and counts', async () => {
    const single = await outcome(runs['single-pass']!.report, runs['single-pass']!.stateDir);
    const parts = await outcome(runs['parts-pass']!.report, runs['parts-pass']!.stateDir);
    expect(single).toMatchObject({ status: 'SUCCEEDED', published: 1, audit: { rowsIn: 600 } });
    expect(parts).toEqual(single);
  });

  it('quarantines a failing batch as the single path does: same failed rules, values, error and files', async () => {
    const single = await outcome(runs['single-fail']!.report, runs['single-fail']!.stateDir);
    const parts = await outcome(runs['parts-fail']!.report, runs['parts-fail']!.stateDir);
    expect(single).toMatchObject({ status: 'FAILED', error: 'Sluice.DATA_TESTS_FAILED', published: 0 });
    expect(single.quarantined).toContain('quarantine/batch=*/failing-rows.parquet');
    expect(parts).toEqual(single);
  });

  it('runs the parts as child step runs of the pipeline run, every event schema-valid and none lost', async () => {
    for (const name of ['parts-pass', 'parts-fail']) {
      const { report, stateDir } = runs[name]!;
      const events = await readEvents(join(stateDir, 'events.jsonl'));
      for (const event of events) expect(validateOpenLineageEvent(event)).toEqual([]);
      const parent = pipelineRunId(report.executionArn);
      // Two parts (the rejects and the staged file are the Map's two items), runs of job `<step>.part`, and the
      // merge, the step's one run.
      const parts = events.filter((e) => e.job.name === 'parts.audit.part');
      const audits = events.filter((e) => e.job.name === 'parts.audit');
      expect(parts.filter((e) => e.eventType === 'START')).toHaveLength(2);
      expect(audits.filter((e) => e.eventType === 'START')).toHaveLength(1);
      for (const part of parts) expect(part.outputs).toEqual([]);
      const starts = [...parts, ...audits].filter((e) => e.eventType === 'START');
      for (const start of starts) {
        expect(start.run.facets.parent.run.runId).toBe(parent);
        expect(events.filter((e) => e.run.runId === start.run.runId && e.eventType !== 'START')).toHaveLength(1);
      }
      const ends = [...parts, ...audits].filter((e) => e.eventType !== 'START');
      const withAssertions = ends.filter((e) => e.inputs?.some((i: any) => i.inputFacets?.dataQualityAssertions));
      expect(withAssertions).toHaveLength(1);
      expect(withAssertions[0]!.eventType).toBe(name === 'parts-pass' ? 'COMPLETE' : 'FAIL');
    }
  });
});
