import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MlflowVenv } from './python-env.ts';

/** A running MLflow tracking server of the suite. */
export interface MlflowServer {
  readonly url: string;
  readonly pid: number;
  /** Its output, for a failing test's message. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What MLflow's server and clients need to use the suite's S3 (s3rver: fixed keys, path-style, no flexible checksums). */
export function s3Environment(endpoint: string): Record<string, string> {
  return {
    MLFLOW_S3_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}

/**
 * Starts `mlflow server` on 127.0.0.1: a SQLite backend under `stateDir`, artifacts proxied to `s3://models/mlflow` on
 * the suite's S3, one worker and no job runner (the defaults start 15 processes and 2.5 GB). It runs in a process group
 * of its own, started asynchronously (the S3 server may live in this process), and stops by that group's id.
 */
export async function startMlflowServer(venv: MlflowVenv, stateDir: string, s3Endpoint: string): Promise<MlflowServer> {
  const port = await freePort();
  const logFile = join(stateDir, 'mlflow-server.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    venv.mlflow,
    [
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
      '--backend-store-uri',
      `sqlite:///${join(stateDir, 'mlflow.db')}`,
      '--artifacts-destination',
      's3://models/mlflow',
    ],
    {
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? stateDir,
        ...s3Environment(s3Endpoint),
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
      },
    },
  );
  closeSync(out);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const pid = child.pid!;
  const stopGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  // If the test process dies first, the server must not outlive it.
  const onExit = () => stopGroup('SIGKILL');
  process.on('exit', onExit);
  const url = `http://127.0.0.1:${port}`;
  const log = () => readFile(logFile, 'utf8').catch(() => '');
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`mlflow server exited with ${exited} before it was ready:\n${(await log()).slice(-3000)}`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      stopGroup('SIGKILL');
      throw new Error(`mlflow server did not answer /health within 180 s:\n${(await log()).slice(-3000)}`);
    }
    await sleep(250);
  }
  return {
    url,
    pid,
    log,
    async stop() {
      process.off('exit', onExit);
      stopGroup('SIGTERM');
      for (let waited = 0; exited === undefined && waited < 20_000; waited += 100) await sleep(100);
      stopGroup('SIGKILL');
    },
  };
}
