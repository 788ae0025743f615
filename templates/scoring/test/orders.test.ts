import { afterEach, describe, expect, it } from 'vitest';
import { testPipeline, type PipelineTestRun } from 'sluice/testing';
import orders from '../pipelines/orders.ts';

const baseDir = new URL('../pipelines/', import.meta.url);
const sample = (name: string) => new URL(`../data/${name}`, import.meta.url);

let run: PipelineTestRun | undefined;
afterEach(() => run?.cleanup());

describe('orders pipeline', () => {
  it('scores every order of a good batch and records lineage from the raw file to the predictions', async () => {
    run = await testPipeline(orders, { input: sample('orders.csv'), baseDir });
    expect(run.status).toBe('SUCCEEDED');

    const predictions = await run.rows('predictions');
    expect(predictions).toHaveLength(40);
    for (const p of predictions) {
      expect(p.score).toBeGreaterThan(0);
      expect(p.score).toBeLessThan(1);
      expect(typeof p.label).toBe('boolean');
    }
    expect(await run.rows('rejected')).toEqual([]);

    const events = await run.lineage();
    const completed = events.filter((e) => e.eventType === 'COMPLETE').map((e) => e.job.name);
    expect(completed).toEqual(['orders.ingest', 'orders.test', 'orders.features', 'orders.score', 'orders']);
    const score = events.find((e) => e.job.name === 'orders.score' && e.eventType === 'COMPLETE')!;
    expect(score.inputs?.map((d) => d.name)).toEqual(expect.arrayContaining(['features/orders']));
    expect(score.outputs?.map((d) => d.name)).toEqual(['predictions/orders']);
  });

  it('quarantines a batch that breaks the data tests, publishes nothing and keeps each rejected row with its reason', async () => {
    run = await testPipeline(orders, { input: sample('orders-bad.csv'), baseDir });
    expect(run.status).toBe('FAILED');
    expect(run.step('test').status).toBe('FAILED');
    expect(run.step('score').status).toBe('NOT_RUN');

    expect(await run.rows('published')).toEqual([]);
    expect(await run.rows('quarantine')).toHaveLength(11);
    const broken = await run.rows('quarantine', { file: 'failing-rows.parquet' });
    expect(broken.map((r) => `${r.failed_rule} ${r.order_id}`).sort()).toEqual([
      expect.stringMatching(/^range.* o-0004$/),
      expect.stringMatching(/^unique.* o-0007$/),
      expect.stringMatching(/^unique.* o-0007$/),
    ]);
    const rejected = await run.rows('rejected');
    expect(rejected).toHaveLength(1);
    expect(JSON.stringify(rejected[0])).toContain('items');

    const events = await run.lineage();
    const failed = events.find((e) => e.job.name === 'orders.test' && e.eventType === 'FAIL')!;
    const assertions = JSON.stringify(failed);
    expect(assertions).toContain('unique');
    expect(assertions).toContain('range');
  });
});
