import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { testPipeline, type PipelineTestRun } from 'sluice/testing';
import events from '../pipelines/events.ts';

const sample = (name: string) => new URL(`../data/${name}`, import.meta.url);

let run: PipelineTestRun | undefined;
afterEach(() => run?.cleanup());

describe('events pipeline', () => {
  it('publishes a good batch and sums each user activity exactly as the sample says', async () => {
    run = await testPipeline(events, { input: sample('events.jsonl') });
    expect(run.status).toBe('SUCCEEDED');

    const sent = (await readFile(sample('events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { user_id: string; event_type: string; amount: number | null });
    const expected = new Map<string, { events: number; purchases: number; revenue: number }>();
    for (const e of sent) {
      const user = expected.get(e.user_id) ?? { events: 0, purchases: 0, revenue: 0 };
      user.events += 1;
      if (e.event_type === 'purchase') user.purchases += 1;
      user.revenue += e.amount ?? 0;
      expected.set(e.user_id, user);
    }
    const activity = await run.rows('activity');
    expect(activity).toHaveLength(expected.size);
    for (const row of activity) {
      const want = expected.get(String(row.user_id))!;
      expect(row).toMatchObject({ events: want.events, purchases: want.purchases });
      expect(Number(row.revenue)).toBeCloseTo(want.revenue, 6);
    }
    expect(await run.rows('published')).toHaveLength(sent.length);

    const lineage = await run.lineage();
    const activityRun = lineage.find((e) => e.job.name === 'events.activity' && e.eventType === 'COMPLETE')!;
    expect(activityRun.inputs?.map((d) => d.name)).toEqual(['published/events']);
    expect(activityRun.outputs?.map((d) => d.name)).toEqual(['activity/users']);
  });

  it('quarantines a batch that breaks the data tests and keeps the malformed line with its reason', async () => {
    run = await testPipeline(events, { input: sample('events-bad.jsonl') });
    expect(run.status).toBe('FAILED');
    expect(run.step('test').status).toBe('FAILED');
    expect(run.step('activity').status).toBe('NOT_RUN');
    expect(await run.rows('published')).toEqual([]);
    expect(await run.rows('quarantine')).toHaveLength(14);
    const rejected = await run.rows('rejected');
    expect(rejected).toHaveLength(1);
    expect(JSON.stringify(rejected[0])).toContain('e-0010');

    const failed = (await run.lineage()).find((e) => e.job.name === 'events.test' && e.eventType === 'FAIL');
    expect(JSON.stringify(failed)).toMatch(/unique.*range|range.*unique/s);
  });
});
