import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { duckDbConfig, duckDbSettings, type DuckDbSettings } from './duckdb-settings.ts';
import { attachFloatFunction, releaseFloatFunction, type FloatFunction } from './float-function.ts';
import type { ColumnType } from '../definition/columns.ts';

export { FLOAT_FUNCTION, type FloatBlock, type FloatFunction } from './float-function.ts';

/** The DuckDB type each declared column type is stored as. */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  integer: 'BIGINT',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

/** DuckDB's integer types. */
export const DUCKDB_INTEGER_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;
/** DuckDB's number types, integers included (`DECIMAL(p,s)` with any precision). */
export const DUCKDB_NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** A typed value bound to a named parameter (`$name`): never spliced into SQL text. */
export interface SqlParam {
  readonly type: 'TIMESTAMPTZ' | 'DATE' | 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN';
  /** ISO text for TIMESTAMPTZ and DATE. */
  readonly value: string | number | boolean;
}

/** A DuckDB connection for one step invocation, closed with the invocation. */
export interface DuckDb {
  /** The threads DuckDB runs queries on (what a step may also use for its own parallel work). */
  readonly threads: number;
  /** Runs statements whose results are not needed, binding `$name` parameters. */
  run(sql: string, params?: Readonly<Record<string, SqlParam>>): Promise<void>;
  /** Runs a query and returns its rows as JSON-safe objects (big integers as numbers when exact, else strings). */
  all(sql: string, params?: Readonly<Record<string, SqlParam>>): Promise<Array<Record<string, unknown>>>;
  /** Runs a query and returns its result column by column (DuckDB's JS values), with the column types. */
  columns(
    sql: string,
    params?: Readonly<Record<string, SqlParam>>,
  ): Promise<{ columns: Record<string, unknown[]>; types: Record<string, string> }>;
  /** Parses and binds one statement without running it: throws DuckDB's error, with its LINE and caret. */
  prepare(sql: string): Promise<void>;
  /**
   * Makes `__sluice_float(FLOAT, …) → DOUBLE` (`FLOAT_FUNCTION`) on this connection compute `fn`, a chunk at a
   * time (see {@link FloatFunction}).
   */
  attachFloatFunction(fn: FloatFunction): Promise<void>;
  /** Closes the connection and frees what it created. */
  close(): Promise<void>;
}

/**
 * Opens a DuckDB of its own (in memory; closing it frees everything). Steps use the process's warm one instead
 * (warm-duckdb.ts). The native module is imported here, on first use, so a cold start does not pay for it unless needed.
 */
export async function openDuckDb(settings: Partial<DuckDbSettings> = {}): Promise<DuckDb> {
  const api = await import('@duckdb/node-api');
  const instance = await api.DuckDBInstance.create(':memory:', duckDbConfig({ ...duckDbSettings({}), ...settings }));
  const connection = await instance.connect();
  const db = await wrapConnection(api, instance, connection, async () => undefined);
  return {
    ...db,
    async close() {
      await db.close();
      instance.closeSync();
    },
  };
}

/** The {@link DuckDb} API over one connection of an instance; `release` frees what it holds, then the connection closes. */
export async function wrapConnection(
  api: typeof import('@duckdb/node-api'),
  instance: DuckDBInstance,
  connection: DuckDBConnection,
  release: () => Promise<void>,
): Promise<DuckDb> {
  const bind = (params: Readonly<Record<string, SqlParam>> | undefined): [Record<string, DuckDBValue>?, Record<string, DuckDBType>?] => {
    if (!params || Object.keys(params).length === 0) return [];
    const values: Record<string, DuckDBValue> = {};
    const types: Record<string, DuckDBType> = {};
    for (const [name, { type, value }] of Object.entries(params)) {
      types[name] = api[type];
      if (type === 'TIMESTAMPTZ') values[name] = new api.DuckDBTimestampTZValue(BigInt(Date.parse(String(value))) * 1000n);
      else if (type === 'DATE') values[name] = new api.DuckDBDateValue(Math.floor(Date.parse(String(value)) / 86_400_000));
      else if (type === 'BIGINT') values[name] = BigInt(value as number);
      else values[name] = value;
    }
    return [values, types];
  };
  const threads = Number((await connection.runAndReadAll(`SELECT current_setting('threads') AS t`)).getRowObjectsJS()[0]?.t ?? 1);
  let floatFunction: number | undefined;
  return {
    threads,
    async run(sql, params) {
      await connection.run(sql, ...bind(params));
    },
    async all(sql, params) {
      const reader = await connection.runAndReadAll(sql, ...bind(params));
      return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonSafe(v)])));
    },
    async columns(sql, params) {
      const reader = await connection.runAndReadAll(sql, ...bind(params));
      const types = reader.columnTypes().map(String);
      return {
        columns: reader.getColumnsObjectJS() as Record<string, unknown[]>,
        types: Object.fromEntries(reader.columnNames().map((n, i) => [n, types[i] as string])),
      };
    },
    async prepare(sql) {
      await connection.prepare(sql);
    },
    async attachFloatFunction(fn) {
      floatFunction = await attachFloatFunction(api, instance, connection, fn);
    },
    async close() {
      if (floatFunction !== undefined) releaseFloatFunction(floatFunction);
      try {
        await release();
      } finally {
        connection.closeSync();
      }
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
  const rows = await db.all(
    `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${literal(file)}, hive_partitioning = false))`,
  );
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}
