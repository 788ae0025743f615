import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Raised when a component the suite needs (Python, PyPI) is missing: the suite's runner says what to install. */
export class MlflowUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MlflowUnavailableError';
  }
}

/** A finished child process: its exit code and what it printed (stdout and stderr, interleaved). */
export interface Finished {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs a command without blocking the event loop (an in-process S3 server must keep answering meanwhile), collecting
 * its output; `log` also receives it as it comes.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; log?: NodeJS.WritableStream } = {},
): Promise<Finished> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      options.log?.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => resolve({ code: null, output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The environment of the suite's Python: a venv with mlflow and xgboost-cpu, as requirements.txt pins them. */
export interface MlflowVenv {
  readonly dir: string;
  readonly python: string;
  readonly mlflow: string;
}

const REQUIREMENTS = join(import.meta.dirname, 'requirements.txt');

/** Where the venv for the current requirements lives: `<cacheDir>/venv-<digest of requirements.txt>`. */
export async function venvPath(cacheDir: string): Promise<MlflowVenv> {
  const digest = createHash('sha256')
    .update(await readFile(REQUIREMENTS))
    .digest('hex')
    .slice(0, 12);
  const dir = join(cacheDir, `venv-${digest}`);
  return { dir, python: join(dir, 'bin', 'python'), mlflow: join(dir, 'bin', 'mlflow') };
}

/**
 * Makes sure the venv exists, creating it with `python3 -m venv` and installing requirements.txt from PyPI on first
 * use (one to a few minutes); later runs reuse it. The venv counts as made only once its marker file is written.
 */
export async function ensureMlflowVenv(cacheDir: string, say: (line: string) => void): Promise<MlflowVenv> {
  const venv = await venvPath(cacheDir);
  const marker = join(venv.dir, '.installed');
  if (
    await access(marker).then(
      () => true,
      () => false,
    )
  )
    return venv;
  const python = process.env.SLUICE_PYTHON ?? 'python3';
  const probe = await run(python, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])']);
  const [major, minor] = probe.output.trim().split('.').map(Number);
  if (probe.code !== 0 || major !== 3 || (minor ?? 0) < 10) {
    throw new MlflowUnavailableError(
      `${python} is not Python 3.10+ with venv (${probe.output.trim().split('\n').pop() || 'not found'}); Debian: apt-get install -y python3 python3-venv, or set SLUICE_PYTHON`,
    );
  }
  await mkdir(cacheDir, { recursive: true });
  // No marker: a venv left half-made by an interrupted install; it is made again from scratch.
  await rm(venv.dir, { recursive: true, force: true });
  const logFile = join(cacheDir, 'pip-install.log');
  const log = createWriteStream(logFile);
  try {
    say(`creating ${venv.dir} and installing ${REQUIREMENTS} from PyPI (one to a few minutes, once; output in ${logFile})`);
    const made = await run(python, ['-m', 'venv', venv.dir], { log });
    if (made.code !== 0) throw new MlflowUnavailableError(`python3 -m venv failed: ${made.output.trim().split('\n').pop()}`);
    const pip = await run(venv.python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', REQUIREMENTS], { log });
    if (pip.code !== 0) {
      throw new MlflowUnavailableError(`pip install failed (PyPI unreachable?): ${pip.output.trim().split('\n').slice(-3).join(' | ')}`);
    }
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
  await writeFile(marker, `${new Date().toISOString()}\n`);
  return venv;
}
