import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killRunWhen, openSteps, sluice } from '../support/killed-run.ts';

const root = join(import.meta.dirname, '..', '..');
const pipeline = (ingest = '') => `import { z } from 'zod';
import { definePipeline } from ${JSON.stringify(join(root, 'lib', 'index.ts'))};
export default definePipeline({
  name: 'killed',
  datasets: {
    raw: { bucket: 'killed-data', prefix: 'raw', format: 'csv', schema: z.object({ id: z.string(), amount: z.number() }) },
    staged: { bucket: 'killed-data', prefix: 'staged', format: 'parquet' },
    rejected: { bucket: 'killed-data', prefix: 'rejected', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected'${ingest} }],
});
`;

const events = async (stateDir: string) =>
  (await readFile(join(stateDir, 'lineage', 'events.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { eventType: string; job: { name: string }; run: { runId: string; facets?: Record<string, any> } });

describe('a local run killed mid-step', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-killed-'));
    await writeFile(join(dir, 'pipeline.ts'), pipeline());
    // In parts of 1 MiB, two at a time: a kill lands while parts run in the Distributed Map's child executions.
    await writeFile(join(dir, 'pipeline-parts.ts'), pipeline(', parts: { above: 1024, size: 1024 * 1024, concurrency: 2 }'));
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
    const rows = Array.from({ length: 600_000 }, (_, i) => `c${i},${i}.25`).join('\n');
    await writeFile(join(dir, 'big.csv'), `id,amount\n${rows}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is closed in lineage with ABORT and a reason, and its scratch folder removed, by sluice lineage close-killed', async () => {
    const state = join(dir, 'state');
    const run = await killRunWhen(
      ['--state-dir', state, '--input', join(dir, 'big.csv'), join(dir, 'pipeline.ts')],
      async () =>
        (await openSteps(state)).includes('ingest') &&
        (await readFile(join(state, 'lineage', 'events.jsonl'), 'utf8').catch(() => '')).includes('"killed.ingest"'),
    );
    expect(run.killed).toBe(true);
    const before = await events(state);
    expect(before.map((e) => `${e.job.name} ${e.eventType}`)).toEqual(['killed START', 'killed.ingest START']);
    expect(await readdir(join(state, 'scratch'))).toHaveLength(1);

    const closed = sluice(['lineage', 'close-killed', '--state-dir', state]);
    expect(closed.status).toBe(0);
    expect(closed.stdout).toMatch(/^closed killed arn:aws:states:.*:execution:killed:local-.* \(started .*; steps open: ingest\)\n$/);
    const after = await events(state);
    expect(after.slice(2).map((e) => `${e.job.name} ${e.eventType}`)).toEqual(['killed.ingest ABORT', 'killed ABORT']);
    expect(after[2]!.run.runId).toBe(before[1]!.run.runId);
    expect(after[3]!.run.facets?.errorMessage?.message).toMatch(/ended without finishing: it was killed or crashed/);
    expect(await readdir(join(state, 'scratch'))).toEqual([]);
    expect(await readdir(join(state, 'runs'))).toEqual([]);
    expect(sluice(['lineage', 'close-killed', '--state-dir', state]).stdout).toBe('no killed run to close\n');
  });

  it("closes the runs of a Distributed Map's child executions too: every run that started has ended", async () => {
    const state = join(dir, 'state-parts');
    const run = await killRunWhen(
      ['--state-dir', state, '--input', join(dir, 'big.csv'), join(dir, 'pipeline-parts.ts')],
      async () =>
        (await openSteps(state)).includes('ingest.part') &&
        (await readFile(join(state, 'lineage', 'events.jsonl'), 'utf8').catch(() => '')).includes('"killed.ingest.part"'),
    );
    expect(run.killed).toBe(true);
    const closed = sluice(['lineage', 'close-killed', '--state-dir', state]);
    expect(closed.status).toBe(0);
    expect(closed.stdout).toMatch(/steps open: ingest\.part\)\n$/);
    const all = await events(state);
    const started = all.filter((e) => e.eventType === 'START');
    expect(started.some((e) => e.job.name === 'killed.ingest.part')).toBe(true);
    // Each run's last event ends it, under the job it started as; an aborted part names the pipeline run as parent.
    for (const start of started) {
      const last = all.filter((e) => e.run.runId === start.run.runId).at(-1)!;
      expect([start.job.name, last.job.name, last.eventType]).toEqual([
        start.job.name,
        start.job.name,
        expect.stringMatching(/^(COMPLETE|ABORT|FAIL)$/),
      ]);
    }
    const aborted = all.filter((e) => e.job.name === 'killed.ingest.part' && e.eventType === 'ABORT');
    expect(aborted.length).toBeGreaterThan(0);
    const pipelineRun = all.find((e) => e.job.name === 'killed')!.run.runId;
    for (const e of aborted) expect(e.run.facets?.parent?.run?.runId).toBe(pipelineRun);
  });
});
