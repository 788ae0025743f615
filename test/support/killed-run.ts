import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testEnvironment } from './environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

/** Runs the `sluice` CLI to the end. */
export function sluice(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args], {
    cwd: root,
    env: testEnvironment(env),
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The open step attempts the markers of a state directory list. */
export async function openSteps(stateDir: string): Promise<string[]> {
  const runs = join(stateDir, 'runs');
  const files = await readdir(runs).catch(() => [] as string[]);
  const open: string[] = [];
  for (const f of files.filter((f) => f.endsWith('.json'))) {
    const marker = JSON.parse(await readFile(join(runs, f), 'utf8').catch(() => '{}')) as { open?: Array<{ state: string }> };
    open.push(...(marker.open ?? []).map((o) => o.state));
  }
  return open;
}

/**
 * Starts `sluice run` and SIGKILLs it once `when` holds (polled every 20 ms), as a user's Ctrl-\\ or the OOM killer
 * would; resolves with what it printed and whether the kill came before the run ended on its own.
 */
export async function killRunWhen(
  args: string[],
  when: () => Promise<boolean>,
  env: Record<string, string> = {},
): Promise<{ killed: boolean; stderr: string }> {
  const child = spawn(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), 'run', ...args], {
    cwd: root,
    env: testEnvironment(env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let killed = false;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await when()) {
      killed = child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await exited;
  return { killed, stderr };
}
