import { ident, literal } from '../../runtime/duckdb.ts';
import { durationMs, type DataTestRule } from '../../definition/rules.ts';

/** What a rule concluded about a batch, for the assertion facet and the report. */
export interface RuleOutcome {
  readonly success: boolean;
  readonly expected: string;
  readonly actual: string;
  /** Rows that broke the rule, for row-level rules. */
  readonly failedRows?: number;
}

/** A rule compiled for the single scan: aggregates over `batch`, a failing-row predicate, and its judgement. */
export interface CompiledRule {
  readonly aggregates: Record<string, string>;
  readonly failing?: { readonly where: string; readonly qualify?: string };
  judge(values: Record<string, unknown>, rows: number): RuleOutcome;
}

/** What rules need to know about the run. */
export interface RuleContext {
  /** The time freshness is measured against: the run's nominal time, else the execution's start. */
  readonly referenceTime: Date;
  /** The view holding a referenced dataset, by dataset name. */
  readonly referenceView: (dataset: string) => string;
}

/** The OpenLineage assertion class of each rule, as dbt and Great Expectations name them. */
export const ASSERTION_CLASS: Record<DataTestRule['rule'], string> = {
  notNull: 'not_null',
  unique: 'unique',
  acceptedValues: 'accepted_values',
  range: 'accepted_range',
  pattern: 'pattern',
  length: 'length',
  rowCount: 'row_count',
  freshness: 'freshness',
  referential: 'relationships',
  nullFraction: 'null_fraction',
  duplicateFraction: 'duplicate_fraction',
  mean: 'mean_between',
  stddev: 'stddev_between',
  sum: 'sum_between',
  sql: 'custom_sql',
  rowCountChange: 'row_count_change',
  psi: 'population_stability_index',
  meanShift: 'mean_shift',
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A measured number as a report shows it: 4 decimals from 1 up, 4 significant digits below (`64.8321`, `0.0001235`). */
export function shown(n: number): string {
  if (!Number.isFinite(n) || Number.isInteger(n)) return String(n);
  return String(Math.abs(n) >= 1 ? Number(n.toFixed(4)) : Number(n.toPrecision(4)));
}
const num = (v: unknown): number => Number(v ?? 0);
const between = (min: number | undefined, max: number | undefined): string => `[${min ?? '-∞'}, ${max ?? '∞'}]`;
const within = (v: number, min?: number, max?: number): boolean => (min === undefined || v >= min) && (max === undefined || v <= max);

/** A rule whose failures are rows matching a predicate. */
function rowRule(where: string, expected: string, what: string): CompiledRule {
  return {
    aggregates: { failed: `count(*) FILTER (WHERE ${where})` },
    failing: { where },
    judge: (v, rows) => {
      const failed = num(v.failed);
      return { success: failed === 0, expected, actual: `${plural(failed, what)} in ${rows} rows`, failedRows: failed };
    },
  };
}

/** Compiles a row-level or aggregate rule (drift rules are compiled in drift.ts). */
export function compileRule(rule: DataTestRule, context: RuleContext): CompiledRule | undefined {
  switch (rule.rule) {
    case 'notNull':
      return rowRule(`${ident(rule.column)} IS NULL`, '0 null values', 'null value');
    case 'unique':
    case 'duplicateFraction': {
      const cols = rule.columns.map(ident);
      const present = cols.map((c) => `${c} IS NOT NULL`).join(' AND ');
      const key = cols.length === 1 ? cols[0] : `row(${cols.join(', ')})`;
      const max = rule.rule === 'duplicateFraction' ? rule.max : 0;
      return {
        // Rows with a missing key part are not duplicates (as in SQL UNIQUE and dbt); notNull covers them.
        aggregates: { failed: `count(*) FILTER (WHERE ${present}) - count(DISTINCT ${key}) FILTER (WHERE ${present})` },
        failing: { where: present, qualify: `count(*) OVER (PARTITION BY ${cols.join(', ')}) > 1` },
        judge: (v, rows) => {
          const failed = num(v.failed);
          const fraction = rows === 0 ? 0 : failed / rows;
          return rule.rule === 'unique'
            ? {
                success: failed === 0,
                expected: '0 duplicate rows',
                actual: `${plural(failed, 'duplicate row')} in ${rows} rows`,
                failedRows: failed,
              }
            : {
                success: fraction <= max,
                expected: `duplicate fraction <= ${max}`,
                actual: `${fraction.toFixed(6)} (${failed} of ${rows} rows)`,
                failedRows: failed,
              };
        },
      };
    }
    case 'acceptedValues': {
      const values = rule.values.map((v) => (typeof v === 'string' ? literal(v) : String(v))).join(', ');
      return rowRule(
        `${ident(rule.column)} IS NOT NULL AND ${ident(rule.column)} NOT IN (${values})`,
        `values in {${rule.values.join(', ')}}`,
        'other value',
      );
    }
    case 'range': {
      const c = ident(rule.column);
      const [lo, hi] = rule.inclusive ? ['<', '>'] : ['<=', '>='];
      const outside = [rule.min === undefined ? '' : `${c} ${lo} ${rule.min}`, rule.max === undefined ? '' : `${c} ${hi} ${rule.max}`]
        .filter(Boolean)
        .join(' OR ');
      const interval = `${rule.inclusive ? '[' : '('}${rule.min ?? '-∞'}, ${rule.max ?? '∞'}${rule.inclusive ? ']' : ')'}`;
      return {
        aggregates: { failed: `count(*) FILTER (WHERE ${outside})`, min: `min(${c})`, max: `max(${c})` },
        failing: { where: outside },
        judge: (v) => {
          const failed = num(v.failed);
          return {
            success: failed === 0,
            expected: `values in ${interval}`,
            actual: `${plural(failed, 'value')} outside (observed min ${String(v.min ?? 'none')}, max ${String(v.max ?? 'none')})`,
            failedRows: failed,
          };
        },
      };
    }
    case 'pattern':
      return rowRule(
        `${ident(rule.column)} IS NOT NULL AND NOT regexp_full_match(CAST(${ident(rule.column)} AS VARCHAR), ${literal(rule.regex)})`,
        `values matching /${rule.regex}/`,
        'non-matching value',
      );
    case 'length': {
      const len = `length(CAST(${ident(rule.column)} AS VARCHAR))`;
      const outside = [rule.min === undefined ? '' : `${len} < ${rule.min}`, rule.max === undefined ? '' : `${len} > ${rule.max}`]
        .filter(Boolean)
        .join(' OR ');
      return rowRule(`(${outside})`, `lengths in ${between(rule.min, rule.max)}`, 'value of another length');
    }
    case 'rowCount':
      return {
        aggregates: {},
        judge: (_, rows) => ({
          success: within(rows, rule.min, rule.max),
          expected: `row count in ${between(rule.min ?? 0, rule.max)}`,
          actual: `${rows} rows`,
        }),
      };
    case 'freshness':
      return {
        aggregates: { latest: `epoch_ms(max(${ident(rule.column)})::TIMESTAMP)` },
        judge: (v) => {
          const reference = context.referenceTime.toISOString();
          if (v.latest === null || v.latest === undefined)
            return { success: false, expected: `latest value within ${rule.maxAge} of ${reference}`, actual: 'no values' };
          const age = context.referenceTime.getTime() - num(v.latest);
          return {
            success: age <= durationMs(rule.maxAge),
            expected: `latest value within ${rule.maxAge} of ${reference}`,
            actual: `latest ${new Date(num(v.latest)).toISOString()} (${(age / 3.6e6).toFixed(2)} h old)`,
          };
        },
      };
    case 'referential': {
      const c = ident(rule.column);
      const ref = ident(rule.referencedColumn ?? rule.column);
      const view = context.referenceView(rule.dataset);
      return rowRule(
        `${c} IS NOT NULL AND ${c} NOT IN (SELECT ${ref} FROM ${view} WHERE ${ref} IS NOT NULL)`,
        `every value present in ${rule.dataset}.${rule.referencedColumn ?? rule.column}`,
        'missing value',
      );
    }
    case 'nullFraction':
      return {
        aggregates: { nulls: `count(*) FILTER (WHERE ${ident(rule.column)} IS NULL)` },
        failing: { where: `${ident(rule.column)} IS NULL` },
        judge: (v, rows) => {
          const fraction = rows === 0 ? 0 : num(v.nulls) / rows;
          return {
            success: fraction <= rule.max,
            expected: `null fraction <= ${rule.max}`,
            actual: `${fraction.toFixed(6)} (${num(v.nulls)} of ${rows} rows)`,
            failedRows: num(v.nulls),
          };
        },
      };
    case 'mean':
    case 'stddev':
    case 'sum': {
      const fn = { mean: 'avg', stddev: 'stddev_samp', sum: 'sum' }[rule.rule];
      return {
        aggregates: { value: `${fn}(${ident(rule.column)})::DOUBLE` },
        judge: (v) => {
          const value = v.value === null || v.value === undefined ? undefined : num(v.value);
          return {
            success: value !== undefined && within(value, rule.min, rule.max),
            expected: `${rule.rule} in ${between(rule.min, rule.max)}`,
            actual: value === undefined ? 'no values' : `${rule.rule} ${shown(value)}`,
          };
        },
      };
    }
    case 'sql':
      return rowRule(`NOT coalesce((${rule.predicate}), false)`, `every row satisfies ${rule.predicate}`, 'failing row');
    case 'rowCountChange':
    case 'psi':
    case 'meanShift':
      return undefined;
  }
}

/** A short name for a rule, stable across runs: `notNull(customer_id)`. */
export function ruleName(rule: DataTestRule): string {
  if (rule.rule === 'sql') return `sql(${rule.name})`;
  if ('columns' in rule) return `${rule.rule}(${rule.columns.join(', ')})`;
  if ('column' in rule) return `${rule.rule}(${rule.column})`;
  return rule.rule;
}
