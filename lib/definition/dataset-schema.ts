import { z } from 'zod';
import { ColumnSpecSchema } from './columns.ts';
import { BucketNameSchema, KeyPrefixSchema } from './names.ts';
import { DataTestRuleSchema } from './rules.ts';

const DatasetBase = {
  bucket: BucketNameSchema,
  prefix: KeyPrefixSchema,
  format: z.enum(['csv', 'jsonl', 'parquet'], { error: (i) => `expected "csv", "jsonl" or "parquet", got ${JSON.stringify(i.input)}` }),
  description: z.string().optional(),
  /** How a CSV dataset is written; defaults: comma, double quote, quote doubled as escape, a header line. */
  csv: z
    .strictObject({
      delimiter: z.string().length(1, 'expected one character').optional(),
      quote: z.string().length(1, 'expected one character').optional(),
      escape: z.string().length(1, 'expected one character').optional(),
      header: z.boolean().optional(),
    })
    .optional(),
  tests: z.array(DataTestRuleSchema).optional(),
};

/** A dataset as written in a definition: its columns may be given as a zod object schema. */
export const DatasetDefinitionSchema = z.strictObject({ ...DatasetBase, schema: z.unknown().optional() });
/** A dataset in the compiled, plain-JSON spec. */
export const DatasetSpecSchema = z.strictObject({ ...DatasetBase, columns: z.array(ColumnSpecSchema).optional() });
/** A dataset in the compiled spec. */
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;
