import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duckDbConfig, duckDbSettings, lambdaDuckDbMemoryMb, lambdaThreads } from '../../lib/runtime/duckdb-settings.ts';

describe('DuckDB settings of a step', () => {
  it('leaves threads and memory to DuckDB when not in Lambda, and spills under the temporary directory', () => {
    expect(duckDbSettings({})).toEqual({ tempDirectory: join(tmpdir(), 'sluice-duckdb-spill') });
    expect(duckDbConfig(duckDbSettings({}))).toEqual({ temp_directory: join(tmpdir(), 'sluice-duckdb-spill') });
  });

  it.each([
    [128, 1, 64],
    [1024, 1, 672],
    [1769, 1, 1230],
    [2048, 2, 1440],
    [3538, 2, 2557],
    [10240, 6, 7584],
  ])('sizes DuckDB from a Lambda function of %i MB: %i thread(s) (at most the cores there are), %i MB', (memory, threads, limit) => {
    expect(lambdaThreads(memory)).toBe(Math.min(threads, availableParallelism()));
    expect(lambdaDuckDbMemoryMb(memory)).toBe(limit);
    expect(duckDbSettings({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory) })).toMatchObject({
      threads: Math.min(threads, availableParallelism()),
      memoryLimitMb: limit,
    });
  });

  it('takes SLUICE_DUCKDB_THREADS and SLUICE_DUCKDB_MEMORY_MB over the Lambda sizing', () => {
    const settings = duckDbSettings({
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
      SLUICE_DUCKDB_THREADS: '1',
      SLUICE_DUCKDB_MEMORY_MB: '500',
    });
    expect(settings).toMatchObject({ threads: 1, memoryLimitMb: 500 });
    expect(duckDbConfig(settings)).toMatchObject({ threads: '1', memory_limit: '500MB' });
  });

  it.each([
    ['SLUICE_DUCKDB_THREADS', 'two'],
    ['SLUICE_DUCKDB_MEMORY_MB', '0'],
    ['AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '1.5'],
  ])('fails naming %s when it is %j', (name, value) => {
    expect(() => duckDbSettings({ [name]: value })).toThrow(`${name}: expected a whole number of at least 1, got "${value}"`);
  });
});
