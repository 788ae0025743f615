import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ColumnType } from '../spec/columns.ts';

/** The DuckDB type each declared column type is stored as. */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

/** A DuckDB connection for one step invocation, closed with the invocation. */
export interface DuckDb {
  /** Runs statements whose results are not needed. */
  run(sql: string): Promise<void>;
  /** Runs a query and returns its rows as JSON-safe objects (big integers as numbers when exact, else strings). */
  all(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): void;
}

/**
 * Opens an in-memory DuckDB. The native module is imported here, on first use, so a handler's
 * cold start does not pay for it unless the step needs it.
 */
export async function openDuckDb(options: { threads?: number; memoryLimit?: string } = {}): Promise<DuckDb> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const config: Record<string, string> = {};
  if (options.threads) config.threads = String(options.threads);
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  const instance: DuckDBInstance = await DuckDBInstance.create(':memory:', config);
  const connection: DuckDBConnection = await instance.connect();
  return {
    async run(sql) {
      await connection.run(sql);
    },
    async all(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonSafe(v)])));
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  return value;
}

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes an SQL string literal. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The columns of a Parquet file as `{name, type}`: the schema of what was actually written. */
export async function parquetFields(db: DuckDb, file: string): Promise<Array<{ name: string; type: string }>> {
  const rows = await db.all(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${literal(file)}))`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}
