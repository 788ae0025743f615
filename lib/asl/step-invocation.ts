import { z } from 'zod';
import { DatasetSpecSchema, StepSchema } from '../definition/pipeline-schema.ts';
import { INGEST_PART_STATES } from '../definition/state-names.ts';
import { OUTPUT_ROLES } from '../definition/step-kinds/index.ts';
import { ScoreShardItemSchema, ScoreShardsRefSchema } from './score-shard-item.ts';

/** How a run was started, as the state machine receives it (from EventBridge or the local runner). */
export const TriggerInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('upload'),
    /** The upload trigger's dataset: what the object arrived in, and which steps the execution runs. */
    dataset: z.string().min(1),
    bucket: z.string().min(1),
    key: z.string().min(1),
    versionId: z.string().nullish(),
    etag: z.string().nullish(),
    size: z.number().nullish(),
    /** The event time (ISO), or a listing's LastModified (epoch seconds) when a backfill started the run. */
    time: z.union([z.string(), z.number()]).nullish(),
  }),
  z.object({
    kind: z.literal('schedule'),
    name: z.string().min(1),
    nominalTime: z.iso.datetime({ offset: true }),
    startAt: z.string().optional(),
  }),
]);
/** How a run was started. */
export type TriggerInput = z.infer<typeof TriggerInputSchema>;

/**
 * A backfill: the execution runs one child execution per group of objects under `prefix` (a Distributed Map), each
 * child the upload path of `dataset` for its objects. Steps never receive it; their children's triggers are uploads.
 */
export const BackfillTriggerSchema = z.object({
  kind: z.literal('backfill'),
  dataset: z.string().min(1),
  /** The S3 prefix listed, the dataset's own or one below it, ending in "/". */
  prefix: z.string().min(1),
  /** Child executions running at once (the Map's MaxConcurrency). */
  concurrency: z.int().min(1).max(10_000),
  /** Objects per child execution (the ItemBatcher's MaxItemsPerBatch); a child's output must stay under 256 KiB. */
  objectsPerChild: z.int().min(1).max(100),
  /** Percentage of objects that may fail or be quarantined before the backfill fails. */
  toleratedFailurePercentage: z.number().min(0).max(100),
});
/** A backfill of a prefix. */
export type BackfillTrigger = z.infer<typeof BackfillTriggerSchema>;

/** What an execution's input `trigger` may hold: an upload, a schedule or a backfill. */
export const ExecutionTriggerSchema = z.union([TriggerInputSchema, BackfillTriggerSchema]);
/** What started an execution. */
export type ExecutionTrigger = z.infer<typeof ExecutionTriggerSchema>;

/** What a written batch is for readers: staged for the audit, published, quarantined by it, or rejected rows. */
export const OutputRoleSchema = z.enum(OUTPUT_ROLES);

/** One object a step wrote. */
export const WrittenObjectSchema = z.object({
  dataset: z.string(),
  bucket: z.string(),
  key: z.string(),
  rows: z.number(),
  bytes: z.number(),
  etag: z.string().optional(),
  versionId: z.string().optional(),
  /** What the batch is (from the step kind's registry entry). */
  role: OutputRoleSchema.optional(),
});
/** One object a step wrote. */
export type WrittenObject = z.infer<typeof WrittenObjectSchema>;

/** A file a step wrote beside a batch that is not data of the dataset (a quarantine report, a failing-rows sample). */
export const AttachmentSchema = z.object({ bucket: z.string(), key: z.string(), what: z.string() });
/** A file a step wrote beside a batch. */
export type Attachment = z.infer<typeof AttachmentSchema>;

/** A data-test rule that failed or warned, with what it measured and what it allows. */
export const RuleResultSchema = z.object({
  name: z.string(),
  /** The OpenLineage assertion class (`unique`, `accepted_range`, …). */
  assertion: z.string(),
  /** `error` blocks the batch (FAILED); `warn` only reports (WARNED). */
  severity: z.enum(['error', 'warn']),
  column: z.string().optional(),
  expected: z.string(),
  actual: z.string(),
  /** Rows that broke a row-level rule. */
  failedRows: z.number().optional(),
});
/** A data-test rule that failed or warned. */
export type RuleResult = z.infer<typeof RuleResultSchema>;

/** One reason ingest rejected rows for: a column (none for a record the parser could not read) and a problem. */
export const RejectionReasonSchema = z.object({
  column: z.string().nullable(),
  /** The problem without the value (`expected a number`). */
  reason: z.string(),
  rows: z.number(),
  /** The first record with it (1-based record number of the source) and what it held. */
  firstRow: z.number(),
  example: z.string().optional(),
});
/** One reason ingest rejected rows for. */
export type RejectionReason = z.infer<typeof RejectionReasonSchema>;

/** Counts of a data-test step's rules: passed, failed (error severity) and warned. */
export const TestCountsSchema = z.object({ passed: z.number(), failed: z.number(), warned: z.number() });

/** What a step found besides row counts, for reports and alerts; success or not. */
export const StepFindingsSchema = z.object({
  /** Rules that failed or warned (passing ones are only counted in `tests`). */
  rules: z.array(RuleResultSchema).optional(),
  /** The most frequent rejection reasons, by column. */
  rejections: z.array(RejectionReasonSchema).optional(),
  attachments: z.array(AttachmentSchema).optional(),
});

/** What a step hands to the next ones: metadata only, never data (payloads are limited to 256 KiB). */
export const StepResultSchema = z.object({
  step: z.string(),
  kind: z.string(),
  batchId: z.string(),
  rowsIn: z.number(),
  rowsOut: z.number(),
  outputs: z.array(WrittenObjectSchema),
  rejectedRows: z.number().optional(),
  tests: TestCountsSchema.optional(),
  modelVersion: z.string().optional(),
  /** A scoring step whose input is above its shard threshold: the plan its shards and gather run from (score-shards-asl.ts). */
  shards: ScoreShardsRefSchema.optional(),
  durationMs: z.number(),
  ...StepFindingsSchema.shape,
});
/** What a step hands to the next ones. */
export type StepResult = z.infer<typeof StepResultSchema>;

/** One part of a large object, as its plan lists it (byte range, and the numbers the whole file's scan gives it). */
export const IngestPartItemSchema = z.object({
  index: z.int().nonnegative(),
  start: z.int().nonnegative(),
  end: z.int().nonnegative(),
  firstRecord: z.int().nonnegative(),
  firstLine: z.int().positive(),
  /** Parts in the plan. */
  count: z.int().positive(),
  /** The CSV header line every part is typed by. */
  header: z.string().optional(),
  /** Fields every CSV record must have. */
  fields: z.int().nonnegative().optional(),
  /** Parquet: the consecutive row groups of the part (its bytes are `start` to `end`), and where the footer is. */
  rowGroups: z.object({ first: z.int().nonnegative(), count: z.int().nonnegative() }).optional(),
  footer: z.object({ start: z.int().nonnegative(), end: z.int().nonnegative() }).optional(),
});
/** One part of a large object. */
export type IngestPartItem = z.infer<typeof IngestPartItemSchema>;

/** Which task of an ingest in parts an invocation is: planning the parts, ingesting one, or gathering them. */
export const IngestTaskSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('plan') }),
  z.object({ mode: z.literal('part'), part: IngestPartItemSchema }),
  z.object({ mode: z.literal('gather') }),
]);
/** Which task of an ingest in parts an invocation is. */
export type IngestTask = z.infer<typeof IngestTaskSchema>;

/** One staged file of a data-test step's Distributed Map: its place in the writing step's outputs, and the object. */
export const TestPartItemSchema = z.object({ index: z.int().nonnegative(), object: WrittenObjectSchema });

/**
 * A data-test step audited in parts (test-parts-asl.ts): a `part` computes the partial results of its files; the
 * `merge` judges the batch from every part's results.
 */
export const TestPartSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('part'), items: z.array(TestPartItemSchema).min(1) }),
  z.object({ mode: z.literal('merge') }),
]);
/** Which half of a data-test step audited in parts an invocation runs. */
export type TestPart = z.infer<typeof TestPartSchema>;

/** The payload every step handler receives from the state machine. */
export const StepInvocationSchema = z.object({
  pipeline: z.object({ name: z.string(), namespace: z.string() }),
  step: StepSchema,
  datasets: z.record(z.string(), DatasetSpecSchema),
  trigger: TriggerInputSchema,
  /** Results of earlier steps, by step name; each as the Task's ResultSelector stores it (`{output}`). */
  results: z.record(z.string(), z.object({ output: StepResultSchema })),
  execution: z.object({ id: z.string().min(1), startTime: z.string() }),
  /** In a backfill's child execution: the execution that started it, whose pipeline run is the step run's parent. */
  parent: z.object({ executionId: z.string().min(1) }).optional(),
  /** An ingest of a large object in parts: this invocation's task (absent: the whole step at once). */
  ingestTask: IngestTaskSchema.optional(),
  attempt: z.int().nonnegative(),
  /** Which part of a sharded scoring run this is: one shard, the gather of all shards, or naming the shards that failed. */
  phase: z.enum(['shard', 'gather', 'shardsFailed']).optional(),
  /** The shard a `shard` phase scores. */
  shard: ScoreShardItemSchema.optional(),
  /** The map's error, for the `shardsFailed` phase. */
  shardsError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  /** A data-test step audited in parts: which half this invocation runs. */
  testPart: TestPartSchema.optional(),
});
/** The payload a step handler receives. */
export type StepInvocation = z.infer<typeof StepInvocationSchema>;

/**
 * The state whose run an invocation is (its run id and job name): the step's own — an ingest's gather, a data-test
 * step's merge and a sharded scoring step's gather or failure Task included — or `<step>.plan` for an ingest's plan,
 * `<step>.part` for a part of an ingest or of data tests, and `<step>.shard` for a scoring shard (each of those in a
 * child execution of its own).
 */
export function invocationState(invocation: Pick<StepInvocation, 'step' | 'ingestTask' | 'phase' | 'testPart'>): string {
  if (invocation.phase === 'shard') return `${invocation.step.name}.shard`;
  const mode = invocation.ingestTask?.mode;
  if (mode === 'plan') return INGEST_PART_STATES.plan(invocation.step.name);
  if (mode === 'part' || invocation.testPart?.mode === 'part') return INGEST_PART_STATES.part(invocation.step.name);
  return invocation.step.name;
}
