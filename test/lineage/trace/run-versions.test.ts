import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generateCustomers } from '../../../examples/churn/generate-data.ts';
import churn from '../../../examples/churn/pipeline.ts';
import { definePipeline } from '../../../lib/index.ts';
import { runLocal, stateDirLayout, type RunReport } from '../../../lib/local/index.ts';
import { stepRunId } from '../../../lib/runtime/lineage/run-ids.ts';
import { startCatalogServer, type CatalogServer } from '../../../lineage/catalog/index.ts';
import type { marquez } from '../../../lineage/catalog/index.ts';
import { formatTrace, formatTraceMermaid, traceNode } from '../../../lineage/trace/index.ts';

const exampleDir = join(import.meta.dirname, '..', '..', '..', 'examples', 'churn');

describe('a trace keeps the versions each run read: two batches uploaded to the same path', () => {
  let dir: string;
  let runs: RunReport[];
  let catalog: CatalogServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-versions-'));
    const stateDir = join(dir, 'state');
    // Both files are named customers.csv, so both uploads land on s3://churn-data/raw/customers/customers.csv.
    for (const [folder, bad] of [
      ['first', false],
      ['second', true],
    ] as const) {
      await mkdir(join(dir, folder));
      await generateCustomers(join(dir, folder, 'customers.csv'), { rows: 300, bad });
    }
    runs = [];
    for (const folder of ['first', 'second']) {
      runs.push(await runLocal(churn, { stateDir, input: join(dir, folder, 'customers.csv'), baseDir: exampleDir }));
    }
    catalog = await startCatalogServer({ port: 0, db: stateDirLayout(stateDir).catalog });
  });
  afterAll(async () => {
    await catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads both batches to one key, with different contents', () => {
    expect(runs.map((r) => r.trigger.kind === 'upload' && r.trigger.key)).toEqual([
      'raw/customers/customers.csv',
      'raw/customers/customers.csv',
    ]);
    const etags = runs.map((r) => (r.trigger.kind === 'upload' ? r.trigger.etag : undefined));
    expect(new Set(etags).size).toBe(2);
  });

  it("points each ingest run at the raw version it read, in the catalog's run and in its trace", async () => {
    for (const report of runs) {
      const ingestRun = stepRunId(report.executionArn, 'ingest', 0);
      const etag = report.trigger.kind === 'upload' ? report.trigger.etag : undefined;
      const run = (await (await fetch(`${catalog.url}/api/v1/jobs/runs/${ingestRun}`)).json()) as marquez.Run;
      const raw = run.inputDatasetVersions.find((v) => v.datasetVersionId.name === 'raw/customers')!;
      const version = (await (
        await fetch(
          `${catalog.url}/api/v1/namespaces/${encodeURIComponent('s3://churn-data')}/datasets/${encodeURIComponent('raw/customers')}/versions/${raw.datasetVersionId.version}`,
        )
      ).json()) as marquez.DatasetVersion;
      expect(version.facets?.version?.datasetVersion).toBe(etag);
      const trace = await traceNode(catalog.url, ingestRun);
      expect(trace.upstream[0]!.read.map((v) => [v.name, v.label])).toEqual([['raw/customers', etag]]);
    }
  });

  it('traces a pipeline run, good or bad, down to the raw version its own ingest read', async () => {
    for (const report of runs) {
      const etag = report.trigger.kind === 'upload' ? report.trigger.etag : undefined;
      const trace = await traceNode(catalog.url, report.runId);
      const ingest = trace.upstream.find((s) => s.run.job.name === 'churn.ingest')!;
      expect(ingest.run.id).toBe(stepRunId(report.executionArn, 'ingest', 0));
      expect(ingest.read.map((v) => v.label)).toEqual([etag]);
      expect(formatTrace(trace)).toContain(`read s3://churn-data/raw/customers version ${etag}`);
    }
    // The good run is traced through its last step, the bad one through the step that failed.
    expect((await traceNode(catalog.url, runs[0]!.runId)).run?.job.name).toBe('churn.score');
    expect((await traceNode(catalog.url, runs[1]!.runId)).run?.job.name).toBe('churn.test');
  });

  it("keeps the dataset's current raw version the latest one read", async () => {
    const dataset = (await (
      await fetch(
        `${catalog.url}/api/v1/namespaces/${encodeURIComponent('s3://churn-data')}/datasets/${encodeURIComponent('raw/customers')}`,
      )
    ).json()) as marquez.Dataset;
    const current = (await (
      await fetch(
        `${catalog.url}/api/v1/namespaces/${encodeURIComponent('s3://churn-data')}/datasets/${encodeURIComponent('raw/customers')}/versions/${dataset.currentVersion}`,
      )
    ).json()) as marquez.DatasetVersion;
    expect(current.facets?.version?.datasetVersion).toBe(runs[1]!.trigger.kind === 'upload' ? runs[1]!.trigger.etag : undefined);
  });
});

describe('a trace tells rules that warned from rules that failed, in text, JSON and Mermaid', () => {
  const rules = (tests: NonNullable<Parameters<typeof definePipeline>[0]['datasets'][string]['tests']>) =>
    definePipeline({
      name: 'graded',
      datasets: {
        raw: { bucket: 'graded-data', prefix: 'raw', format: 'csv', schema: z.object({ id: z.string(), v: z.number() }) },
        staged: { bucket: 'graded-data', prefix: 'staged', format: 'parquet', tests },
        rejected: { bucket: 'graded-data', prefix: 'rejected', format: 'parquet' },
        published: { bucket: 'graded-data', prefix: 'published', format: 'parquet' },
        quarantine: { bucket: 'graded-data', prefix: 'quarantine', format: 'parquet' },
      },
      triggers: [{ kind: 'upload', dataset: 'raw' }],
      steps: [
        { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
        { name: 'test', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine' },
      ],
    });
  let dir: string;
  let catalog: CatalogServer;
  let blocked: RunReport;
  let warned: RunReport;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-graded-'));
    await writeFile(join(dir, 'data.csv'), 'id,v\na,1\nb,2\nc,50\n');
    const stateDir = join(dir, 'state');
    const maxWarn = { rule: 'range', column: 'v', max: 10, severity: 'warn' } as const;
    blocked = await runLocal(rules([maxWarn, { rule: 'rowCount', min: 5 }]), { stateDir, input: join(dir, 'data.csv') });
    warned = await runLocal(rules([maxWarn, { rule: 'rowCount', min: 1 }]), { stateDir, input: join(dir, 'data.csv') });
    catalog = await startCatalogServer({ port: 0, db: stateDirLayout(stateDir).catalog });
  });
  afterAll(async () => {
    await catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('marks each assertion failed or warned, and a version whose rules only warned as warned', async () => {
    expect([blocked.status, warned.status]).toEqual(['FAILED', 'SUCCEEDED']);
    const failedTrace = await traceNode(catalog.url, blocked.runId);
    const [cause] = failedTrace.rootCauses;
    expect(cause?.kind === 'dataset-version' && cause.version.failedAssertions.map((a) => [a.name, a.outcome])).toEqual([
      ['range(v)', 'warned'],
      ['rowCount', 'failed'],
    ]);
    const text = formatTrace(failedTrace);
    expect(text).toMatch(/ {4}WARNED range\(v\) on v: expected values in \[-∞, 10\], got 1 value outside/);
    expect(text).toMatch(/ {4}FAILED rowCount: expected row count in \[5, ∞\], got 3 rows/);
    expect(formatTraceMermaid(failedTrace)).toMatch(/\["s3:\/\/graded-data\/staged · batch=data-\w+"\]:::failed/);

    const warnedTrace = await traceNode(catalog.url, stepRunId(warned.executionArn, 'test', 0));
    expect(warnedTrace.run?.state).toBe('COMPLETED');
    const [warning] = warnedTrace.rootCauses;
    expect(warning?.kind === 'dataset-version' && warning.version.failedAssertions.map((a) => a.outcome)).toEqual(['warned']);
    expect(formatTrace(warnedTrace)).not.toContain('FAILED');
    const mermaid = formatTraceMermaid(warnedTrace);
    expect(mermaid).toMatch(/\["s3:\/\/graded-data\/staged · batch=data-\w+"\]:::warned/);
    expect(mermaid).not.toContain(':::failed');
  });
});
