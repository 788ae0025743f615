import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { ColumnType } from '../definition/columns.ts';

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
   * Registers `name(FLOAT, …) → DOUBLE`, computed in JS a chunk at a time: `compute` gets the chunk's rows
   * packed row-major into a Float32Array (NULL as NaN) and fills one double per row.
   */
  registerFloatFunction(
    name: string,
    inputs: number,
    compute: (x: Float32Array, width: number, rows: number, out: Float64Array) => void,
  ): void;
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
  const api = await import('@duckdb/node-api');
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
  return {
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
    registerFloatFunction(name, inputs, compute) {
      let x = new Float32Array(0);
      let out = new Float64Array(0);
      connection.registerScalarFunction(
        api.DuckDBScalarFunction.create({
          name,
          returnType: api.DOUBLE,
          parameterTypes: Array.from({ length: inputs }, () => api.FLOAT),
          // NULL inputs must reach the function as missing values, not short-circuit to a NULL result.
          specialHandling: true,
          mainFunction: (_info, chunk, output) => {
            const rows = chunk.rowCount;
            if (x.length < rows * inputs) [x, out] = [new Float32Array(rows * inputs), new Float64Array(rows)];
            for (let f = 0; f < inputs; f++) {
              const vector = chunk.getColumnVector(f);
              for (let i = 0; i < rows; i++) x[i * inputs + f] = (vector.getItem(i) as number | null) ?? Number.NaN;
            }
            compute(x, inputs, rows, out);
            for (let i = 0; i < rows; i++) output.setItem(i, out[i] as number);
            output.flush();
          },
        }),
      );
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
