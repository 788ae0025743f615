import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileRequests, sendRaw } from '../support/hostile-requests.ts';
import { serveCatalog, type ServedCatalog } from './serve-catalog.ts';
import { tally } from './tally.ts';

const SECONDS = Number(process.env.FAULT_SUITE_LOAD_SECONDS ?? 60);
const STREAMS = 6;
/** The WAL may pass the store's 32 MiB checkpoint threshold by what 20 commits add. */
const WAL_BOUND = 64 * 1024 * 1024;

const fields = Array.from({ length: 20 }, (_, i) => ({ name: `column_${i}`, type: i % 2 ? 'DOUBLE' : 'VARCHAR' }));
const schema = { _producer: 'load', _schemaURL: 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json', fields };

function runEvents(job: number): string[] {
  const runId = randomUUID();
  const base = {
    producer: 'https://example.com/load',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId },
    job: { namespace: 'load', name: `pipeline.step_${job % 40}` },
    inputs: [0, 1, 2].map((i) => ({ namespace: 's3://load-data', name: `raw/source_${(job + i) % 60}`, facets: { schema } })),
    outputs: [0, 1].map((i) => ({ namespace: 's3://load-data', name: `staged/table_${(job + i) % 60}`, facets: { schema } })),
  };
  const now = new Date().toISOString();
  return [
    JSON.stringify({ ...base, eventType: 'START', eventTime: now }),
    JSON.stringify({ ...base, eventType: 'COMPLETE', eventTime: new Date(Date.now() + 1000).toISOString() }),
  ];
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(-1));
      },
    );
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

describe(`the catalog under a ${SECONDS} s load with hostile requests mixed in`, () => {
  let dir: string;
  let catalog: ServedCatalog;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-load-'));
    catalog = await serveCatalog(dir, join(dir, 'catalog.db'));
  });
  afterAll(async () => {
    await catalog?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every request below 500, keeps the WAL bounded and stores every acknowledged event', async () => {
    const url = new URL('/api/v1/lineage', catalog.url);
    const agent = new Agent({ keepAlive: true, maxSockets: STREAMS + 2 });
    const hostile = hostileRequests().filter((r) => (r.body?.length ?? 0) < 4 * 1024 * 1024);
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    let acknowledged = 0;
    const hostileStored = new Set<string>();
    let walMax = 0;
    let samples = 0;
    let overBound = 0;
    const until = Date.now() + SECONDS * 1000;
    const sampler = setInterval(() => {
      void stat(join(dir, 'catalog.db-wal')).then(
        (s) => {
          samples += 1;
          walMax = Math.max(walMax, s.size);
          if (s.size > WAL_BOUND) overBound += 1;
        },
        () => undefined,
      );
    }, 250);
    let job = 0;
    const stream = async (n: number) => {
      for (let i = 0; Date.now() < until; i++) {
        if (n === 0 && i % 20 === 19) {
          const r = hostile[((i / 20) % hostile.length) | 0]!;
          const answer = await sendRaw(catalog.url, r).catch(() => ({ status: -1 }));
          count(answer.status);
          // The set repeats through the run: the catalog stores an identical event once, so it is counted once.
          if (answer.status === 201 && r.method === 'POST' && r.path === '/api/v1/lineage' && !hostileStored.has(String(r.body))) {
            hostileStored.add(String(r.body));
            acknowledged += 1;
          }
          continue;
        }
        if (n === 1 && i % 5 === 4) {
          const path = ['/api/v1/jobs?limit=100', '/api/v1/lineage?nodeId=job:load:pipeline.step_1&depth=5', '/api/v1/search?q=table'][
            i % 3
          ]!;
          count((await sendRaw(catalog.url, { method: 'GET', path }).catch(() => ({ status: -1 }))).status);
          continue;
        }
        for (const body of runEvents(job++)) {
          const status = await post(agent, url, body);
          count(status);
          if (status === 201) acknowledged += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: STREAMS }, (_, n) => stream(n)));
    clearInterval(sampler);
    agent.destroy();
    expect(await catalog.stop()).toBe(0);

    const db = new DatabaseSync(join(dir, 'catalog.db'), { readOnly: true });
    const stored = (db.prepare('SELECT count(*) AS n FROM lineage_events').get() as { n: number }).n;
    db.close();
    const requests = [...statuses.values()].reduce((a, b) => a + b, 0);
    const failed = [...statuses].filter(([s]) => s >= 500 || s < 0).reduce((a, [, n]) => a + n, 0);
    const note = `${(acknowledged / SECONDS).toFixed(0)} events/s; WAL max ${(walMax / 2 ** 20).toFixed(1)} MiB`;
    tally({
      promise: 'no 5xx',
      scenario: `catalog load, ${SECONDS} s, ${STREAMS} clients`,
      tried: requests,
      held: requests - failed,
      lost: failed,
      note,
    });
    tally({
      promise: 'bounded WAL',
      scenario: `WAL sampled every 250 ms (bound ${WAL_BOUND / 2 ** 20} MiB)`,
      tried: samples,
      held: samples - overBound,
      lost: overBound,
    });
    tally({
      promise: 'no lost lineage',
      scenario: 'acknowledged events stored (an identical event once)',
      tried: acknowledged,
      held: Math.min(stored, acknowledged),
      lost: Math.max(0, acknowledged - stored),
    });
    expect(Object.fromEntries(statuses)).not.toHaveProperty('500');
    expect(failed).toBe(0);
    expect(walMax).toBeLessThanOrEqual(WAL_BOUND);
    expect(stored).toBe(acknowledged);
  });
});
