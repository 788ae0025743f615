import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCustomers } from '../../examples/churn/generate-data.ts';
import churn from '../../examples/churn/pipeline.ts';
import { DirectoryOutbox } from '../../lineage/index.ts';
import { runLocal, type RunReport } from '../../lib/local/index.ts';
import { refusedUrl, startLineageServer, type LineageServer } from '../lineage/lineage-server.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';
import { captureStderr } from '../support/environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');
const exampleDir = join(root, 'examples', 'churn');
const JOBS = ['churn', 'churn.ingest', 'churn.test', 'churn.features', 'churn.score'];

// Asynchronous, so the lineage server in this process keeps answering while the CLI runs.
function sluice(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OPENLINEAGE') && k !== 'SLUICE_LINEAGE_OUTBOX'),
  );
  return new Promise((resolve) => {
    execFile(
      node,
      ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args],
      { cwd: root, encoding: 'utf8', env: { ...clean, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the churn example with its lineage backend unreachable, then replayed', () => {
  let dir: string;
  let stateDir: string;
  let report: RunReport;
  let server: LineageServer;
  let outbox: DirectoryOutbox;
  let queued: Array<{ eventType: string; job: { name: string } }>;
  let warnings: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-outbox-e2e-'));
    stateDir = join(dir, 'state');
    const input = join(dir, 'customers.csv');
    await generateCustomers(input, { rows: 1000 });
    const url = await refusedUrl();
    const run = await captureStderr(() =>
      runLocal(churn, { stateDir, input, baseDir: exampleDir, env: { OPENLINEAGE_URL: url, OPENLINEAGE_API_KEY: 'e2e-secret-key' } }),
    );
    report = run.result;
    warnings = run.stderr.split('\n').filter((l) => l.startsWith('sluice: warning: lineage event'));
    outbox = new DirectoryOutbox(join(stateDir, 'lineage', 'outbox'));
    queued = await Promise.all((await outbox.list()).map(async (n) => JSON.parse(await outbox.read(n)) as (typeof queued)[number]));
    server = await startLineageServer();
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('does succeed although no event could be delivered, warning once per event', () => {
    expect(report.status).toBe('SUCCEEDED');
    expect(report.steps.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(warnings).toHaveLength(10);
    for (const w of warnings) expect(w).toContain('kept in the outbox');
    expect(warnings.join('\n')).not.toContain('e2e-secret-key');
  });

  it('does keep all 10 events of the run in the outbox, in order and valid', () => {
    expect(queued).toHaveLength(10);
    for (const job of JOBS) {
      const mine = queued.filter((e) => e.job.name === job).map((e) => e.eventType);
      expect([job, mine]).toEqual([job, ['START', 'COMPLETE']]);
    }
    expect(queued[0]).toMatchObject({ eventType: 'START', job: { name: 'churn' } });
    expect(queued.at(-1)).toMatchObject({ eventType: 'COMPLETE', job: { name: 'churn' } });
    for (const e of queued) expect(validateOpenLineageEvent(e)).toEqual([]);
  });

  it('does report the outbox with sluice lineage status', async () => {
    const status = await sluice(['lineage', 'status', '--state-dir', stateDir, '--json'], {});
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ count: 10, oldest: { time: expect.any(String) as unknown as string } });
  });

  it('does deliver every event once with sluice lineage replay, and nothing on a second replay', async () => {
    const env = { OPENLINEAGE_URL: server.url, OPENLINEAGE_API_KEY: 'e2e-secret-key' };
    const first = await sluice(['lineage', 'replay', '--state-dir', stateDir], env);
    expect([first.code, first.stdout]).toEqual([0, 'delivered 10 of 10 event(s); the outbox is empty\n']);
    expect(first.stderr).not.toContain('e2e-secret-key');
    const received = server.requests.map((r) => JSON.parse(r.body) as (typeof queued)[number]);
    expect(received).toEqual(queued);
    expect(new Set(server.requests.map((r) => r.headers['authorization']))).toEqual(new Set(['Bearer e2e-secret-key']));

    const second = await sluice(['lineage', 'replay', '--state-dir', stateDir, '--json'], env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ delivered: 0, rejected: [], notTried: 0 });
    expect(server.requests).toHaveLength(10);
  });
});

describe('the churn example with a backend that answers 503 before 201', () => {
  it('does deliver every event once, with the Bearer header, and leave the outbox empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-503-e2e-'));
    const server = await startLineageServer([{ status: 503 }, { status: 503 }]);
    try {
      const input = join(dir, 'customers.csv');
      await generateCustomers(input, { rows: 500 });
      const stateDir = join(dir, 'state');
      const run = await runLocal(churn, {
        stateDir,
        input,
        baseDir: exampleDir,
        env: { OPENLINEAGE_URL: server.url, OPENLINEAGE_API_KEY: 'k-503' },
      });
      expect(run.status).toBe('SUCCEEDED');
      const accepted = server.requests.slice(2).map((r) => JSON.parse(r.body) as { eventType: string; run: { runId: string } });
      expect(accepted).toHaveLength(10);
      expect(new Set(accepted.map((e) => `${e.run.runId} ${e.eventType}`)).size).toBe(10);
      expect(JSON.parse(server.requests[0]!.body)).toEqual(accepted[0]);
      expect(new Set(server.requests.map((r) => r.headers['authorization']))).toEqual(new Set(['Bearer k-503']));
      expect(await new DirectoryOutbox(join(stateDir, 'lineage', 'outbox')).list()).toEqual([]);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the churn example configured by an openlineage.yml', () => {
  it('does write every event where the Python-style file transport says, and not to the default file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-yaml-e2e-'));
    try {
      const input = join(dir, 'customers.csv');
      await generateCustomers(input, { rows: 500 });
      const log = join(dir, 'from-yaml', 'events.jsonl');
      const config = join(dir, 'openlineage.yml');
      await writeFile(config, `transport:\n  type: file\n  log_file_path: ${log}\n  append: true\n`);
      const stateDir = join(dir, 'state');
      const run = await runLocal(churn, { stateDir, input, baseDir: exampleDir, env: { OPENLINEAGE_CONFIG: config } });
      expect(run.status).toBe('SUCCEEDED');
      expect(run.lineage).toBe(`file ${log}`);
      const lines = (await readFile(log, 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(10);
      await expect(stat(join(stateDir, 'lineage', 'events.jsonl'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
