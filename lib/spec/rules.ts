import { z } from 'zod';
import { ColumnNameSchema } from './names.ts';

const Severity = z.enum(['error', 'warn']).default('error');

/** A data-test rule declared on a dataset; `error` rules block publishing, `warn` rules are only recorded. */
export const DataTestRuleSchema = z.discriminatedUnion(
  'rule',
  [
    z.strictObject({ rule: z.literal('notNull'), column: ColumnNameSchema, severity: Severity }),
    z.strictObject({ rule: z.literal('unique'), columns: z.array(ColumnNameSchema).min(1), severity: Severity }),
    z
      .strictObject({
        rule: z.literal('range'),
        column: ColumnNameSchema,
        min: z.number().optional(),
        max: z.number().optional(),
        severity: Severity,
      })
      .refine((r) => r.min !== undefined || r.max !== undefined, { error: 'expected min, max or both', path: ['min'] })
      .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
        error: 'expected min <= max',
        path: ['max'],
      }),
    z
      .strictObject({
        rule: z.literal('rowCount'),
        min: z.int().nonnegative().optional(),
        max: z.int().nonnegative().optional(),
        severity: Severity,
      })
      .refine((r) => r.min !== undefined || r.max !== undefined, { error: 'expected min, max or both', path: ['min'] }),
  ],
  { error: (issue) => `expected one of "notNull", "unique", "range", "rowCount", got ${JSON.stringify((issue.input as { rule?: unknown })?.rule)}` },
);
/** A data-test rule. */
export type DataTestRule = z.infer<typeof DataTestRuleSchema>;
/** A data-test rule as written by the user (severity may be omitted). */
export type DataTestRuleInput = z.input<typeof DataTestRuleSchema>;

/** The columns a rule refers to, to check them against the dataset's schema. */
export function ruleColumns(rule: DataTestRule): string[] {
  switch (rule.rule) {
    case 'notNull':
    case 'range':
      return [rule.column];
    case 'unique':
      return rule.columns;
    case 'rowCount':
      return [];
  }
}
