// The incident-tracing expectations after the churn example's bad batch, run against any Marquez-API server: the
// embedded catalog (test/lineage/trace/trace-churn.test.ts) and real Marquez (test/integration/marquez).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceError, formatTrace, formatTraceMermaid, traceNode } from '../../../lineage/trace/index.ts';
import type { TraceReport } from '../../../lineage/trace/index.ts';
import { churnEventStream, post } from '../catalog/churn-events.ts';
import type { ChurnStream } from '../catalog/churn-events.ts';

/** A server speaking Marquez's API, started empty, and how to stop it. */
export type TraceTarget = { readonly url: string; close(): Promise<void> };

/** Defines the suite: posts the churn stream (good then bad batch) to a fresh target and traces the failure. */
export function churnTraceSuite(label: string, start: () => Promise<TraceTarget>): void {
  describe(`sluice trace after the churn example bad batch (against ${label})`, () => {
    let catalog: TraceTarget;
    let stream: ChurnStream;
    let report: TraceReport;
    let failedStepRun: string;

    beforeAll(async () => {
      stream = await churnEventStream();
      catalog = await start();
      for (const event of stream.events) expect((await post(catalog.url, event)).status).toBe(201);
      const fail = stream.events.find((e) => e['eventType'] === 'FAIL' && (e['job'] as { name: string }).name === 'churn.test')!;
      failedStepRun = (fail['run'] as { runId: string }).runId;
      report = await traceNode(catalog.url, failedStepRun);
    }, 600_000);
    afterAll(async () => {
      await catalog?.close();
    });

    it('names the failed run and its error', () => {
      expect(report.run).toMatchObject({ id: failedStepRun, state: 'FAILED', job: { namespace: 'sluice', name: 'churn.test' } });
      expect(report.run?.error).toMatch(/quarantined at s3:\/\/churn-data\/quarantine\/customers\/batch=/);
    });

    it('points upstream at the staged batch with its failed assertions', () => {
      expect(report.rootCauses).toHaveLength(1);
      const cause = report.rootCauses[0]!;
      expect(cause.kind).toBe('dataset-version');
      if (cause.kind !== 'dataset-version') return;
      expect(cause.version).toMatchObject({
        namespace: 's3://churn-data',
        name: 'staged/customers',
        subset: expect.stringMatching(/^batch=bad-/),
      });
      expect(cause.version.failedAssertions.map((a) => [a.name, a.column])).toEqual([
        ['unique(customer_id)', 'customer_id'],
        ['range(monthly_charges)', 'monthly_charges'],
      ]);
      expect(report.upstream.map((s) => s.run.job.name)).toEqual(['churn.test', 'churn.ingest']);
    });

    it('names the quarantined batch the failed run wrote', () => {
      const quarantined = report.written.filter((w) => w.quarantined);
      expect(quarantined.map((w) => [w.name, w.subset])).toEqual([['quarantine/customers', expect.stringMatching(/^batch=bad-/)]]);
    });

    it('names the feature and prediction datasets that would have consumed it, and no run that did', () => {
      expect(report.downstream.jobs.map((j) => j.name)).toEqual(['churn.features', 'churn.score']);
      expect(report.downstream.datasets.map((d) => d.name)).toEqual(expect.arrayContaining(['features/churn', 'predictions/churn']));
      expect(report.downstream.runs).toEqual([]);
    });

    it('traces the failed pipeline run through its failed step run', async () => {
      const viaPipeline = await traceNode(catalog.url, stream.bad.runId);
      expect(viaPipeline.run?.id).toBe(failedStepRun);
    });

    it('traces a dataset: the run that wrote its current version and who reads it', async () => {
      const r = await traceNode(catalog.url, 's3://churn-data/features/churn');
      expect(r.run).toMatchObject({ job: { name: 'churn.features' }, state: 'COMPLETED' });
      expect(r.downstream.runs.map((x) => x.job.name)).toEqual(['churn.score']);
    });

    it('renders text and Mermaid', () => {
      const text = formatTrace(report);
      expect(text).toContain('FAILED unique(customer_id)');
      expect(text).toMatch(/QUARANTINED s3:\/\/churn-data\/quarantine\/customers \[batch=bad-/);
      expect(formatTraceMermaid(report)).toMatch(/^flowchart LR\n/);
    });

    it('fails with TRACE_NOT_FOUND for an unknown node', async () => {
      await expect(traceNode(catalog.url, 'no-such-job')).rejects.toMatchObject({ code: 'TRACE_NOT_FOUND' });
      await expect(traceNode(catalog.url, '00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(TraceError);
    });
  });
}
