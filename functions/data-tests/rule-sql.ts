import { ident } from '../../lib/runtime/duckdb.ts';
import type { DataTestRule } from '../../lib/spec/rules.ts';

/** The SQL of one rule: aggregates evaluated in the single scan, and a predicate selecting failing rows. */
export interface RuleSql {
  /** Named aggregate expressions; `failed` counts failing rows (or is 1/0 for dataset-level rules). */
  readonly aggregates: Record<string, string>;
  /** Rows that break the rule, for the failing-rows sample; undefined for dataset-level rules. */
  readonly failingRows?: { readonly where?: string; readonly qualify?: string };
}

/** The OpenLineage assertion class of each rule, as dbt and Great Expectations name them. */
export const ASSERTION_CLASS: Record<DataTestRule['rule'], string> = {
  notNull: 'not_null',
  unique: 'unique',
  range: 'accepted_range',
  rowCount: 'row_count',
};

/** Compiles one rule to aggregates over the batch. */
export function ruleSql(rule: DataTestRule): RuleSql {
  switch (rule.rule) {
    case 'notNull': {
      const where = `${ident(rule.column)} IS NULL`;
      return { aggregates: { failed: `count(*) FILTER (WHERE ${where})` }, failingRows: { where } };
    }
    case 'unique': {
      const cols = rule.columns.map(ident);
      const allPresent = cols.map((c) => `${c} IS NOT NULL`).join(' AND ');
      const key = cols.length === 1 ? cols[0] : `row(${cols.join(', ')})`;
      return {
        // Rows with a missing key part are not duplicates (as in SQL UNIQUE and dbt); notNull covers them.
        aggregates: { failed: `count(*) FILTER (WHERE ${allPresent}) - count(DISTINCT ${key}) FILTER (WHERE ${allPresent})` },
        failingRows: { where: allPresent, qualify: `count(*) OVER (PARTITION BY ${cols.join(', ')}) > 1` },
      };
    }
    case 'range': {
      const c = ident(rule.column);
      const outside = [rule.min === undefined ? null : `${c} < ${rule.min}`, rule.max === undefined ? null : `${c} > ${rule.max}`]
        .filter(Boolean)
        .join(' OR ');
      return {
        aggregates: { failed: `count(*) FILTER (WHERE ${outside})`, min: `min(${c})`, max: `max(${c})` },
        failingRows: { where: outside },
      };
    }
    case 'rowCount': {
      const outside = [rule.min === undefined ? null : `count(*) < ${rule.min}`, rule.max === undefined ? null : `count(*) > ${rule.max}`]
        .filter(Boolean)
        .join(' OR ');
      return { aggregates: { failed: `CASE WHEN ${outside} THEN 1 ELSE 0 END`, rows: 'count(*)' } };
    }
  }
}

/** What the rule expects and what the batch showed, in words, for the assertion facet and the report. */
export function describeOutcome(rule: DataTestRule, values: Record<string, unknown>, rows: number): { expected: string; actual: string } {
  const failed = Number(values.failed ?? 0);
  switch (rule.rule) {
    case 'notNull':
      return { expected: '0 null values', actual: `${failed} null value${failed === 1 ? '' : 's'} in ${rows} rows` };
    case 'unique':
      return { expected: '0 duplicate rows', actual: `${failed} duplicate row${failed === 1 ? '' : 's'} in ${rows} rows` };
    case 'range':
      return {
        expected: `values in [${rule.min ?? '-∞'}, ${rule.max ?? '∞'}]`,
        actual: `${failed} value${failed === 1 ? '' : 's'} outside (observed min ${String(values.min ?? 'none')}, max ${String(values.max ?? 'none')})`,
      };
    case 'rowCount':
      return { expected: `row count in [${rule.min ?? 0}, ${rule.max ?? '∞'}]`, actual: `${String(values.rows)} rows` };
  }
}

/** A short name for a rule, stable across runs: `notNull(customer_id)`. */
export function ruleName(rule: DataTestRule): string {
  switch (rule.rule) {
    case 'notNull':
    case 'range':
      return `${rule.rule}(${rule.column})`;
    case 'unique':
      return `unique(${rule.columns.join(', ')})`;
    case 'rowCount':
      return 'rowCount';
  }
}
