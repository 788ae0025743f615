import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import { DirectoryOutbox, runEvent, serializeEvent, uuidv7 } from '../../lineage/index.ts';
import { startLineageServer } from '../lineage/lineage-server.ts';
import { runSluice, scratchProject, storedFile, writePipeline } from './project.ts';
import { tally } from './tally.ts';

const root = join(import.meta.dirname, '..', '..');
const TRIALS = 3;

interface Report {
  status: string;
  steps: Array<{ result?: { rowsIn?: number; rowsOut?: number } }>;
  error?: { name?: string; message?: string };
}

describe('races between processes', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  beforeAll(async () => {
    project = await scratchProject('races');
  });
  afterAll(async () => {
    await project?.remove();
  });

  it('two uploads to the same key at once: each run stages its own rows or fails clearly, never the other’s', async () => {
    const pipeline = await writePipeline(
      project.dir,
      'same-key.ts',
      `{
  name: 'samekey',
  datasets: {
    raw: { bucket: 'race-data', prefix: 'raw', format: 'csv', schema: z.object({ id: z.string(), n: z.int() }) },
    staged: { bucket: 'race-data', prefix: 'staged', format: 'parquet' },
    rejected: { bucket: 'race-data', prefix: 'rejected', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' }],
}`,
    );
    const sizes = { a: 30_000, b: 50_000 } as const;
    for (const [side, rows] of Object.entries(sizes)) {
      await mkdir(join(project.dir, side), { recursive: true });
      const lines = Array.from({ length: rows }, (_, i) => `${side}${i},${i}`);
      await writeFile(join(project.dir, side, 'orders.csv'), `id,n\n${lines.join('\n')}\n`);
    }
    let runs = 0;
    let right = 0;
    let refused = 0;
    const wrong: string[] = [];
    for (let t = 0; t < TRIALS; t++) {
      const state = join(project.dir, `same-key-${t}`);
      const results = await Promise.all(
        (['a', 'b'] as const).map(async (side) => {
          const run = await runSluice(['run', '--state-dir', state, '--input', join(project.dir, side, 'orders.csv'), '--json', pipeline], {
            OPENLINEAGE_DISABLED: 'true',
          });
          return { side, run };
        }),
      );
      for (const { side, run } of results) {
        runs += 1;
        const report = JSON.parse(run.stdout) as Report;
        const staged = report.steps[0]?.result?.rowsOut;
        if (run.code === 0 && staged === sizes[side]) right += 1;
        else if (run.code === 1 && report.error?.name === 'Sluice.STORE_OBJECT_CHANGED') refused += 1;
        else wrong.push(`trial ${t} upload ${side}: exit ${run.code}, staged ${staged}, ${report.error?.name} ${report.error?.message}`);
      }
    }
    tally({
      promise: 'pinned reads',
      scenario: `two uploads to one key at once, ${TRIALS} trials`,
      tried: runs,
      held: right + refused,
      lost: wrong.length,
      note: `${right} staged their own rows, ${refused} refused (STORE_OBJECT_CHANGED)`,
    });
    expect(wrong).toEqual([]);
  });

  it('three replays of one outbox at once deliver each event exactly once', async () => {
    let sent = 0;
    let once = 0;
    let twice = 0;
    for (let t = 0; t < TRIALS; t++) {
      const dir = join(project.dir, `outbox-${t}`);
      const outbox = new DirectoryOutbox(dir);
      const count = 30;
      for (let i = 0; i < count; i++) {
        await outbox.put(
          serializeEvent(runEvent({ eventType: 'START', run: { runId: uuidv7() }, job: { namespace: 'race', name: `job${i}` } })),
        );
      }
      const server = await startLineageServer();
      try {
        const runs = await Promise.all(
          [0, 1, 2].map(() => runSluice(['lineage', 'replay', '--outbox', dir, '--json'], { OPENLINEAGE_URL: server.url })),
        );
        for (const run of runs) expect(run.code, run.stderr).toBe(0);
        const jobs = server.requests.map((r) => (JSON.parse(r.body) as { job: { name: string } }).job.name);
        sent += count;
        const distinct = new Set(jobs).size;
        once += distinct;
        twice += jobs.length - distinct;
        expect(await outbox.list()).toEqual([]);
      } finally {
        await server.close();
      }
    }
    tally({
      promise: 'lineage exactly once per replay',
      scenario: `three \`sluice lineage replay\` at once, ${TRIALS} trials`,
      tried: sent,
      held: once - twice,
      lost: sent - once + twice,
      note: `${twice} sent twice`,
    });
    expect(twice).toBe(0);
    expect(once).toBe(sent);
  });

  it('two local runs at once on one state directory: both whole, the model uploaded once, the catalog counting each event once', async () => {
    const state = join(project.dir, 'shared-state');
    const pipeline = join(root, 'examples', 'churn', 'pipeline.ts');
    const inputs = ['monday.csv', 'tuesday.csv'].map((f) => join(project.dir, f));
    for (const [i, f] of inputs.entries()) await generateCustomers(f, { rows: 20_000, seed: 10 + i });
    let runs = 0;
    let whole = 0;
    const problems: string[] = [];
    const model = storedFile(state, 'churn-models', 'churn/xgboost/model.json');
    const modelWrites = new Set<number>();
    for (let t = 0; t < 2; t++) {
      const results = await Promise.all(
        inputs.map((input) => runSluice(['run', '--state-dir', state, '--input', input, '--json', pipeline])),
      );
      for (const run of results) {
        runs += 1;
        const report = JSON.parse(run.stdout) as Report;
        if (run.code === 0 && report.steps.every((s) => s.result?.rowsOut === 20_000)) whole += 1;
        else problems.push(`exit ${run.code}: ${report.error?.message ?? run.stderr.slice(0, 300)}`);
      }
      modelWrites.add((await stat(model)).mtimeMs);
    }
    // The model object is written by the first runs only: later runs find it identical and leave it alone.
    expect(modelWrites.size).toBe(1);
    expect(await readFile(model, 'utf8')).toBe(await readFile(join(root, 'examples', 'churn', 'model.json'), 'utf8'));
    const lines = (await readFile(join(state, 'lineage', 'events.jsonl'), 'utf8')).trim().split('\n').length;
    const db = new DatabaseSync(join(state, 'lineage', 'catalog.db'), { readOnly: true });
    const stored = (db.prepare('SELECT count(*) AS n FROM lineage_events').get() as { n: number }).n;
    db.close();
    tally({
      promise: 'concurrent local runs',
      scenario: 'two churn runs at once on one state directory, twice',
      tried: runs,
      held: whole,
      lost: runs - whole,
    });
    tally({
      promise: 'no lost lineage',
      scenario: 'events of concurrent runs imported into the state directory’s catalog exactly once',
      tried: lines,
      held: Math.min(lines, stored),
      lost: Math.abs(lines - stored),
    });
    expect(problems).toEqual([]);
    expect(stored).toBe(lines);
  });
});
