import { readFile } from 'node:fs/promises';
import { DUCKDB_NUMERIC_TYPE, ident, type DuckDb } from '../../runtime/duckdb.ts';
import type { ObjectStore } from '../../runtime/object-store.ts';
import type { DatasetSpec } from '../../definition/pipeline-schema.ts';
import type { DataTestRule } from '../../definition/rules.ts';
import { metricsHistoryPrefix } from '../../definition/storage-layout.ts';
import { shown, type CompiledRule } from './rule-sql.ts';

/** What Sluice remembers of one published batch, to compare later batches with. */
export interface BatchHistory {
  readonly batchId: string;
  readonly time: string;
  readonly rowCount: number;
  readonly columns: Record<string, ColumnHistory>;
}

/** Per-column statistics of a published batch. */
export interface ColumnHistory {
  readonly mean?: number;
  readonly stddev?: number;
  /** Inner bin edges (quantiles of that batch) and the fraction of its values in each bin, for PSI. */
  readonly edges?: number[];
  readonly fractions?: number[];
  /** Category frequencies (fractions), for PSI of categorical columns. */
  readonly categories?: Record<string, number>;
}

type DriftRule = Extract<DataTestRule, { rule: 'rowCountChange' | 'psi' | 'meanShift' }>;
const EPSILON = 1e-4;
const NO_HISTORY = 'no earlier published batch to compare with';

/** Where a dataset's batch history lives, in its bucket. */
export function historyPrefix(dataset: DatasetSpec): string {
  return metricsHistoryPrefix(dataset).prefix;
}

/** The most recent published batches' histories (newest first), excluding the batch under test. */
export async function readHistory(
  store: ObjectStore,
  dataset: DatasetSpec,
  exclude: string,
  limit: number,
  scratch: (file: string) => string,
): Promise<BatchHistory[]> {
  const objects = (await store.list(dataset.bucket, historyPrefix(dataset))).filter((o) => o.key.endsWith('.json'));
  const all: BatchHistory[] = [];
  for (const [i, o] of objects.entries()) {
    const file = scratch(`history-${i}.json`);
    await store.download(o.bucket, o.key, file);
    const entry = JSON.parse(await readFile(file, 'utf8')) as BatchHistory;
    if (entry.batchId !== exclude) all.push(entry);
  }
  return all.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, limit);
}

/** Compiles a drift rule against the batch history: aggregates for the current scan and the judgement. */
export function compileDriftRule(rule: DriftRule, history: BatchHistory[], numericColumn: boolean): CompiledRule {
  const recent = history.slice(0, rule.rule === 'psi' ? 1 : rule.history);
  const none = (expected: string): CompiledRule => ({ aggregates: {}, judge: () => ({ success: true, expected, actual: NO_HISTORY }) });
  switch (rule.rule) {
    case 'rowCountChange': {
      const expected = `row count within ${rule.maxChange * 100}% of the last ${rule.history} published batches`;
      if (recent.length === 0) return none(expected);
      const reference = recent.reduce((s, h) => s + h.rowCount, 0) / recent.length;
      return {
        aggregates: {},
        judge: (_, rows) => {
          const change = reference === 0 ? (rows === 0 ? 0 : Infinity) : Math.abs(rows - reference) / reference;
          return {
            success: change <= rule.maxChange,
            expected,
            actual: `${rows} rows, ${(change * 100).toFixed(2)}% from the mean ${reference.toFixed(1)} of ${recent.length} batches`,
          };
        },
      };
    }
    case 'meanShift': {
      const expected = `mean within ${rule.maxStddevs} standard deviations of the last ${rule.history} published batches`;
      const stats = recent
        .map((h) => h.columns[rule.column])
        .filter((c): c is ColumnHistory => c?.mean !== undefined && c.stddev !== undefined);
      if (stats.length === 0) return none(expected);
      const refMean = stats.reduce((s, c) => s + (c.mean ?? 0), 0) / stats.length;
      const refStd = stats.reduce((s, c) => s + (c.stddev ?? 0), 0) / stats.length;
      return {
        aggregates: { mean: `avg(${ident(rule.column)})::DOUBLE` },
        judge: (v) => {
          const mean = Number(v.mean);
          const shift = refStd === 0 ? (mean === refMean ? 0 : Infinity) : Math.abs(mean - refMean) / refStd;
          return {
            success: shift <= rule.maxStddevs,
            expected,
            actual: `mean ${shown(mean)}, ${shift.toFixed(3)} standard deviations from ${shown(refMean)}`,
          };
        },
      };
    }
    case 'psi': {
      const expected = `PSI <= ${rule.max} against the last published batch`;
      const reference = recent[0]?.columns[rule.column];
      const c = ident(rule.column);
      if (numericColumn) {
        if (!reference?.edges || !reference.fractions) return none(expected);
        const { edges, fractions } = reference;
        return {
          aggregates: { bins: `histogram(${binExpression(c, edges)})` },
          judge: (v) => judgePsi(rule.max, expected, fractions, toFractions(v.bins, fractions.length), recent[0]!.batchId),
        };
      }
      if (!reference?.categories) return none(expected);
      const categories = reference.categories;
      return {
        aggregates: { bins: `histogram(CAST(${c} AS VARCHAR))` },
        judge: (v) => {
          const current = categoryFractions(v.bins);
          const keys = [...new Set([...Object.keys(categories), ...Object.keys(current)])];
          return judgePsi(
            rule.max,
            expected,
            keys.map((k) => categories[k] ?? 0),
            keys.map((k) => current[k] ?? 0),
            recent[0]!.batchId,
          );
        },
      };
    }
  }
}

/** Bin index 0..k-1 of a value against inner edges, NULL for missing values. */
function binExpression(column: string, edges: number[]): string {
  return `CASE WHEN ${column} IS NULL THEN NULL ELSE ${edges.map((e) => `(${column} > ${e})::INTEGER`).join(' + ') || '0'} END`;
}

function toFractions(histogram: unknown, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const [k, n] of entries(histogram)) counts[Number(k)] = Number(n);
  const total = counts.reduce((s, n) => s + n, 0);
  return counts.map((n) => (total === 0 ? 0 : n / total));
}

function categoryFractions(histogram: unknown): Record<string, number> {
  const pairs = entries(histogram);
  const total = pairs.reduce((s, [, n]) => s + Number(n), 0);
  return Object.fromEntries(pairs.map(([k, n]) => [String(k), total === 0 ? 0 : Number(n) / total]));
}

/** DuckDB MAP values arrive as `{entries: [{key, value}]}` or as an object; both are accepted. */
function entries(histogram: unknown): Array<[unknown, unknown]> {
  if (!histogram || typeof histogram !== 'object') return [];
  const list = (histogram as { entries?: Array<{ key: unknown; value: unknown }> }).entries;
  if (Array.isArray(list)) return list.map((e) => [e.key, e.value]);
  if (Array.isArray(histogram)) return (histogram as Array<{ key: unknown; value: unknown }>).map((e) => [e.key, e.value]);
  return Object.entries(histogram);
}

function judgePsi(max: number, expected: string, reference: number[], current: number[], against: string) {
  const psi = reference.reduce((s, q, i) => {
    const p = Math.max(current[i] ?? 0, EPSILON);
    const r = Math.max(q, EPSILON);
    return s + (p - r) * Math.log(p / r);
  }, 0);
  return { success: psi <= max, expected, actual: `PSI ${psi.toFixed(4)} against batch ${against}` };
}

/**
 * Records a published batch's statistics for later drift rules: mean and standard deviation of numeric columns
 * (taken from the metrics scan's `m<i>_mean`/`m<i>_sd`), and for PSI rules the quantile bins of numeric columns
 * or the category frequencies of the others (one more scan, only when PSI rules exist). `sourceOf` names the table a
 * PSI column's values are read from: the batch, or a uniform sample of it when the batch was audited in parts.
 */
export async function recordHistory(
  db: DuckDb,
  fields: Array<{ name: string; type: string }>,
  rules: DataTestRule[],
  batch: { batchId: string; rowCount: number; metrics: Record<string, unknown> },
  sourceOf: (column: string) => string = () => 'batch',
): Promise<BatchHistory> {
  const columns: Record<string, ColumnHistory> = {};
  const index = new Map(fields.map((f, i) => [f.name, i]));
  const isNumeric = (name: string): boolean => DUCKDB_NUMERIC_TYPE.test(fields[index.get(name) ?? -1]?.type ?? '');
  fields.forEach((f, i) => {
    const mean = batch.metrics[`m${i}_mean`];
    const sd = batch.metrics[`m${i}_sd`];
    if (typeof mean === 'number') columns[f.name] = { mean, ...(typeof sd === 'number' ? { stddev: sd } : {}) };
  });
  const psi = rules.filter((r): r is Extract<DataTestRule, { rule: 'psi' }> => r.rule === 'psi');
  const row: Record<string, unknown> = {};
  for (const source of new Set(psi.map((r) => sourceOf(r.column)))) {
    const select = psi.flatMap((r, i) => {
      if (sourceOf(r.column) !== source) return [];
      const c = ident(r.column);
      if (!isNumeric(r.column)) return [`histogram(CAST(${c} AS VARCHAR)) AS h${i}`];
      const qs = Array.from({ length: r.bins - 1 }, (_, k) => (k + 1) / r.bins);
      return [`quantile_cont(${c}, [${qs.join(', ')}]) AS q${i}`];
    });
    const [found = {}] = await db.all(`SELECT ${select.join(', ')} FROM ${source}`);
    Object.assign(row, found);
  }
  for (const [i, r] of psi.entries()) {
    if (isNumeric(r.column)) {
      const edges = [...new Set(((row[`q${i}`] as unknown[] | null) ?? []).map(Number))];
      const [bins = {}] = await db.all(`SELECT histogram(${binExpression(ident(r.column), edges)}) AS b FROM ${sourceOf(r.column)}`);
      columns[r.column] = { ...columns[r.column], edges, fractions: toFractions(bins.b, edges.length + 1) };
    } else {
      columns[r.column] = { ...columns[r.column], categories: categoryFractions(row[`h${i}`]) };
    }
  }
  return { batchId: batch.batchId, time: new Date().toISOString(), rowCount: batch.rowCount, columns };
}
