import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnvironment } from '../../support/environment.ts';
import { hostileEvent, sendRaw } from '../../support/hostile-requests.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');
const sluice = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), 'lineage', 'serve', ...args], {
    cwd: root,
    env: { ...testEnvironment(), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('sluice lineage serve, exposed beyond this machine', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-exposure-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses --host 0.0.0.0 without an API key, and says how to give one', () => {
    const run = sluice(['--host', '0.0.0.0', '--port', '0', '--state-dir', dir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--host 0.0.0.0: other machines could write lineage without a key; give --api-key-file');
  });

  it('refuses an --allow-origin that is not a web origin', () => {
    const run = sluice(['--allow-origin', 'localhost:3000/ui', '--port', '0', '--state-dir', dir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--allow-origin: expected a web origin like http://localhost:3000, got "localhost:3000/ui"');
  });

  it('refuses an unreadable or empty key file', async () => {
    expect(sluice(['--api-key-file', join(dir, 'missing'), '--state-dir', dir]).stderr).toMatch(
      /--api-key-file: cannot read .*missing: ENOENT/,
    );
    await writeFile(join(dir, 'empty-key'), '\n');
    expect(sluice(['--api-key-file', join(dir, 'empty-key'), '--state-dir', dir]).stderr).toMatch(/--api-key-file: .*empty-key is empty/);
  });

  it('reads the key from a file, so it is not in ps, and guards writes with it', async () => {
    await writeFile(join(dir, 'key'), 'file-secret\n', { mode: 0o600 });
    const child = spawn(
      node,
      [
        '--conditions=sluice-source',
        join(root, 'bin', 'sluice.ts'),
        'lineage',
        'serve',
        '--port',
        '0',
        '--state-dir',
        dir,
        '--api-key-file',
        join(dir, 'key'),
      ],
      { cwd: root, env: testEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const body = JSON.stringify(hostileEvent());
      const post = (key?: string) =>
        sendRaw(url, {
          method: 'POST',
          path: '/api/v1/lineage',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body,
        });
      expect((await post()).status).toBe(401);
      expect((await post('file-secret')).status).toBe(201);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('warns that a key given with --api-key shows in ps', () => {
    const run = sluice(['--api-key', 'k', '--port', 'x', '--state-dir', dir]);
    expect(run.stderr).toContain('sluice: warning: --api-key puts the key on the command line');
  });
});
