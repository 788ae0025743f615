import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeliveryCircuit,
  DirectoryOutbox,
  HttpTransport,
  OpenLineageClient,
  SafeEmitter,
  replayOutbox,
  runEvent,
  uuidv7,
} from '../../lineage/index.ts';
import type { LineageOutbox } from '../../lineage/index.ts';
import { refusedUrl, startLineageServer } from './lineage-server.ts';
import type { LineageServer } from './lineage-server.ts';

let dir: string;
let servers: LineageServer[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-outbox-'));
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  await rm(dir, { recursive: true, force: true });
});

const server = async (...args: Parameters<typeof startLineageServer>) => {
  const s = await startLineageServer(...args);
  servers.push(s);
  return s;
};
const event = (eventType: 'START' | 'COMPLETE' = 'START', name = 'churn.ingest') =>
  runEvent({ eventType, run: { runId: uuidv7() }, job: { namespace: 'sluice', name } });
const fastHttp = (url: string) =>
  new OpenLineageClient({ transport: new HttpTransport({ url, retry: { total: 2, backoff_factor: 0.01 } }) });
const quiet = { onError: () => {} };
const sentNames = (s: LineageServer) => s.requests.map((r) => (JSON.parse(r.body) as { job: { name: string } }).job.name);

describe('DirectoryOutbox', () => {
  it('does list entries in the order they were put and ignore other files', async () => {
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    expect(await outbox.list()).toEqual([]);
    const names = [];
    for (let i = 0; i < 25; i += 1) names.push(await outbox.put(`{"n":${i}}`));
    await writeFile(join(dir, 'outbox', 'notes.txt'), 'not an entry');
    await writeFile(join(dir, 'outbox', `.${names[0]}.tmp`), '{"half":');
    expect(await outbox.list()).toEqual(names);
    expect(JSON.parse(await outbox.read(names[3]!))).toEqual({ n: 3 });
    await outbox.remove(names[0]!);
    await outbox.remove(names[0]!);
    expect(await outbox.list()).toEqual(names.slice(1));
  });
});

describe('SafeEmitter with an outbox', () => {
  it('does keep the event in the outbox when the backend refuses connections', async () => {
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    const errors: string[] = [];
    const emitter = new SafeEmitter(fastHttp(await refusedUrl()), { outbox, onError: (m) => errors.push(m) });
    const e = event();
    const result = await emitter.emit(e);
    expect(result).toMatchObject({ delivered: false, outbox: (await outbox.list())[0] });
    expect(JSON.parse(await outbox.read(result.outbox!))).toEqual(JSON.parse(JSON.stringify(e)));
    expect(emitter.stats()).toEqual({ delivered: 0, failed: 1, outboxed: 1, inFlight: 0 });
    expect(errors[0]).toMatch(/not delivered to http .*ECONNREFUSED.*; kept in the outbox \(directory .*\) for "sluice lineage replay"$/);
  });

  it('does send later events straight to the outbox when a delivery just failed in this process', async () => {
    const failing = await server([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    DeliveryCircuit.for(`http ${failing.url}/api/v1/lineage`).close();
    await new SafeEmitter(fastHttp(failing.url), { outbox, ...quiet }).emit(event('START'));
    expect(failing.requests).toHaveLength(3);
    // A new emitter (the next step invocation) for the same backend learns from the shared circuit.
    const next = new SafeEmitter(fastHttp(failing.url), { outbox, ...quiet });
    const result = await next.emit(event('START', 'churn.test'));
    expect(result.error).toMatch(/^backend unavailable \(a delivery failed \d+ ms ago\), not retried yet$/);
    expect(failing.requests).toHaveLength(3);
    expect(await outbox.list()).toHaveLength(2);
  });

  it('does keep a rejected event without treating the backend as down', async () => {
    const picky = await server([{ status: 401, body: 'bad key' }]);
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    const circuit = new DeliveryCircuit();
    const rejected = await new SafeEmitter(fastHttp(picky.url), { outbox, circuit, ...quiet }).emit(event());
    expect(rejected.error).toMatch(/answered 401/);
    expect(circuit.isOpen()).toBe(false);
    await expect(new SafeEmitter(fastHttp(picky.url), { outbox, circuit, ...quiet }).emit(event())).resolves.toEqual({ delivered: true });
    expect(await outbox.list()).toEqual([rejected.outbox]);
  });

  it('does try the backend again once the cooldown has passed', async () => {
    let now = 0;
    const circuit = new DeliveryCircuit({ cooldownMs: 1000, now: () => now });
    const flaky = await server([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    await new SafeEmitter(fastHttp(flaky.url), { outbox, circuit, ...quiet }).emit(event());
    now = 1001;
    await expect(new SafeEmitter(fastHttp(flaky.url), { outbox, circuit, ...quiet }).emit(event())).resolves.toEqual({ delivered: true });
    expect(circuit.isOpen()).toBe(false);
  });

  it("does queue an emitter's later events behind the one it stored, so they keep their order", async () => {
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    const live = await server([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const circuit = new DeliveryCircuit({ cooldownMs: 0 });
    const emitter = new SafeEmitter(fastHttp(live.url), { outbox, circuit, ...quiet });
    await emitter.emit(event('START'));
    const result = await emitter.emit(event('COMPLETE'));
    expect(result.error).toBe("queued behind this run's earlier events in the outbox");
    expect(live.requests).toHaveLength(3);
    const kinds = await Promise.all(
      (await outbox.list()).map(async (n) => (JSON.parse(await outbox.read(n)) as { eventType: string }).eventType),
    );
    expect(kinds).toEqual(['START', 'COMPLETE']);
  });

  it('does store the event when the backend does not answer by the deadline', async () => {
    const hanging = await server(['hang', 'hang']);
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    const result = await new SafeEmitter(fastHttp(hanging.url), { outbox, deadlineMs: 150, circuit: new DeliveryCircuit(), ...quiet }).emit(
      event(),
    );
    expect(result.error).toContain('150 ms deadline');
    expect(await outbox.list()).toEqual([result.outbox]);
  });

  it('does not store an invalid event, which no replay could deliver', async () => {
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    const live = await server();
    const result = await new SafeEmitter(fastHttp(live.url), { outbox, circuit: new DeliveryCircuit(), ...quiet }).emit({
      ...event(),
      run: { runId: 'nope' },
    });
    expect(result.delivered).toBe(false);
    const open = new DeliveryCircuit();
    open.open();
    const diverted = await new SafeEmitter(fastHttp(live.url), { outbox, circuit: open, ...quiet }).emit({
      ...event(),
      run: { runId: 'nope' },
    });
    expect(diverted.error).toMatch(/^invalid OpenLineage RunEvent: run.runId/);
    expect(await outbox.list()).toEqual([]);
  });

  it('does say the event is lost when the outbox cannot store it', async () => {
    const broken: LineageOutbox = {
      put: async () => Promise.reject(new Error('disk full')),
      list: async () => [],
      read: async () => '',
      remove: async () => {},
      describe: () => 'broken',
    };
    const errors: string[] = [];
    const result = await new SafeEmitter(fastHttp(await refusedUrl()), { outbox: broken, onError: (m) => errors.push(m) }).emit(event());
    expect(result.outbox).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/could not be stored in the outbox \(broken\), so it is lost: disk full$/);
  });

  it('does deliver every event once with its Bearer header when the server answers 503 before 201', async () => {
    const flaky = await server([{ status: 503 }, { status: 503 }, { status: 201 }, { status: 503 }, { status: 201 }]);
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    const client = new OpenLineageClient({ env: { OPENLINEAGE_URL: flaky.url, OPENLINEAGE_API_KEY: 'k-503' } });
    const emitter = new SafeEmitter(client, { outbox, circuit: new DeliveryCircuit(), ...quiet });
    expect(await emitter.emit(event('START'))).toEqual({ delivered: true });
    expect(await emitter.emit(event('COMPLETE'))).toEqual({ delivered: true });
    const accepted = flaky.requests.filter((_, i) => i === 2 || i === 4);
    expect(accepted.map((r) => (JSON.parse(r.body) as { eventType: string }).eventType)).toEqual(['START', 'COMPLETE']);
    expect(new Set(flaky.requests.map((r) => r.headers['authorization']))).toEqual(new Set(['Bearer k-503']));
    expect(await outbox.list()).toEqual([]);
  });
});

describe('replayOutbox', () => {
  async function filled(count: number) {
    const outbox = new DirectoryOutbox(join(dir, 'outbox'));
    const emitter = new SafeEmitter(fastHttp(await refusedUrl()), { outbox, ...quiet });
    for (let i = 0; i < count; i += 1) await emitter.emit(event('START', `churn.step${i}`));
    return outbox;
  }

  it('does deliver the outbox in order and send nothing twice when run twice', async () => {
    const outbox = await filled(5);
    const live = await server();
    const first = await replayOutbox(outbox, fastHttp(live.url));
    expect(first.delivered).toHaveLength(5);
    expect(sentNames(live)).toEqual(['churn.step0', 'churn.step1', 'churn.step2', 'churn.step3', 'churn.step4']);
    const second = await replayOutbox(outbox, fastHttp(live.url));
    expect(second).toEqual({ delivered: [], rejected: [], notTried: 0, skipped: 0 });
    expect(live.requests).toHaveLength(5);
    expect(await readdir(join(dir, 'outbox'))).toEqual([]);
  });

  it('does keep rejected and corrupt entries and deliver the rest', async () => {
    const outbox = await filled(3);
    const corrupt = await outbox.put('{"eventType": "START", "run"');
    const picky = await server([{ status: 201 }, { status: 400, body: 'bad facet' }]);
    const report = await replayOutbox(outbox, fastHttp(picky.url));
    expect(report.delivered).toHaveLength(2);
    expect(report.rejected.map((r) => r.entry)).toEqual([(await outbox.list())[0], corrupt]);
    expect(report.rejected[0]!.reason).toMatch(/answered 400.*bad facet/);
    expect(report.rejected[1]!.reason).toMatch(/^not a valid OpenLineage event: /);
  });

  it('does stop as aborted when the signal fires during a delivery, keeping the entry', async () => {
    const outbox = await filled(2);
    const hanging = await server(['hang']);
    const report = await replayOutbox(outbox, fastHttp(hanging.url), { signal: AbortSignal.timeout(100) });
    expect(report).toMatchObject({ delivered: [], notTried: 2, stoppedBy: 'aborted' });
    expect(await outbox.list()).toHaveLength(2);
  });

  it('does stop at the first entry when the backend is still down and keep everything', async () => {
    const outbox = await filled(3);
    const report = await replayOutbox(outbox, fastHttp(await refusedUrl()));
    expect(report).toMatchObject({
      delivered: [],
      rejected: [],
      notTried: 3,
      stoppedBy: expect.stringMatching(/ECONNREFUSED/) as unknown as string,
    });
    expect(await outbox.list()).toHaveLength(3);
  });
});
