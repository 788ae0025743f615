// What every benchmark shares: the inputs (generated once under .cache/), the Python venv of the baselines, running one
// contender in its own process, statistics over rounds, and the result each benchmark leaves for `npm run bench`'s table.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateCustomers } from '../examples/churn/generate-data.ts';
import { literal, openDuckDb } from '../lib/runtime/duckdb.ts';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..');
/** Where benchmarks keep generated inputs and scratch state (git-ignored). */
export const CACHE = join(ROOT, '.cache');
/** Where each benchmark leaves its summary rows for `npm run bench`. */
export const RESULTS = join(CACHE, 'bench-results');

/** Writes a progress line to stderr. */
export function log(bench: string, line: string): void {
  process.stderr.write(`bench:${bench}: ${line}\n`);
}

/** The churn example's customer extract with `rows` rows (generated once), and the same rows typed as ingest types them. */
export async function churnInputs(rows: number): Promise<{ csv: string; parquet: string }> {
  const dir = join(CACHE, 'bench-inputs');
  await mkdir(dir, { recursive: true });
  const csv = join(dir, `customers-${rows}.csv`);
  const parquet = join(dir, `customers-${rows}.parquet`);
  if (!existsSync(csv)) await generateCustomers(`${csv}.part`, { rows }).then(() => execFileSync('mv', [`${csv}.part`, csv]));
  if (!existsSync(parquet)) {
    const db = await openDuckDb();
    try {
      await db.run(`COPY (SELECT * FROM read_csv(${literal(csv)}, header = true, columns = {customer_id: 'VARCHAR', signup_date: 'DATE',
        plan: 'VARCHAR', monthly_charges: 'DOUBLE', tenure_months: 'BIGINT', support_tickets: 'BIGINT', last_login: 'TIMESTAMP',
        auto_renew: 'BOOLEAN'})) TO ${literal(`${parquet}.part`)} (FORMAT parquet, COMPRESSION zstd)`);
    } finally {
      await db.close();
    }
    execFileSync('mv', [`${parquet}.part`, parquet]);
  }
  return { csv, parquet };
}

/** The baselines' Python packages, pinned; xgboost-cpu is xgboost without its 469 MB CUDA wheel. */
const PYTHON_PACKAGES = [
  'pandas==3.1.1',
  'pyarrow==26.0.1',
  'xgboost-cpu==3.2.0',
  'great_expectations==1.24.1',
  'openlineage-python==1.54.0',
];

/** The baselines' Python (a venv under .cache/bench-venv, made and filled from PyPI on first use). */
export function benchPython(): string {
  const venv = join(CACHE, 'bench-venv');
  const python = join(venv, 'bin', 'python');
  const probe = `import importlib.metadata as m; print(all(m.version(p.split('==')[0]) == p.split('==')[1] for p in ${JSON.stringify(PYTHON_PACKAGES)}))`;
  const ready = (): boolean => {
    try {
      return execFileSync(python, ['-c', probe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'True';
    } catch {
      return false;
    }
  };
  if (!ready()) {
    log('python', `installing ${PYTHON_PACKAGES.join(', ')} into ${venv} (once)`);
    if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '-q', ...PYTHON_PACKAGES], { stdio: 'inherit' });
  }
  return python;
}

/** Node's own flags for a child Node process (`--conditions=sluice-source`, so the package resolves to its sources). */
export function nodeFlags(command: string): string[] {
  return command === process.execPath ? process.execArgv.filter((flag) => flag.startsWith('--conditions')) : [];
}

/** Runs one contender in its own process and returns the JSON object on its last stdout line. */
export function runJson<T = Record<string, any>>(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): T {
  const out = execFileSync(command, [...nodeFlags(command), ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

/** {@link runJson} without blocking this process (needed when the child talks to a server this process runs). */
export function runJsonAsync<T = Record<string, any>>(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...nodeFlags(command), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`${command} ${args[0] ?? ''} exited with ${code ?? signal}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

/** The median of some measurements. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `median (min–max)` of timings in ms, shown in seconds or ms. */
export function spread(values: readonly number[], unit: 's' | 'ms' = 's'): string {
  const f = (v: number) => (unit === 's' ? `${(v / 1000).toFixed(2)}` : v.toFixed(1));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return `${f(median(values))} ${unit}${values.length > 1 ? ` (${f(lo)}–${f(hi)})` : ''}`;
}

/** KB (as getrusage reports peak RSS) in MiB. */
export function mib(kb: number): string {
  return `${(kb / 1024).toFixed(0)} MiB`;
}

/** One row of `npm run bench`'s goal table. */
export interface GoalRow {
  readonly what: string;
  readonly command: string;
  readonly sluice: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly rss: string;
  readonly goal: string;
  readonly met: boolean | 'partly';
}

/** Leaves a benchmark's goal rows for `npm run bench`'s summary. */
export async function writeGoalRows(bench: string, rows: readonly GoalRow[]): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, `${bench}.json`), `${JSON.stringify(rows, null, 2)}\n`);
}

/** A scratch directory for a benchmark, emptied first. */
export async function scratchDir(name: string): Promise<string> {
  const dir = join(CACHE, 'bench-scratch', name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Whether two Parquet files hold the same rows (as multisets), and how many each has. */
export async function compareParquet(a: string, b: string): Promise<{ rows: [number, number]; differing: number }> {
  const db = await openDuckDb();
  try {
    const [row] =
      await db.all(`SELECT (SELECT count(*) FROM read_parquet(${literal(a)})) AS a, (SELECT count(*) FROM read_parquet(${literal(b)})) AS b,
      (SELECT count(*) FROM (SELECT * FROM read_parquet(${literal(a)}) EXCEPT ALL SELECT * FROM read_parquet(${literal(b)}))) +
      (SELECT count(*) FROM (SELECT * FROM read_parquet(${literal(b)}) EXCEPT ALL SELECT * FROM read_parquet(${literal(a)}))) AS differing`);
    return { rows: [Number(row!.a), Number(row!.b)], differing: Number(row!.differing) };
  } finally {
    await db.close();
  }
}

/** The verdict cell of a goal. */
export function verdict(met: boolean | 'partly'): string {
  return met === true ? 'met' : met === 'partly' ? '**partly met**' : '**not met**';
}

/** How far apart two prediction files are: customers in each, customers in both, largest score difference, labels differing. */
export async function comparePredictions(
  a: string,
  b: string,
): Promise<{ rows: [number, number]; matched: number; maxDiff: number; labels: number }> {
  const db = await openDuckDb();
  try {
    const [row] =
      await db.all(`SELECT (SELECT count(*) FROM read_parquet(${literal(a)})) AS a, (SELECT count(*) FROM read_parquet(${literal(b)})) AS b,
      count(*) AS matched, coalesce(max(abs(x.score - y.score)), 0) AS diff, count(*) FILTER (WHERE x.label IS DISTINCT FROM y.label) AS labels
      FROM read_parquet(${literal(a)}) x JOIN read_parquet(${literal(b)}) y USING (customer_id)`);
    return {
      rows: [Number(row!.a), Number(row!.b)],
      matched: Number(row!.matched),
      maxDiff: Number(row!.diff),
      labels: Number(row!.labels),
    };
  } finally {
    await db.close();
  }
}

/** Throws unless two prediction files score the same customers within `tolerance`, with the same labels. */
export async function assertSamePredictions(a: string, b: string, tolerance = 1e-6): Promise<{ rows: number; maxDiff: number }> {
  const same = await comparePredictions(a, b);
  if (same.rows[0] !== same.rows[1] || same.matched !== same.rows[0] || same.maxDiff > tolerance || same.labels !== 0) {
    throw new Error(
      `the contenders disagree: ${same.rows.join(' vs ')} customers, ${same.matched} in both, largest score difference ${same.maxDiff}, ${same.labels} labels differ`,
    );
  }
  return { rows: same.matched, maxDiff: same.maxDiff };
}
