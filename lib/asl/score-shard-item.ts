import { z } from 'zod';

/** The model version every shard of a run scores with, pinned by the planner: an S3 object version, or a registry version. */
export const ModelPinSchema = z.union([
  z.object({ registry: z.literal('mlflow'), name: z.string(), version: z.string() }),
  z.object({ bucket: z.string(), key: z.string(), etag: z.string(), versionId: z.string().optional() }),
]);
/** A pinned model version. */
export type ModelPin = z.infer<typeof ModelPinSchema>;

/** One shard of a sharded scoring run: contiguous row groups of one or more input files, in input order. */
export const ScoreShardItemSchema = z.object({
  /** The shard's place (0-based); it names the predictions part file it writes. */
  index: z.int().nonnegative(),
  count: z.int().positive(),
  /** The shard's first row in the whole input (0-based) and its number of rows. */
  firstRow: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  model: ModelPinSchema,
  /** Row ranges of input files, by the files' own row numbers (`from` included, `to` excluded), whole row groups. */
  ranges: z.array(
    z.object({
      bucket: z.string(),
      key: z.string(),
      etag: z.string(),
      versionId: z.string().optional(),
      /** The file's size in bytes: where its Parquet footer is, for a shard's ranged reads. */
      size: z.number().int().positive(),
      from: z.number().int().nonnegative(),
      to: z.number().int().nonnegative(),
    }),
  ),
});
/** One shard of a sharded scoring run. */
export type ScoreShardItem = z.infer<typeof ScoreShardItemSchema>;

/** What a scoring step that decided to shard hands to the state machine: where its plan is, and how to run the map. */
export const ScoreShardsRefSchema = z.object({
  bucket: z.string(),
  /** The shards as a JSON array (the Distributed Map's ItemReader). */
  items: z.string(),
  /** The plan the gather reads: model pin, input lineage, prediction columns. */
  plan: z.string(),
  /** Where the map's ResultWriter puts the shards' outcomes. */
  results: z.string(),
  count: z.int().positive(),
  concurrency: z.int().positive(),
});
/** Where a sharded scoring run's plan is. */
export type ScoreShardsRef = z.infer<typeof ScoreShardsRefSchema>;
