import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal, type RunReport } from '../../lib/local/index.ts';
import { pipelineRunId } from '../../lib/runtime/lineage/run-ids.ts';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import churn from '../../examples/churn/pipeline.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';
import { readEvents, withStoredObjects } from '../support/local-s3.ts';
import { backfillOutcomes, singlePathOutcomes, type ObjectOutcome } from '../support/backfill-paths.ts';

const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'churn');
const OBJECTS = 16;
const BAD = new Set([4, 11]);
const EMPTY = 7;

describe('a backfill through the Distributed Map, run locally', () => {
  let dir: string;
  let files: string[];
  let report: RunReport;
  let single: Map<string, ObjectOutcome>;
  const fileEnv = (name: string): NodeJS.ProcessEnv => ({
    OPENLINEAGE__TRANSPORT__TYPE: 'file',
    OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: join(dir, name, 'events.jsonl'),
    OPENLINEAGE__TRANSPORT__APPEND: 'true',
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-backfill-'));
    files = [];
    for (let i = 0; i < OBJECTS; i++) {
      const file = join(dir, 'drop', `customers-${String(i).padStart(2, '0')}.csv`);
      if (i === EMPTY) await writeFile(file, '');
      else await generateCustomers(file, { rows: 150 + i * 7, bad: BAD.has(i), seed: 100 + i });
      files.push(file);
    }
    report = await runLocal(churn, {
      stateDir: join(dir, 'backfill'),
      baseDir: exampleDir,
      env: fileEnv('backfill'),
      backfill: { files, concurrency: 4, toleratedFailurePercentage: 25 },
    });
    single = await singlePathOutcomes(churn, files, { stateDir: join(dir, 'single'), baseDir: exampleDir, env: fileEnv('single') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports what passed, was quarantined and failed, and succeeds within the tolerance', () => {
    expect(report.status).toBe('SUCCEEDED');
    expect(report.backfill).toMatchObject({
      objects: OBJECTS,
      children: OBJECTS,
      passed: OBJECTS - 3,
      quarantined: 2,
      failed: 1,
      notRun: 0,
    });
    const notPassed = report.backfill!.perObject.filter((o) => o.status !== 'PASSED').map((o) => [o.key, o.status, o.error?.name]);
    expect(notPassed).toEqual([
      ['raw/customers/customers-04.csv', 'QUARANTINED', 'Sluice.DATA_TESTS_FAILED'],
      ['raw/customers/customers-07.csv', 'FAILED', 'Sluice.INGEST_EMPTY'],
      ['raw/customers/customers-11.csv', 'QUARANTINED', 'Sluice.DATA_TESTS_FAILED'],
    ]);
  });

  it('gives every object the verdict and row counts the single path gives it', () => {
    expect(backfillOutcomes(report)).toEqual(single);
    expect([...single.values()].filter((o) => o.verdict === 'PASSED')).toHaveLength(OBJECTS - 3);
  });

  it('publishes the same batches as the single path', async () => {
    const published = (state: string) =>
      withStoredObjects(join(dir, state, 's3'), ['churn-data', 'churn-models'], async (s) =>
        (await s.list('churn-data', 'published/customers')).map((o) => o.key).sort(),
      );
    const backfilled = await published('backfill');
    expect(backfilled.filter((k) => k.endsWith('.parquet'))).toHaveLength(OBJECTS - 3);
    expect(backfilled).toEqual(await published('single'));
  });

  it('exceeds its tolerance and fails when fewer failures are allowed, stopping new children', async () => {
    const strict = await runLocal(churn, {
      stateDir: join(dir, 'backfill'),
      baseDir: exampleDir,
      env: fileEnv('strict'),
      backfill: { concurrency: 1, objectsPerChild: 4 },
    });
    expect(strict.status).toBe('FAILED');
    expect(strict.error?.name).toBe('States.ExceedToleratedFailureThreshold');
    // The first child (objects 0-3) passed; the second stopped at object 4, so 5-7 did not run; no child started after.
    expect(strict.backfill).toMatchObject({ children: 2, passed: 4, quarantined: 1, notRun: 3 });
    const ingested = (await readEvents(join(dir, 'strict', 'events.jsonl'))).filter(
      (e) => e.job.name === 'churn.ingest' && e.eventType === 'START',
    );
    expect(ingested).toHaveLength(5);
  });

  it('records each object as step runs of the backfill run, every event schema-valid', async () => {
    const events = await readEvents(join(dir, 'backfill', 'events.jsonl'));
    for (const event of events) expect(validateOpenLineageEvent(event)).toEqual([]);
    const parent = pipelineRunId(report.executionArn);
    const pipelineRuns = events.filter((e) => e.job.name === 'churn');
    expect(pipelineRuns.map((e) => [e.eventType, e.run.runId])).toEqual([
      ['START', parent],
      ['COMPLETE', parent],
    ]);
    const ingestStarts = events.filter((e) => e.job.name === 'churn.ingest' && e.eventType === 'START');
    expect(ingestStarts).toHaveLength(OBJECTS);
    expect(new Set(ingestStarts.map((e) => e.run.runId)).size).toBe(OBJECTS);
    const steps = events.filter((e) => e.job.name !== 'churn');
    for (const e of steps) expect(e.run.facets.parent.run.runId).toBe(parent);
    const testRuns = events.filter((e) => e.job.name === 'churn.test' && e.eventType !== 'START');
    expect(testRuns.filter((e) => e.eventType === 'FAIL')).toHaveLength(2);
    expect(testRuns.filter((e) => e.eventType === 'COMPLETE')).toHaveLength(OBJECTS - 3);
  });
});
