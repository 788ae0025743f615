import type { DuckDBConnection, DuckDBInstance, DuckDBVector } from '@duckdb/node-api';

/** The SQL function every connection's float function is called through: `__sluice_float(CAST(x AS FLOAT), …)`. */
export const FLOAT_FUNCTION = '__sluice_float';

/**
 * Where a float function's chunk goes: `x[f * stride + i]` receives argument f of row i (NULL as NaN), and
 * `out[i]` is read back as the result of row i. The caller may back them with shared memory for worker threads.
 */
export interface FloatBlock {
  readonly x: Float32Array;
  readonly out: Float64Array;
  /** Rows the block holds per argument; chunks larger than this are computed a block at a time. */
  readonly stride: number;
}

/** What a connection computes when its SQL calls {@link FLOAT_FUNCTION}. */
export interface FloatFunction {
  readonly inputs: number;
  readonly block: FloatBlock;
  /** Fills `block.out[0..rows)` from `block.x`. */
  compute(rows: number): void;
}

type Api = typeof import('@duckdb/node-api');

// One SQL function per instance, dispatching on the calling connection: registering a function per invocation
// would grow a warm instance's catalog (and keep every invocation's closure alive) for as long as it runs.
const registered = new WeakSet<DuckDBInstance>();
const byConnection = new Map<number, FloatFunction>();

/**
 * Makes {@link FLOAT_FUNCTION} on `connection` compute `fn` (replacing what it computed before) and returns the
 * connection's id, which {@link releaseFloatFunction} takes once the connection is done.
 */
export async function attachFloatFunction(
  api: Api,
  instance: DuckDBInstance,
  connection: DuckDBConnection,
  fn: FloatFunction,
): Promise<number> {
  if (!registered.has(instance)) {
    connection.registerScalarFunction(
      api.DuckDBScalarFunction.create({
        name: FLOAT_FUNCTION,
        returnType: api.DOUBLE,
        varArgsType: api.FLOAT,
        // NULL inputs must reach the function as missing values, not short-circuit to a NULL result.
        specialHandling: true,
        bindFunction: (info) => info.setBindData({ connection: info.clientContext.connectionId }),
        mainFunction: (info, chunk, output) => {
          const fn = byConnection.get((info.bindData as { connection: number }).connection);
          if (!fn) {
            info.setError(`${FLOAT_FUNCTION}: no function is attached to this connection`);
            return;
          }
          if (chunk.columnCount !== fn.inputs) {
            info.setError(`${FLOAT_FUNCTION}: expected ${fn.inputs} arguments, got ${chunk.columnCount}`);
            return;
          }
          try {
            computeChunk(fn, chunk.rowCount, (f) => chunk.getColumnVector(f), output);
          } catch (error) {
            info.setError(error instanceof Error ? error.message : String(error));
          }
        },
      }),
    );
    registered.add(instance);
  }
  const reader = await connection.runAndReadAll('SELECT current_connection_id() AS id');
  const id = Number(reader.getRowObjectsJS()[0]?.id);
  byConnection.set(id, fn);
  return id;
}

/** Forgets the float function of a connection that is closing. */
export function releaseFloatFunction(connectionId: number): void {
  byConnection.delete(connectionId);
}

function computeChunk(fn: FloatFunction, rows: number, column: (f: number) => DuckDBVector, output: DuckDBVector): void {
  const { x, out, stride } = fn.block;
  const results = typedItems(output, Float64Array);
  for (let start = 0; start < rows; start += stride) {
    const n = Math.min(stride, rows - start);
    for (let f = 0; f < fn.inputs; f++) readFloats(column(f), start, n, x, f * stride);
    fn.compute(n);
    if (results) results.set(out.subarray(0, n), start);
    else for (let i = 0; i < n; i++) output.setItem(start + i, out[i] as number);
  }
  output.flush();
}

// A vector's values as the typed array the Node API keeps them in (public at run time, not in its typings); else
// undefined, and the values are read one by one, so a change of that internal shape costs speed, not correctness.
function typedItems<T extends Float32Array | Float64Array>(vector: DuckDBVector, kind: { new (n: number): T }): T | undefined {
  const items = (vector as unknown as { items?: unknown }).items;
  return items instanceof kind ? (items as T) : undefined;
}

function validityWords(vector: DuckDBVector): Uint32Array | null | undefined {
  const data = (vector as unknown as { validity?: { data?: unknown } }).validity?.data;
  if (data === null) return null;
  return data instanceof BigUint64Array ? new Uint32Array(data.buffer, data.byteOffset, data.length * 2) : undefined;
}

/** Copies `n` values of a FLOAT vector from `start` into `x` at `at`, NULL as NaN. */
function readFloats(vector: DuckDBVector, start: number, n: number, x: Float32Array, at: number): void {
  const items = typedItems(vector, Float32Array);
  const words = validityWords(vector);
  if (!items || words === undefined) {
    for (let i = 0; i < n; i++) x[at + i] = (vector.getItem(start + i) as number | null) ?? Number.NaN;
    return;
  }
  x.set(items.subarray(start, start + n), at);
  if (words === null) return;
  for (let i = 0; i < n; i++) {
    const bit = start + i;
    if ((((words[bit >>> 5] as number) >>> (bit & 31)) & 1) === 0) x[at + i] = Number.NaN;
  }
}
