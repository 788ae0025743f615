import { z } from 'zod';
import { ColumnSpecSchema } from './columns.ts';
import { BucketNameSchema, KeyPrefixSchema } from './names.ts';
import { DataTestRuleSchema } from './rules.ts';
import { DatasetSemanticsSchema, ExtraColumnsSchema } from './dataset-semantics.ts';
import { FeatureTableSpecSchema } from './feature-table.ts';

// Ingest splits records byte by byte, so each CSV control character is one ASCII byte (a tab, a semicolon, a pipe).
const CsvCharSchema = z
  .string()
  .regex(/^[\x01-\x09\x0b\x0c\x0e-\x7f]$/, 'expected one ASCII character other than a line break (e.g. ",", ";", "\\t", "|")');

const DatasetBase = {
  bucket: BucketNameSchema,
  prefix: KeyPrefixSchema,
  format: z.enum(['csv', 'jsonl', 'parquet'], { error: (i) => `expected "csv", "jsonl" or "parquet", got ${JSON.stringify(i.input)}` }),
  description: z.string().optional(),
  /** How a CSV dataset is written; defaults: comma, double quote, quote doubled as escape, a header line. */
  csv: z
    .strictObject({
      delimiter: CsvCharSchema.optional(),
      quote: CsvCharSchema.optional(),
      escape: CsvCharSchema.optional(),
      header: z.boolean().optional(),
    })
    .optional(),
  tests: z.array(DataTestRuleSchema).optional(),
  /** How published batches combine into the table readers see (docs/datasets-and-runs.md); default `append`. */
  semantics: DatasetSemanticsSchema.optional(),
  /** Makes the dataset a feature table: entity key(s) and event time, read as of a time (docs/features-and-models.md). */
  featureTable: FeatureTableSpecSchema.optional(),
  /** For an uploaded dataset: the fraction of rejected rows above which ingest fails the batch; default 0.1. */
  maxRejectedFraction: z.number().min(0, 'expected a fraction from 0 to 1').max(1, 'expected a fraction from 0 to 1').optional(),
  /** For an uploaded dataset: what ingest does with columns the schema does not declare; default `ignore`. */
  extraColumns: ExtraColumnsSchema.optional(),
  /**
   * For an uploaded dataset: what a record that cannot be split into fields does (a stray quote, a wrong number of
   * fields, invalid JSON, a NUL byte, an overlong line; also mixed line endings): `fail` the file (the default: it is
   * damaged) or `reject` the record like a row with a bad value.
   */
  malformedRecords: z.enum(['fail', 'reject'], { error: (i) => `expected "fail" or "reject", got ${JSON.stringify(i.input)}` }).optional(),
  /** For an uploaded dataset: the largest file ingest reads, in bytes after decompression; default 1 GiB. */
  maxBytes: z.number().int('expected a whole number of bytes').positive('expected a number of bytes > 0').optional(),
};

/** A dataset as written in a definition: its columns may be given as a zod object schema. */
export const DatasetDefinitionSchema = z.strictObject({ ...DatasetBase, schema: z.unknown().optional() });
/** A dataset in the compiled, plain-JSON spec. */
export const DatasetSpecSchema = z.strictObject({ ...DatasetBase, columns: z.array(ColumnSpecSchema).optional() });
/** A dataset in the compiled spec. */
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;
