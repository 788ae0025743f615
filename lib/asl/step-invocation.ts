import { z } from 'zod';
import { DatasetSpecSchema, StepSchema } from '../definition/pipeline-schema.ts';

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
    time: z.string().nullish(),
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

/** One object a step wrote. */
export const WrittenObjectSchema = z.object({
  dataset: z.string(),
  bucket: z.string(),
  key: z.string(),
  rows: z.number(),
  bytes: z.number(),
  etag: z.string().optional(),
  versionId: z.string().optional(),
});
/** One object a step wrote. */
export type WrittenObject = z.infer<typeof WrittenObjectSchema>;

/** What a step hands to the next ones: metadata only, never data (payloads are limited to 256 KiB). */
export const StepResultSchema = z.object({
  step: z.string(),
  kind: z.string(),
  batchId: z.string(),
  rowsIn: z.number(),
  rowsOut: z.number(),
  outputs: z.array(WrittenObjectSchema),
  rejectedRows: z.number().optional(),
  tests: z.object({ passed: z.number(), failed: z.number(), warned: z.number() }).optional(),
  modelVersion: z.string().optional(),
  durationMs: z.number(),
});
/** What a step hands to the next ones. */
export type StepResult = z.infer<typeof StepResultSchema>;

/** The payload every step handler receives from the state machine. */
export const StepInvocationSchema = z.object({
  pipeline: z.object({ name: z.string(), namespace: z.string() }),
  step: StepSchema,
  datasets: z.record(z.string(), DatasetSpecSchema),
  trigger: TriggerInputSchema,
  /** Results of earlier steps, by step name; each as the Task's ResultSelector stores it (`{output}`). */
  results: z.record(z.string(), z.object({ output: StepResultSchema })),
  execution: z.object({ id: z.string().min(1), startTime: z.string() }),
  attempt: z.int().nonnegative(),
});
/** The payload a step handler receives. */
export type StepInvocation = z.infer<typeof StepInvocationSchema>;
