import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore, importEventsFile } from '../../../lineage/catalog/index.ts';
import { churnEventStream, getJson } from './churn-events.ts';
import type { ChurnStream } from './churn-events.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

describe('sluice lineage serve over a local state directory', () => {
  let dir: string;
  let stream: ChurnStream;
  let child: ChildProcess | undefined;
  let url: string;
  let stderr = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-serve-'));
    stream = await churnEventStream();
    await mkdir(join(dir, 'lineage'), { recursive: true });
    await writeFile(
      join(dir, 'lineage', 'events.jsonl'),
      stream.events
        .slice(0, 10)
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
    );
    child = spawn(
      node,
      ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), 'lineage', 'serve', '--state-dir', dir, '--port', '0'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      process.kill(child.pid!, 'SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('imports the events local runs wrote and serves them', async () => {
    const { body } = await getJson(url, 'namespaces/sluice/jobs/churn/runs');
    expect(body.runs.map((r: { state: string }) => r.state)).toEqual(['COMPLETED']);
    expect(stderr).toContain('imported 10 event(s)');
  });

  it('picks up events appended while it serves, each once', async () => {
    await appendFile(
      join(dir, 'lineage', 'events.jsonl'),
      stream.events
        .slice(10)
        .map((e) => `${JSON.stringify(e)}\n`)
        .join(''),
    );
    await expect.poll(async () => (await getJson(url, 'namespaces/sluice/jobs/churn/runs')).body.totalCount, { timeout: 10_000 }).toBe(2);
    const { body } = await getJson(url, 'events/lineage?limit=100');
    expect(body.events).toHaveLength(stream.events.length);
  });

  it('serves the lineage page at /', async () => {
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('importEventsFile', () => {
  it('imports a file once, waits for a partial last line and reports bad lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-import-'));
    try {
      const file = join(dir, 'events.jsonl');
      const event = {
        eventType: 'START',
        eventTime: '2025-01-01T00:00:00Z',
        producer: 'https://example.com/p',
        run: { runId: '0196f5a0-0000-7000-8000-000000000009' },
        job: { namespace: 'n', name: 'j' },
      };
      await writeFile(file, `${JSON.stringify(event)}\nnot json\n{"eventTime":`);
      const store = new CatalogStore();
      expect(await importEventsFile(store, file)).toMatchObject({ imported: 1, rejected: 1 });
      expect(await importEventsFile(store, file)).toMatchObject({ imported: 0, rejected: 0 });
      await appendFile(file, `"x"}\n`);
      expect(await importEventsFile(store, file)).toMatchObject({ imported: 0, rejected: 1 });
      expect(await importEventsFile(store, join(dir, 'missing.jsonl'))).toMatchObject({ imported: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
