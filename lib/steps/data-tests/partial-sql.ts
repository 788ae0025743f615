import { DUCKDB_INTEGER_TYPE, DUCKDB_NUMERIC_TYPE, ident } from '../../runtime/duckdb.ts';
import type { DataTestRule } from '../../definition/rules.ts';
import { QUANTILES, QUANTILE_SAMPLE } from './column-metrics.ts';
import type { CompiledRule } from './rule-sql.ts';

/** The view a part's scan reads: the part's rows, each with a random key for the bottom-k samples. */
export const PART_SOURCE = `(SELECT *, random() AS __sample_key FROM batch)`;
/** The table the merge reads: one row per part, the columns of {@link PartialSql.part}. */
export const PARTS_TABLE = 'parts';
/** The table the merge reads the exact distinct key counts of unique rules from: `(rule, keys)`. */
export const KEY_COUNTS_TABLE = 'key_counts';
/** Smallest distinct hashes kept per column for the distinct-count estimate (K minimum values). */
export const DISTINCT_SKETCH = 4096;

/** What a part's first, cheap scan found per column: non-null values and an estimate of distinct ones. */
export interface PartSizes {
  readonly values: ReadonlyMap<string, number>;
  readonly distinct: ReadonlyMap<string, number>;
}

/** A part's aggregate, or one that depends on the part's sizes (the thresholds of its samples). */
type PartExpression = string | ((sizes: PartSizes) => string);

/** One aggregate of the single scan, split into per-part columns and the expression that merges them. */
interface Mergeable {
  readonly parts: Record<string, PartExpression>;
  readonly merge: (column: (part: string) => string) => string;
}

/** A unique or duplicateFraction rule's key: what the part writes to its hash-partitioned key sets. */
export interface KeySet {
  readonly rule: number;
  /** The key expression (one column, or a row of several). */
  readonly key: string;
  /** Rows whose key has no missing part. */
  readonly present: string;
}

/** The SQL of the distributed audit: what each part selects, and how the merge turns the parts' rows into the single scan's row. */
export interface PartialSql {
  /** `expr AS name` items of the part's first scan over `batch`, read back with {@link partSizes}. */
  readonly sizes: string[];
  /** `expr AS name` items of the part's one-row scan over {@link PART_SOURCE}, given its sizes. */
  readonly part: (sizes: PartSizes) => string[];
  /** `expr AS name` items over {@link PARTS_TABLE}, named exactly as the single scan's columns. */
  readonly merge: string[];
  readonly keySets: KeySet[];
  /** Uniform samples the merge keeps as tables (`CREATE TABLE table AS sample`), for the PSI history of each column. */
  readonly samples: Array<{ readonly column: string; readonly table: string; readonly sql: string }>;
}

const sum = (expr: string): Mergeable => ({ parts: { n: expr }, merge: (p) => `coalesce(sum(${p('n')}), 0)::BIGINT` });
const extreme = (fn: 'min' | 'max', expr: string): Mergeable => ({ parts: { v: expr }, merge: (p) => `${fn}(${p('v')})` });

/** A column's exact sum in a type Parquet keeps exactly (DuckDB writes HUGEINT as DOUBLE). */
function exactSum(column: string, type: string): string {
  if (DUCKDB_INTEGER_TYPE.test(type)) return `sum(${column})::DECIMAL(38, 0)`;
  if (type.startsWith('DECIMAL')) return `sum(${column})`;
  return `sum(${column})::DOUBLE`;
}

function mean(column: string, type: string): Mergeable {
  return {
    parts: { s: exactSum(column, type), n: `count(${column})` },
    merge: (p) => `(sum(${p('s')})::DOUBLE / nullif(sum(${p('n')}), 0))::DOUBLE`,
  };
}

/** Sample standard deviation from each part's count, mean and sum of squared deviations (Chan et al.'s pairwise update). */
function stddev(column: string): Mergeable {
  return {
    parts: { n: `count(${column})`, mean: `avg(${column})::DOUBLE`, m2: `(var_pop(${column}) * count(${column}))::DOUBLE` },
    merge: (p) => {
      const [n, m, m2] = [p('n'), p('mean'), p('m2')];
      return `(SELECT CASE WHEN sum(${n}) > 1 THEN sqrt(greatest(sum(${m2} + ${n} * (${m} - mu) * (${m} - mu)), 0) / (sum(${n}) - 1)) END
        FROM ${PARTS_TABLE}, (SELECT sum(${n} * ${m}) / sum(${n}) AS mu FROM ${PARTS_TABLE} WHERE ${n} > 0) WHERE ${n} > 0)`;
    },
  };
}

/** A DuckDB histogram (MAP of value to count) per part; the merge adds the counts key by key. */
function histogram(expr: string): Mergeable {
  return {
    parts: { h: expr },
    merge: (p) => `(SELECT map_from_entries(list({'key': k, 'value': n::UBIGINT} ORDER BY k))
      FROM (SELECT e.key AS k, sum(e.value) AS n FROM (SELECT unnest(map_entries(${p('h')})) AS e FROM ${PARTS_TABLE}) GROUP BY 1))`,
  };
}

/**
 * The distinct count as K minimum values of the hashes: exact below K distinct values, else an estimate (≈1.6 % error).
 * A part keeps the distinct hashes under a threshold that leaves about 3K of them (by its estimate of its distinct
 * values), far above the whole batch's K-th smallest hash, so the merge finds the same K smallest as one scan would.
 */
function distinct(column: string, name: string): Mergeable {
  return {
    parts: {
      h: (sizes) => {
        const estimate = sizes.distinct.get(name) ?? 0;
        const below =
          estimate <= 3 * DISTINCT_SKETCH
            ? ''
            : ` AND hash(${column}) < ${(2n ** 64n * BigInt(3 * DISTINCT_SKETCH)) / BigInt(estimate)}::UBIGINT`;
        return `list(DISTINCT hash(${column})) FILTER (WHERE ${column} IS NOT NULL${below})`;
      },
    },
    merge: (p) => `(SELECT CASE WHEN count(*) < ${DISTINCT_SKETCH} THEN count(*)
        ELSE round((${DISTINCT_SKETCH} - 1) / (max(h)::DOUBLE / 18446744073709551616.0))::BIGINT END
      FROM (SELECT DISTINCT unnest(${p('h')}) AS h FROM ${PARTS_TABLE} ORDER BY h LIMIT ${DISTINCT_SKETCH}))`,
  };
}

/**
 * A part's values whose random key is under a threshold that keeps 1.2 times the sample size (all of a small part):
 * the whole batch's k-th smallest key lies within about 1/√k (0.4 %) of k/n, far under every part's threshold, so the
 * merge, keeping the smallest keys of all parts, holds the bottom-k of one scan: a uniform sample of the batch.
 */
const sample =
  (column: string, name: string) =>
  (sizes: PartSizes): string => {
    const values = sizes.values.get(name) ?? 0;
    const below = values <= 1.2 * QUANTILE_SAMPLE ? '' : ` AND __sample_key < ${(1.2 * QUANTILE_SAMPLE) / values}`;
    return `list({'v': ${column}, 'k': __sample_key}) FILTER (WHERE ${column} IS NOT NULL${below})`;
  };
const mergedSample = (partColumn: string, as: string): string =>
  `SELECT e.v AS ${as} FROM (SELECT unnest(${partColumn}) AS e FROM ${PARTS_TABLE}) ORDER BY e.k LIMIT ${QUANTILE_SAMPLE}`;

/** Quantiles from a uniform sample of the whole batch (every value below {@link QUANTILE_SAMPLE} values). */
function quantiles(column: string, name: string): Mergeable {
  return {
    parts: { s: sample(column, name) },
    merge: (p) => `(SELECT reservoir_quantile(v, [${QUANTILES.join(', ')}], ${QUANTILE_SAMPLE}) FROM (${mergedSample(p('s'), 'v')}))`,
  };
}

/** The mergeable form of one of a rule's aggregates (names as rule-sql.ts and drift.ts give them). */
function ruleAggregate(rule: DataTestRule, name: string, expr: string, index: number, types: ReadonlyMap<string, string>): Mergeable {
  const column = 'column' in rule ? rule.column : '';
  const type = types.get(column) ?? '';
  if ((rule.rule === 'unique' || rule.rule === 'duplicateFraction') && name === 'failed') {
    const present = rule.columns.map((c) => `${ident(c)} IS NOT NULL`).join(' AND ');
    return {
      parts: { present: `count(*) FILTER (WHERE ${present})` },
      merge: (p) => `(coalesce(sum(${p('present')}), 0) - (SELECT keys FROM ${KEY_COUNTS_TABLE} WHERE rule = ${index}))::BIGINT`,
    };
  }
  if (name === 'failed' || name === 'nulls') return sum(expr);
  if (name === 'min') return extreme('min', expr);
  if (name === 'max' || name === 'latest') return extreme('max', expr);
  if (name === 'bins') return histogram(expr);
  if (name === 'mean' || (name === 'value' && rule.rule === 'mean')) return mean(ident(column), type);
  if (name === 'value' && rule.rule === 'stddev') return stddev(ident(column));
  if (name === 'value' && rule.rule === 'sum') {
    return { parts: { s: exactSum(ident(column), type) }, merge: (p) => `sum(${p('s')})::DOUBLE` };
  }
  throw new Error(`no mergeable form of aggregate "${name}" of rule ${rule.rule}`);
}

/** The mergeable forms of the column metrics (metricAggregates in column-metrics.ts), by the single scan's names. */
function metricAggregates(fields: ReadonlyArray<{ name: string; type: string }>, counted: ReadonlySet<string>): Array<[string, Mergeable]> {
  return fields.flatMap((f, i): Array<[string, Mergeable]> => {
    const c = ident(f.name);
    const common: Array<[string, Mergeable]> = [
      [`m${i}_count`, sum(`count(${c})`)],
      ...(counted.has(f.name) ? [] : [[`m${i}_distinct`, distinct(c, f.name)] as [string, Mergeable]]),
    ];
    if (!DUCKDB_NUMERIC_TYPE.test(f.type)) return common;
    return [
      ...common,
      [`m${i}_min`, extreme('min', `min(${c})::DOUBLE`)],
      [`m${i}_max`, extreme('max', `max(${c})::DOUBLE`)],
      [`m${i}_sum`, { parts: { s: exactSum(c, f.type) }, merge: (p) => `sum(${p('s')})::DOUBLE` }],
      [`m${i}_mean`, mean(c, f.type)],
      [`m${i}_sd`, stddev(c)],
      [`m${i}_q`, quantiles(c, f.name)],
    ];
  });
}

/**
 * Splits the single scan (row count, column metrics, every compiled rule's aggregates) into a per-part scan and a merge
 * whose row has the single scan's column names, so the same judge functions read it.
 */
export function partialSql(
  rules: readonly DataTestRule[],
  compiled: readonly CompiledRule[],
  fields: ReadonlyArray<{ name: string; type: string }>,
  counted: ReadonlySet<string>,
): PartialSql {
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const all: Array<[string, Mergeable]> = [['rows', sum('count(*)')], ...metricAggregates(fields, counted)];
  const keySets: KeySet[] = [];
  compiled.forEach((c, i) => {
    const rule = rules[i]!;
    for (const [name, expr] of Object.entries(c.aggregates)) all.push([`r${i}_${name}`, ruleAggregate(rule, name, expr, i, types)]);
    if ((rule.rule === 'unique' || rule.rule === 'duplicateFraction') && 'failed' in c.aggregates) {
      const cols = rule.columns.map(ident);
      keySets.push({
        rule: i,
        // A named struct: DuckDB keeps it in tables, where an unnamed row() cannot be stored.
        key: cols.length === 1 ? cols[0]! : `{${cols.map((col, k) => `'k${k}': ${col}`).join(', ')}}`,
        present: cols.map((col) => `${col} IS NOT NULL`).join(' AND '),
      });
    }
  });
  const part: Array<[string, PartExpression]> = [];
  const merge: string[] = [];
  for (const [name, m] of all) {
    for (const [suffix, expr] of Object.entries(m.parts)) part.push([`${name}__${suffix}`, expr]);
    merge.push(`${m.merge((suffix) => ident(`${name}__${suffix}`))} AS ${ident(name)}`);
  }
  const psiColumns = [...new Set(rules.flatMap((r) => (r.rule === 'psi' ? [r.column] : [])))];
  const samples = psiColumns.map((column, j) => {
    part.push([`psi${j}__sample`, sample(ident(column), column)]);
    return { column, table: `psi_sample_${j}`, sql: mergedSample(ident(`psi${j}__sample`), ident(column)) };
  });
  const sizes = fields.flatMap((f, i) => [
    `count(${ident(f.name)}) AS ${ident(`n${i}`)}`,
    `approx_count_distinct(${ident(f.name)}) AS ${ident(`d${i}`)}`,
  ]);
  return {
    sizes,
    part: (found) => part.map(([name, expr]) => `${typeof expr === 'string' ? expr : expr(found)} AS ${ident(name)}`),
    merge,
    keySets,
    samples,
  };
}

/** Reads a part's first scan (the {@link PartialSql.sizes} items) back by column name. */
export function partSizes(fields: ReadonlyArray<{ name: string }>, row: Record<string, unknown>): PartSizes {
  return {
    values: new Map(fields.map((f, i) => [f.name, Number(row[`n${i}`] ?? 0)])),
    distinct: new Map(fields.map((f, i) => [f.name, Number(row[`d${i}`] ?? 0)])),
  };
}
