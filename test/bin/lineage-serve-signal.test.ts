import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnvironment } from '../support/environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

/** GET with a keep-alive agent, so the connection stays open after the answer (as a browser's does). */
function get(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

describe('sluice lineage serve and signals', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-serve-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops on %s to its PID, with a client connection open, and frees the port', async (signal) => {
    const child = spawn(
      node,
      ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), 'lineage', 'serve', '--port', '0', '--state-dir', join(dir, signal)],
      {
        cwd: root,
        env: testEnvironment(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const m = /lineage catalog on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`lineage serve exited before listening: ${stdout}`)));
    });
    const agent = new Agent({ keepAlive: true });
    expect(await get(`${url}/api/v1/namespaces`, agent)).toBe(200);
    child.kill(signal);
    // The process itself ends (it is the server: nothing stands between the PID and it), cleanly.
    expect(await exited).toEqual({ code: 0, signal: null });
    await expect(get(`${url}/api/v1/namespaces`, new Agent())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    agent.destroy();
  });

  it('stops when the launcher it runs under (npx: npm exec and a shell) ends without passing the signal on', async () => {
    // `; true` keeps the shell from replacing itself with node, as the shell npm exec starts does not.
    const command = `"${node}" --conditions=sluice-source "${join(root, 'bin', 'sluice.ts')}" lineage serve --port 0 --state-dir "${join(dir, 'launcher')}"; true`;
    const launcher = spawn('sh', ['-c', command], { cwd: root, env: testEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      launcher.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const m = /lineage catalog on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      launcher.on('exit', () => reject(new Error(`lineage serve exited before listening: ${stdout}`)));
    });
    expect(await get(`${url}/api/v1/namespaces`, new Agent())).toBe(200);
    launcher.kill('SIGKILL');
    // The server, left to init, stops by itself and frees the port: poll until the port refuses connections.
    let refused = false;
    for (let i = 0; i < 300 && !refused; i++) {
      refused = await get(`${url}/api/v1/namespaces`, new Agent()).then(
        () => false,
        (error: { code?: string }) => error.code === 'ECONNREFUSED',
      );
      if (!refused) await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused).toBe(true);
  });
});
