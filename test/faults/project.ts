import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { testEnvironment } from '../support/environment.ts';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

/** What a `sluice` process printed and how it ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `sluice` CLI as its own process to the end (asynchronously, so several can run at once). */
export function runSluice(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      node,
      ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args],
      { cwd: root, env: testEnvironment(env), encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A line of a JavaScript stack trace, which a user must never see for bad input. */
export const STACK_LINE = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/** A scratch project folder: pipeline files import Sluice from this checkout, as an installed package would. */
export async function scratchProject(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `sluice-${prefix}-`));
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a pipeline module into `dir` that defines `body` (the object given to definePipeline), and returns its path. */
export async function writePipeline(dir: string, file: string, body: string): Promise<string> {
  const path = join(dir, file);
  await writeFile(
    path,
    `import { z } from 'zod';\nimport { definePipeline } from ${JSON.stringify(join(root, 'lib', 'index.ts'))};\nexport default definePipeline(${body});\n`,
  );
  return path;
}

/** The keys of the objects the embedded S3 of a state directory holds under `prefix` of `bucket`. */
export async function storedKeys(stateDir: string, bucket: string, prefix: string): Promise<string[]> {
  const base = join(stateDir, 's3', bucket);
  const found = await readdir(join(base, prefix), { recursive: true }).catch(() => [] as string[]);
  return found
    .filter((f) => f.endsWith('._S3rver_object'))
    .map((f) => `${prefix}/${f.slice(0, -'._S3rver_object'.length)}`)
    .sort();
}

/** The stored file of an object of the embedded S3. */
export function storedFile(stateDir: string, bucket: string, key: string): string {
  return join(stateDir, 's3', bucket, `${key}._S3rver_object`);
}

/** Rows of a stored Parquet object, or an Error when it is not whole Parquet. */
export async function parquetRows(file: string): Promise<number | Error> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file.replaceAll("'", "''")}')`);
    return Number(reader.getRowObjects()[0]!.n);
  } catch (error) {
    return error as Error;
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}
