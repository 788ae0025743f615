import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryOutbox, serializeEvent, runEvent, uuidv7 } from '../../lineage/index.ts';
import { refusedUrl, startLineageServer } from './lineage-server.ts';
import type { LineageServer } from './lineage-server.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

// Asynchronous, so a lineage server in this process keeps answering while the CLI runs.
function sluice(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OPENLINEAGE') && k !== 'SLUICE_LINEAGE_OUTBOX'),
  );
  return new Promise((resolve) => {
    execFile(
      node,
      ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), 'lineage', ...args],
      { cwd: root, encoding: 'utf8', env: { ...clean, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
let server: LineageServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-replay-cli-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function fill(count: number): Promise<DirectoryOutbox> {
  const outbox = new DirectoryOutbox(join(dir, 'state', 'lineage', 'outbox'));
  for (let i = 0; i < count; i += 1) {
    await outbox.put(
      serializeEvent(runEvent({ eventType: 'START', run: { runId: uuidv7() }, job: { namespace: 'sluice', name: `job${i}` } })),
    );
  }
  return outbox;
}

describe('sluice lineage', () => {
  it('does print its usage and exit 0 with --help', async () => {
    const out = await sluice(['--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Usage: sluice lineage <replay \| status \| close-killed \| serve>/);
  });

  it('fails with exit 2 when the action is missing or unknown', async () => {
    for (const args of [[], ['resend'], ['replay', 'extra'], ['replay', '--bogus']]) {
      const out = await sluice(args);
      expect([args, out.code]).toEqual([args, 2]);
      expect(out.stderr).toMatch(/^sluice: /);
    }
  });

  it('fails with exit 2 when lineage is disabled, and keeps the outbox', async () => {
    const outbox = await fill(1);
    const out = await sluice(['replay', '--state-dir', join(dir, 'state')], { OPENLINEAGE_DISABLED: 'true' });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('OPENLINEAGE_DISABLED=true');
    expect(await outbox.list()).toHaveLength(1);
  });

  it('fails with exit 1 and keeps every event when the backend is still down', async () => {
    const outbox = await fill(2);
    const out = await sluice(['replay', '--state-dir', join(dir, 'state'), '--json'], {
      OPENLINEAGE__TRANSPORT__TYPE: 'http',
      OPENLINEAGE__TRANSPORT__URL: await refusedUrl(),
      OPENLINEAGE__TRANSPORT__RETRY: '{"total": 0}',
    });
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({
      delivered: 0,
      notTried: 2,
      stoppedBy: expect.stringMatching(/ECONNREFUSED/) as unknown as string,
    });
    expect(await outbox.list()).toHaveLength(2);
  });

  it('does replay an outbox named by --outbox to the configured backend', async () => {
    await fill(3);
    server = await startLineageServer();
    const out = await sluice(['replay', '--outbox', join(dir, 'state', 'lineage', 'outbox')], { OPENLINEAGE_URL: server.url });
    expect([out.code, out.stdout]).toEqual([0, 'delivered 3 of 3 event(s); the outbox is empty\n']);
    expect(server.requests.map((r) => (JSON.parse(r.body) as { job: { name: string } }).job.name)).toEqual(['job0', 'job1', 'job2']);
    const status = await sluice(['status', '--outbox', join(dir, 'state', 'lineage', 'outbox')]);
    expect(status.stdout).toMatch(/: empty\n$/);
  });

  it('never sends an event twice when replays run at the same time', async () => {
    await fill(40);
    server = await startLineageServer();
    const outbox = join(dir, 'state', 'lineage', 'outbox');
    const runs = await Promise.all([0, 1, 2].map(() => sluice(['replay', '--outbox', outbox, '--json'], { OPENLINEAGE_URL: server!.url })));
    const jobs = server.requests.map((r) => (JSON.parse(r.body) as { job: { name: string } }).job.name);
    expect(jobs).toHaveLength(40);
    expect(new Set(jobs).size).toBe(40);
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ rejected: [], notTried: 0 });
    }
    expect(runs.reduce((n, r) => n + (JSON.parse(r.stdout) as { delivered: number }).delivered, 0)).toBe(40);
    expect(await new DirectoryOutbox(outbox).list()).toEqual([]);
  });

  it('gives back the claim of a replay that was killed, once it lapses', async () => {
    const outbox = await fill(1);
    const [entry] = await outbox.list();
    expect(await outbox.claim(entry!)).toBe(true);
    expect(await new DirectoryOutbox(outbox.directory).list()).toEqual([]);
    const { readdir, rename } = await import('node:fs/promises');
    const [claimed] = (await readdir(outbox.directory)).filter((f) => f.startsWith('.claim-'));
    // A claim made 11 minutes ago: its replay is gone.
    await rename(
      join(outbox.directory, claimed!),
      join(outbox.directory, claimed!.replace(/^\.claim-\d+/, `.claim-${Date.now() - 11 * 60_000}`)),
    );
    expect(await new DirectoryOutbox(outbox.directory).list()).toEqual([entry]);
  });
});
