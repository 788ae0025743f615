import { z } from 'zod';
import { ColumnNameSchema } from './names.ts';
import { durationMs, DurationSchema } from './rules.ts';

/**
 * A dataset that is a feature table: rows keyed by entity and placed in time by an event-time column. Its batches
 * combine as an upsert by (key, event time), so the table keeps each entity's history; readers that need the values
 * known at a time (batch scoring, training sets) take, per entity, the latest row at or before that time.
 */
export const FeatureTableSpecSchema = z.strictObject({
  /** The entity key column(s): one row per entity and event time. */
  key: z.union([ColumnNameSchema.transform((column) => [column]), z.array(ColumnNameSchema).min(1, 'expected at least one key column')], {
    error: (i) => `expected a column name or a list of column names, got ${JSON.stringify(i.input)}`,
  }),
  /** The column saying when each row's values became true (TIMESTAMP, TIMESTAMPTZ or DATE). */
  eventTime: ColumnNameSchema,
  /** How long a row stays valid after its event time (`26h`, `7d`); older values are not used. @default no limit */
  maxAge: DurationSchema.optional(),
});
/** A feature table's declaration. */
export type FeatureTableSpec = z.infer<typeof FeatureTableSpecSchema>;

/** The column types an event-time column may have when a schema declares it. */
export const EVENT_TIME_TYPES = ['timestamp', 'date'] as const;

/** The columns an upsert of a feature table is keyed by: every key column, then the event time. */
export function featureTableUpsertKey(table: FeatureTableSpec): string[] {
  return [...table.key, table.eventTime];
}

/** A feature table's maxAge in milliseconds, or undefined without one. */
export function featureMaxAgeMs(table: FeatureTableSpec): number | undefined {
  return table.maxAge === undefined ? undefined : durationMs(table.maxAge);
}
