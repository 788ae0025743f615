import { z } from 'zod';
import { DatasetDefinitionSchema, DatasetSpecSchema } from './dataset-schema.ts';
import { IdentifierSchema, NamespaceSchema } from './names.ts';
import { STEP_KIND_NAMES, STEP_SCHEMAS } from './step-kinds/index.ts';
import { DatasetRefSchema as DatasetRef } from './step-kinds/step-kind.ts';

export { DatasetDefinitionSchema, DatasetSpecSchema, type DatasetSpec } from './dataset-schema.ts';

/** What starts a run: an object landing under a dataset's prefix, or a schedule. */
export const TriggerSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('upload'), dataset: DatasetRef }),
    z.strictObject({
      kind: z.literal('schedule'),
      name: IdentifierSchema,
      cron: z.string({ error: 'required' }).refine(isEventBridgeCron, {
        error: (i) => `expected an EventBridge cron expression of 6 fields like "cron(0 6 * * ? *)", got ${JSON.stringify(i.input)}`,
      }),
      startAt: IdentifierSchema.optional(),
    }),
  ],
  { error: (i) => `expected kind "upload" or "schedule", got ${JSON.stringify((i.input as { kind?: unknown })?.kind)}` },
);
/** A trigger. */
export type Trigger = z.infer<typeof TriggerSchema>;

/** `a, b or c`. */
function listOr(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** A step of one of the registered kinds (lib/definition/step-kinds). */
export const StepSchema = z.discriminatedUnion('kind', STEP_SCHEMAS, {
  error: (i) =>
    `expected kind ${listOr(STEP_KIND_NAMES.map((k) => JSON.stringify(k)))}, got ${JSON.stringify((i.input as { kind?: unknown })?.kind)}`,
});
/** A step. */
export type Step = z.infer<typeof StepSchema>;
/** The kinds of step. */
export type StepKind = Step['kind'];

const PipelineBase = {
  name: IdentifierSchema,
  namespace: NamespaceSchema.optional(),
  description: z.string().optional(),
  triggers: z.array(TriggerSchema).min(1, 'expected at least one trigger'),
  steps: z.array(StepSchema).min(1, 'expected at least one step'),
};

/** A pipeline as written by the user. */
export const PipelineDefinitionSchema = z.strictObject({
  ...PipelineBase,
  datasets: z.record(IdentifierSchema, DatasetDefinitionSchema),
});
/** A pipeline definition as written by the user. */
export type PipelineDefinition = z.input<typeof PipelineDefinitionSchema>;

/** The compiled pipeline: plain JSON, the single source for the ASL, the CDK app and the handlers. */
export const PipelineSpecSchema = z.strictObject({
  ...PipelineBase,
  namespace: NamespaceSchema,
  datasets: z.record(IdentifierSchema, DatasetSpecSchema),
});
/** The compiled pipeline spec. */
export type PipelineSpec = z.infer<typeof PipelineSpecSchema>;

const CRON_FIELD = /^[0-9A-Za-z*?,/#L W-]+$/;

/** True for an EventBridge cron: `cron(min hour day-of-month month day-of-week year)` or the 6 bare fields. */
export function isEventBridgeCron(value: string): boolean {
  const body = /^cron\((.*)\)$/.exec(value.trim())?.[1] ?? value.trim();
  const fields = body.split(/\s+/);
  if (fields.length !== 6 || !fields.every((f) => CRON_FIELD.test(f))) return false;
  // EventBridge requires "?" in exactly one of day-of-month and day-of-week.
  return (fields[2] === '?') !== (fields[4] === '?');
}
