import { DUCKDB_NUMERIC_TYPE, ident } from '../../runtime/duckdb.ts';
import type { ColumnMetrics } from '../../runtime/lineage/step-lineage.ts';

/** The quantiles each numeric column reports. */
export const QUANTILES = [0.01, 0.25, 0.5, 0.75, 0.99];
/**
 * Values per column the quantiles are read from: a uniform sample of this many (every value of a smaller batch, so
 * exact there). The rank is then off by about 0.2 % at most batch sizes, at a fifth of the cost of a t-digest.
 */
export const QUANTILE_SAMPLE = 65_536;

/**
 * The per-column metric aggregates, evaluated in the same scan as the rules. A column in `counted` has its exact
 * distinct count from a rule of the same scan already, so it is not estimated again.
 */
export function metricAggregates(fields: Array<{ name: string; type: string }>, counted: ReadonlySet<string> = new Set()): string[] {
  return fields.flatMap((f, i) => {
    const c = ident(f.name);
    const common = [`count(${c}) AS m${i}_count`, ...(counted.has(f.name) ? [] : [`approx_count_distinct(${c}) AS m${i}_distinct`])];
    if (!DUCKDB_NUMERIC_TYPE.test(f.type)) return common;
    return [
      ...common,
      `min(${c})::DOUBLE AS m${i}_min`,
      `max(${c})::DOUBLE AS m${i}_max`,
      `sum(${c})::DOUBLE AS m${i}_sum`,
      `avg(${c})::DOUBLE AS m${i}_mean`,
      `stddev_samp(${c})::DOUBLE AS m${i}_sd`,
      `reservoir_quantile(${c}, [${QUANTILES.join(', ')}], ${QUANTILE_SAMPLE}) AS m${i}_q`,
    ];
  });
}

/**
 * Reads the metrics back from the scan's row into the `dataQualityMetrics` shape; `duplicates` holds, for the columns
 * whose distinct values a rule counted exactly, how many non-null values repeat an earlier one.
 */
export function columnMetrics(
  fields: Array<{ name: string }>,
  row: Record<string, unknown>,
  rows: number,
  duplicates: ReadonlyMap<string, number> = new Map(),
): Record<string, ColumnMetrics> {
  const out: Record<string, ColumnMetrics> = {};
  fields.forEach((f, i) => {
    const count = Number(row[`m${i}_count`]);
    const quantiles = row[`m${i}_q`];
    const repeated = duplicates.get(f.name);
    out[f.name] = {
      count,
      nullCount: rows - count,
      distinctCount: repeated === undefined ? Number(row[`m${i}_distinct`]) : count - repeated,
      ...finite('min', row[`m${i}_min`]),
      ...finite('max', row[`m${i}_max`]),
      ...finite('sum', row[`m${i}_sum`]),
      ...(Array.isArray(quantiles) && quantiles.every((q) => typeof q === 'number')
        ? { quantiles: Object.fromEntries(QUANTILES.map((q, k) => [String(q), quantiles[k] as number])) }
        : {}),
    };
  });
  return out;
}

function finite(key: 'min' | 'max' | 'sum', value: unknown): Partial<ColumnMetrics> {
  return typeof value === 'number' && Number.isFinite(value) ? { [key]: value } : {};
}
