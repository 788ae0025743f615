import type { PipelineSpec, Trigger } from './pipeline-schema.ts';
import { kindOf, stepFeeds } from './step-kinds/index.ts';

/** What one trigger runs: the steps of an execution it starts, in definition order. */
export interface TriggerPlan {
  readonly trigger: Trigger;
  /** Position of the trigger in `spec.triggers`. */
  readonly index: number;
  /** The trigger for people and state names: `upload raw_orders`, `schedule nightly`. */
  readonly label: string;
  /** Names of the steps it runs, in definition order. */
  readonly steps: readonly string[];
}

/** `upload <dataset>` or `schedule <name>`. */
export function triggerLabel(trigger: Trigger): string {
  return trigger.kind === 'upload' ? `upload ${trigger.dataset}` : `schedule ${trigger.name}`;
}

/**
 * The steps an execution started by `trigger` runs. An upload runs every step its dataset feeds (its ingest), then
 * every step fed by what those wrote, and so on; a schedule runs its `startAt` step (default: the first) and
 * everything downstream of it. Steps are listed in the order data flows (checked by definePipeline), so one pass does.
 */
export function planSteps(spec: PipelineSpec, trigger: Trigger): string[] {
  const fresh = new Set<string>(trigger.kind === 'upload' ? [trigger.dataset] : []);
  const startAt = trigger.kind === 'schedule' ? (trigger.startAt ?? spec.steps[0]?.name) : undefined;
  const run: string[] = [];
  for (const step of spec.steps) {
    if (step.name !== startAt && !stepFeeds(step, spec).some((ref) => fresh.has(ref))) continue;
    run.push(step.name);
    for (const ref of kindOf(step).writes(step, spec)) fresh.add(ref);
  }
  return run;
}

/** Every trigger's plan, in trigger order. */
export function triggerPlans(spec: PipelineSpec): TriggerPlan[] {
  return spec.triggers.map((trigger, index) => ({ trigger, index, label: triggerLabel(trigger), steps: planSteps(spec, trigger) }));
}

/**
 * The steps a backfill's child execution runs for each object of an upload dataset: the ingest and data-test steps of
 * its upload plan. Steps that read whole tables (feature builds, scoring) run once afterwards, not once per object.
 */
export function backfillSteps(spec: PipelineSpec, dataset: string): string[] {
  const upload = spec.triggers.find((t) => t.kind === 'upload' && t.dataset === dataset);
  if (!upload) return [];
  const perObject = new Set(['ingest', 'dataTests']);
  return planSteps(spec, upload).filter((name) => perObject.has(spec.steps.find((s) => s.name === name)?.kind ?? ''));
}
