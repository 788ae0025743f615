import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testEnvironment } from '../support/environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

/** A `sluice lineage serve` process of the test's own, its URL, and how to stop it (SIGTERM) or kill it (SIGKILL). */
export interface ServedCatalog {
  readonly url: string;
  readonly child: ChildProcess;
  readonly stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `sluice lineage serve` on a free loopback port over `db`, as a user runs it. */
export async function serveCatalog(stateDir: string, db: string, extra: string[] = []): Promise<ServedCatalog> {
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
      stateDir,
      '--db',
      db,
      ...extra,
    ],
    { cwd: root, env: testEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`lineage serve exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url,
    child,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
