import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import { killRunWhen, openSteps } from '../support/killed-run.ts';
import { parquetRows, runSluice, scratchProject, storedFile, storedKeys } from './project.ts';
import { tally } from './tally.ts';

const root = join(import.meta.dirname, '..', '..');
const PIPELINE = join(root, 'examples', 'churn', 'pipeline.ts');
const BUCKET = 'churn-data';
const ROWS = 150_000;
/** Where each run is killed: while this step is running, this long after it started (some land on its writes). */
const KILLS: ReadonlyArray<readonly [string, number]> = [
  ['ingest', 300],
  ['ingest', 2_500],
  ['test', 500],
  ['features', 800],
  ['score', 700],
  ['score', 1_600],
];

interface Event {
  eventType: string;
  job: { name: string };
  run: { runId: string };
}

/** Every Parquet object at a final key, whole or not, and every batch record's files as the record names them. */
async function checkStore(state: string): Promise<{ objects: number; partial: string[]; records: number; broken: string[] }> {
  const keys = await storedKeys(state, BUCKET, '');
  const partial: string[] = [];
  const parquet = keys.filter((k) => k.endsWith('.parquet'));
  for (const key of parquet) if ((await parquetRows(storedFile(state, BUCKET, key))) instanceof Error) partial.push(key);
  const records = keys.filter((k) => /\/_batches\/[^/]+\.json$/.test(k));
  const broken: string[] = [];
  for (const key of records) {
    const record = JSON.parse(await readFile(storedFile(state, BUCKET, key), 'utf8')) as { files: Array<{ key: string; rows: number }> };
    for (const file of record.files) {
      const rows = await parquetRows(storedFile(state, BUCKET, file.key));
      if (rows !== file.rows) broken.push(`${key} names ${file.key} of ${file.rows} rows, found ${String(rows)}`);
    }
  }
  return { objects: parquet.length, partial, records: records.length, broken };
}

describe('local runs SIGKILLed at every step, then run again on the same state directory', () => {
  let project: Awaited<ReturnType<typeof scratchProject>>;
  beforeAll(async () => {
    project = await scratchProject('kills');
    await generateCustomers(join(project.dir, 'customers.csv'), { rows: ROWS, seed: 3 });
  });
  afterAll(async () => {
    await project?.remove();
  });

  it('never leaves a partial object or a record without its data, closes every killed run and cleans its scratch', async () => {
    const state = join(project.dir, 'state');
    let killed = 0;
    let objects = 0;
    const partial: string[] = [];
    let records = 0;
    const broken: string[] = [];
    for (const [i, [step, delay]] of KILLS.entries()) {
      // A step may end before the delay on a fast, idle machine: the run then ends whole and is tried again with half
      // the delay, until the kill lands (its objects are checked all the same).
      for (let wait = delay, landed = false; !landed && wait >= 10; wait = Math.floor(wait / 2)) {
        const input = join(project.dir, `customers-${i}-${wait}.csv`);
        await copyFile(join(project.dir, 'customers.csv'), input);
        let seen = 0;
        const run = await killRunWhen(['--state-dir', state, '--input', input, PIPELINE], async () => {
          if (!seen && (await openSteps(state)).includes(step)) seen = Date.now();
          return seen > 0 && Date.now() - seen >= wait;
        });
        landed = run.killed;
        if (run.killed) killed += 1;
        const store = await checkStore(state);
        objects += store.objects;
        partial.push(...store.partial);
        records += store.records;
        broken.push(...store.broken);
      }
    }
    // The next run closes the killed ones in lineage and removes their scratch, then runs whole.
    const last = await runSluice(['run', '--state-dir', state, '--input', join(project.dir, 'customers.csv'), '--json', PIPELINE]);
    expect(last.code, last.stderr).toBe(0);
    const store = await checkStore(state);
    objects += store.objects;
    partial.push(...store.partial);
    records += store.records;
    broken.push(...store.broken);

    const events = (await readFile(join(state, 'lineage', 'events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event);
    const started = new Map(events.filter((e) => e.eventType === 'START').map((e) => [e.run.runId, e.job.name]));
    const ended = new Set(events.filter((e) => ['COMPLETE', 'FAIL', 'ABORT'].includes(e.eventType)).map((e) => e.run.runId));
    const open = [...started].filter(([id]) => !ended.has(id)).map(([, job]) => job);
    const scratchLeft = await readdir(join(state, 'scratch')).catch(() => [] as string[]);
    const markersLeft = await readdir(join(state, 'runs')).catch(() => [] as string[]);

    tally({
      promise: 'atomic publication',
      scenario: `${KILLS.length} runs SIGKILLed in ingest, test, features, score: Parquet objects at final keys whole`,
      tried: objects,
      held: objects - partial.length,
      lost: partial.length,
    });
    tally({
      promise: 'atomic publication',
      scenario: 'after each kill: every batch record names whole files of its row counts',
      tried: records,
      held: records - broken.length,
      lost: broken.length,
    });
    tally({
      promise: 'no run left open',
      scenario: 'runs and steps a kill left STARTed are closed (ABORT) by the next run',
      tried: started.size,
      held: started.size - open.length,
      lost: open.length,
      note: `${killed} of ${KILLS.length} kills landed; scratch folders left: ${scratchLeft.length}`,
    });
    expect(killed).toBe(KILLS.length);
    expect(partial).toEqual([]);
    expect(broken).toEqual([]);
    expect(open).toEqual([]);
    expect(scratchLeft).toEqual([]);
    expect(markersLeft).toEqual([]);
  });
});
