import type { DuckDBInstance } from '@duckdb/node-api';
import { duckDbConfig, type DuckDbSettings } from './duckdb-settings.ts';
import { wrapConnection, type DuckDb } from './duckdb.ts';

// The process's DuckDB, created by the first step that needs it and kept for the next ones (a warm Lambda's later
// invocations, a local run's later steps): creating an instance costs tens of milliseconds every time.
let warm: { key: string; instance: Promise<DuckDBInstance> } | undefined;
let databases = 0;

/**
 * A DuckDB connection for one step invocation on the process's warm instance, with a fresh in-memory database of its
 * own as the default catalog: what one invocation creates is invisible to another and freed when it closes (the
 * database is detached), while the instance, its threads and its buffer pool stay for the next invocation.
 */
export async function stepDuckDb(settings: DuckDbSettings): Promise<DuckDb> {
  const api = await import('@duckdb/node-api');
  const key = JSON.stringify(duckDbConfig(settings));
  if (warm?.key !== key) {
    const previous = warm?.instance;
    warm = { key, instance: api.DuckDBInstance.create(':memory:', duckDbConfig(settings)) };
    // Settings changed (only tests and benchmarks change them within a process): the old instance is closed.
    void previous?.then((instance) => instance.closeSync()).catch(() => undefined);
  }
  const current = warm;
  let instance: DuckDBInstance;
  try {
    instance = await current.instance;
  } catch (error) {
    if (warm === current) warm = undefined;
    throw error;
  }
  const connection = await instance.connect();
  const name = `step_${++databases}`;
  try {
    await connection.run(`ATTACH ':memory:' AS ${name}; USE ${name}`);
  } catch (error) {
    connection.closeSync();
    throw error;
  }
  return wrapConnection(api, instance, connection, async () => {
    // The step's database goes with it; the instance stays warm for the next step.
    await connection.run(`USE memory; DETACH DATABASE IF EXISTS ${name}`);
  });
}
