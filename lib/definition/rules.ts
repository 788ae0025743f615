import { z } from 'zod';
import { ColumnNameSchema, IdentifierSchema } from './names.ts';

const Severity = z.enum(['error', 'warn'], { error: (i) => `expected "error" or "warn", got ${JSON.stringify(i.input)}` }).default('error');
const Column = ColumnNameSchema;
const Fraction = z.number().min(0).max(1);
const Bounds = { min: z.number().optional(), max: z.number().optional() };

/** Requires at least one of min and max, and min <= max. */
function bounded<T extends z.ZodType<{ min?: number; max?: number }>>(schema: T): T {
  return schema
    .refine((r) => r.min !== undefined || r.max !== undefined, { error: 'expected min, max or both', path: ['min'] })
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { error: 'expected min <= max', path: ['max'] });
}

/** A duration such as `30m`, `26h` or `7d`. */
export const DurationSchema = z.string().regex(/^\d+(\.\d+)?(s|m|h|d)$/, {
  error: (i) => `expected a duration like "30m", "26h" or "7d", got ${JSON.stringify(i.input)}`,
});

const rule = <T extends string, S extends z.ZodRawShape>(name: T, shape: S) =>
  z.strictObject({ rule: z.literal(name), ...shape, severity: Severity });

/** A data-test rule declared on a dataset; `error` rules block publishing, `warn` rules are only recorded. */
export const DataTestRuleSchema = z.discriminatedUnion(
  'rule',
  [
    rule('notNull', { column: Column }),
    rule('unique', { columns: z.array(Column).min(1) }),
    rule('acceptedValues', { column: Column, values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) }),
    bounded(rule('range', { column: Column, ...Bounds, inclusive: z.boolean().default(true) })),
    rule('pattern', { column: Column, regex: z.string().min(1).refine(isRegex, { error: 'expected a valid regular expression' }) }),
    bounded(rule('length', { column: Column, min: z.int().nonnegative().optional(), max: z.int().nonnegative().optional() })),
    bounded(rule('rowCount', { min: z.int().nonnegative().optional(), max: z.int().nonnegative().optional() })),
    rule('freshness', { column: Column, maxAge: DurationSchema }),
    rule('referential', { column: Column, dataset: IdentifierSchema, referencedColumn: Column.optional() }),
    rule('nullFraction', { column: Column, max: Fraction }),
    rule('duplicateFraction', { columns: z.array(Column).min(1), max: Fraction }),
    bounded(rule('mean', { column: Column, ...Bounds })),
    bounded(rule('stddev', { column: Column, ...Bounds })),
    bounded(rule('sum', { column: Column, ...Bounds })),
    rule('sql', { name: IdentifierSchema, predicate: z.string().trim().min(1, 'required') }),
    rule('rowCountChange', { maxChange: z.number().positive(), history: z.int().min(1).max(100).default(5) }),
    rule('psi', { column: Column, max: z.number().positive(), bins: z.int().min(2).max(50).default(10) }),
    rule('meanShift', { column: Column, maxStddevs: z.number().positive(), history: z.int().min(1).max(100).default(5) }),
  ],
  {
    error: (i) =>
      `expected one of ${RULE_NAMES.map((n) => `"${n}"`).join(', ')}, got ${JSON.stringify((i.input as { rule?: unknown })?.rule)}`,
  },
);
/** A data-test rule. */
export type DataTestRule = z.infer<typeof DataTestRuleSchema>;
/** A data-test rule as written by the user (severity and defaults may be omitted). */
export type DataTestRuleInput = z.input<typeof DataTestRuleSchema>;

/** Every rule name, for messages. */
export const RULE_NAMES = [
  'notNull',
  'unique',
  'acceptedValues',
  'range',
  'pattern',
  'length',
  'rowCount',
  'freshness',
  'referential',
  'nullFraction',
  'duplicateFraction',
  'mean',
  'stddev',
  'sum',
  'sql',
  'rowCountChange',
  'psi',
  'meanShift',
] as const;

/** Rules that need a numeric column. */
export const NUMERIC_RULES: ReadonlySet<string> = new Set(['range', 'mean', 'stddev', 'sum', 'meanShift']);

/** The columns a rule refers to, to check them against the dataset's schema. */
export function ruleColumns(rule: DataTestRule): string[] {
  if ('columns' in rule) return rule.columns;
  if ('column' in rule) return [rule.column];
  return [];
}

/** Duration text (`26h`) in milliseconds. */
export function durationMs(text: string): number {
  const n = Number.parseFloat(text);
  const unit = text.at(-1);
  return n * (unit === 's' ? 1e3 : unit === 'm' ? 6e4 : unit === 'h' ? 3.6e6 : 8.64e7);
}

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
