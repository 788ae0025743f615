import { z } from 'zod';
import { featureTableUpsertKey, type FeatureTableSpec } from './feature-table.ts';
import { ColumnNameSchema } from './names.ts';

const SEMANTICS_HINT = `"append", "snapshot" or { upsert: { key: ['id'], orderBy: 'updated_at' } }`;

/**
 * How a dataset's published batches combine into the table readers see: every batch (`append`), the latest batch
 * (`snapshot`), or the latest row per key (`upsert`, ordered by `orderBy`, then by batch order, then file order).
 */
export const DatasetSemanticsSchema = z.union(
  [
    z.literal('append'),
    z.literal('snapshot'),
    z.strictObject({
      upsert: z.strictObject({
        key: z.array(ColumnNameSchema).min(1, 'expected at least one key column'),
        orderBy: ColumnNameSchema.optional(),
      }),
    }),
  ],
  { error: (i) => `expected ${SEMANTICS_HINT}, got ${JSON.stringify(i.input)}` },
);
/** A dataset's semantics as declared. */
export type DatasetSemantics = z.infer<typeof DatasetSemanticsSchema>;

/** What ingest does with columns a file has but the schema does not declare. */
export const ExtraColumnsSchema = z.enum(['ignore', 'reject', 'keep'], {
  error: (i) => `expected "ignore", "reject" or "keep", got ${JSON.stringify(i.input)}`,
});
/** An extra-columns policy. */
export type ExtraColumns = z.infer<typeof ExtraColumnsSchema>;

/** Semantics of a dataset that declares none: every published batch is part of the table. */
export const DEFAULT_SEMANTICS = 'append' as const;
/**
 * Rejected rows a batch may have before ingest fails it, as a fraction of the file's records: beyond a tenth, the file
 * (its format, its delimiter, its producer) is more likely wrong than a few of its rows.
 */
export const DEFAULT_MAX_REJECTED_FRACTION = 0.1;
/**
 * The largest upload ingest reads, after decompression: the file, its unpacked copy and the staged Parquet must fit the
 * step function's 2 GiB of scratch space, and a small `.gz` can unpack to far more than that.
 */
export const DEFAULT_MAX_BYTES = 1024 ** 3;

/** Whether a damaged record fails the file (the default) or is rejected like a row with a bad value. */
export function malformedRecordsOf(dataset: { readonly malformedRecords?: 'fail' | 'reject' }): 'fail' | 'reject' {
  return dataset.malformedRecords ?? 'fail';
}

/** The size limit of an uploaded dataset, and the setting that gives it (for messages). */
export function maxBytesOf(dataset: { readonly maxBytes?: number }, ref: string): { bytes: number; name: string } {
  return dataset.maxBytes === undefined
    ? { bytes: DEFAULT_MAX_BYTES, name: `the default (set maxBytes on dataset ${JSON.stringify(ref)} to change it)` }
    : { bytes: dataset.maxBytes, name: `dataset ${JSON.stringify(ref)}'s maxBytes` };
}

/** Extra columns are dropped (and noted in lineage) unless a dataset says otherwise. */
export const DEFAULT_EXTRA_COLUMNS: ExtraColumns = 'ignore';

/** A dataset's semantics in a form readers switch on. */
export type TableSemantics =
  | { readonly kind: 'append' }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'upsert'; readonly key: readonly string[]; readonly orderBy?: string };

/** The semantics a dataset declares, or the default; a feature table is an upsert by its key and event time. */
export function semanticsOf(dataset: { readonly semantics?: DatasetSemantics; readonly featureTable?: FeatureTableSpec }): TableSemantics {
  if (dataset.featureTable) return { kind: 'upsert', key: featureTableUpsertKey(dataset.featureTable) };
  const declared = dataset.semantics ?? DEFAULT_SEMANTICS;
  if (declared === 'append' || declared === 'snapshot') return { kind: declared };
  return { kind: 'upsert', key: declared.upsert.key, ...(declared.upsert.orderBy ? { orderBy: declared.upsert.orderBy } : {}) };
}

/** The rejected-row fraction above which ingest fails a batch of this dataset. */
export function maxRejectedFractionOf(dataset: { readonly maxRejectedFraction?: number }): number {
  return dataset.maxRejectedFraction ?? DEFAULT_MAX_REJECTED_FRACTION;
}

/** What ingest does with this dataset's undeclared columns. */
export function extraColumnsOf(dataset: { readonly extraColumns?: ExtraColumns }): ExtraColumns {
  return dataset.extraColumns ?? DEFAULT_EXTRA_COLUMNS;
}
