import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../../core/errors.ts';
import { SLUICE_ENV } from '../../core/env.ts';

/** Lambda gives a function one vCPU per this many MB of memory (and at most 6, at 10,240 MB). */
export const LAMBDA_MB_PER_VCPU = 1769;
const LAMBDA_MAX_VCPUS = 6;
/** Memory left to Node (heap, code, result buffers) and the Lambda runtime, besides DuckDB's share. */
const NODE_RESERVE_MB = 128;
/** DuckDB's share of the rest; DuckDB's limit covers its buffer pool, not every allocation it makes. */
const DUCKDB_SHARE = 0.75;

/** How big a DuckDB a step opens, and where it spills what does not fit. */
export interface DuckDbSettings {
  /** Worker threads, undefined for DuckDB's default (one per core). */
  readonly threads?: number;
  /** DuckDB's memory limit in MB, undefined for DuckDB's default (80 % of the machine's memory). */
  readonly memoryLimitMb?: number;
  /** Where DuckDB spills intermediate results that do not fit in memory. */
  readonly tempDirectory: string;
}

/**
 * DuckDB's settings for a step, from its environment: in Lambda, threads and memory follow the function's memory
 * (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`: one thread per vCPU Lambda allots, three quarters of what Node leaves);
 * `SLUICE_DUCKDB_THREADS` and `SLUICE_DUCKDB_MEMORY_MB` override either; elsewhere DuckDB's own defaults apply.
 * Spills go to the temporary directory (Lambda's /tmp), never the working directory, which Lambda keeps read-only.
 */
export function duckDbSettings(env: NodeJS.ProcessEnv = process.env): DuckDbSettings {
  const lambdaMb = positiveInteger(env, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE');
  const threads = positiveInteger(env, SLUICE_ENV.duckdbThreads) ?? (lambdaMb === undefined ? undefined : lambdaThreads(lambdaMb));
  const memoryLimitMb =
    positiveInteger(env, SLUICE_ENV.duckdbMemoryMb) ?? (lambdaMb === undefined ? undefined : lambdaDuckDbMemoryMb(lambdaMb));
  return {
    ...(threads === undefined ? {} : { threads }),
    ...(memoryLimitMb === undefined ? {} : { memoryLimitMb }),
    tempDirectory: join(tmpdir(), 'sluice-duckdb-spill'),
  };
}

/** The DuckDB threads that match a Lambda memory size: the vCPUs Lambda allots it, at least one. */
export function lambdaThreads(memoryMb: number): number {
  const vcpus = Math.min(LAMBDA_MAX_VCPUS, Math.ceil(memoryMb / LAMBDA_MB_PER_VCPU));
  return Math.max(1, Math.min(vcpus, availableParallelism()));
}

/** DuckDB's memory limit for a Lambda memory size, in MB. */
export function lambdaDuckDbMemoryMb(memoryMb: number): number {
  return Math.max(64, Math.floor((memoryMb - NODE_RESERVE_MB) * DUCKDB_SHARE));
}

/** The DuckDB configuration (`threads`, `memory_limit`, `temp_directory`) for these settings. */
export function duckDbConfig(settings: DuckDbSettings): Record<string, string> {
  return {
    ...(settings.threads === undefined ? {} : { threads: String(settings.threads) }),
    ...(settings.memoryLimitMb === undefined ? {} : { memory_limit: `${settings.memoryLimitMb}MB` }),
    temp_directory: settings.tempDirectory,
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new SluiceError('CONFIG_INVALID', `${name}: expected a whole number of at least 1, got ${JSON.stringify(text)}`);
  }
  return value;
}
