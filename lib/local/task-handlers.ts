import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { INGEST_PART_STATES, ROUTING_STATES } from '../definition/state-names.ts';
import { invocationState, type StepInvocation, type StepResult } from '../asl/step-invocation.ts';
import { backfillDatasets } from '../asl/backfill-asl.ts';
import { ingestsInParts } from '../asl/ingest-parts-asl.ts';
import { TEST_PARTS_STATES, testPartsSettings } from '../asl/test-parts-asl.ts';
import { backfillSteps } from '../definition/run-plans.ts';
import { STEP_HANDLERS } from '../steps/handlers.ts';
import type { OpenAttempt, RunMarker } from './run-markers.ts';

type Handler = (payload: unknown) => Promise<StepResult>;

/**
 * The handler of every Task state by state name: each step, the plan, parts and gather of an ingest in parts, the
 * parts and merge of data tests in parts, a scoring step's shards, gather and failure Task, and each step inside a
 * backfill's child execution. Every attempt is noted in the run's marker while it runs, so a killed run's step runs
 * (those of the maps' child executions too) can be closed in lineage.
 */
export function taskHandlers(spec: PipelineSpec, marker: RunMarker, env: NodeJS.ProcessEnv): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  const add = (state: string, kind: keyof typeof STEP_HANDLERS) => {
    handlers[state] = tracked(marker, STEP_HANDLERS[kind].withEnvironment(env));
  };
  for (const step of spec.steps) add(step.name, step.kind);
  for (const step of spec.steps) {
    if (step.kind !== 'batchScore') continue;
    const { shard, gather, failed } = ROUTING_STATES.scoreShards(step.name);
    for (const state of [shard, gather, failed]) add(state, step.kind);
  }
  for (const step of spec.steps.filter((s) => ingestsInParts(spec, s))) {
    for (const state of [INGEST_PART_STATES.plan(step.name), INGEST_PART_STATES.gather(step.name), INGEST_PART_STATES.part(step.name)]) {
      add(state, step.kind);
    }
  }
  for (const step of spec.steps.filter((s) => testPartsSettings(s))) {
    add(TEST_PARTS_STATES.part(step.name), step.kind);
    add(TEST_PARTS_STATES.merge(step.name), step.kind);
  }
  for (const dataset of backfillDatasets(spec)) {
    for (const name of backfillSteps(spec, dataset))
      add(ROUTING_STATES.backfillChild(dataset, name), spec.steps.find((s) => s.name === name)!.kind);
  }
  return handlers;
}

/**
 * A handler whose attempts are noted in the run's marker while they run, by what its lineage's run id is made of
 * (the execution, the state, the attempt) and the job it runs as, so a kill leaves them to be closed.
 */
function tracked(marker: RunMarker, handler: Handler): Handler {
  return async (payload: unknown): Promise<StepResult> => {
    const open = openAttempt(payload);
    if (open) await marker.stepStarted(open);
    try {
      return await handler(payload);
    } finally {
      if (open) await marker.stepEnded(open);
    }
  };
}

/** What a step payload's lineage run is made of; nothing for a payload the handler will refuse anyway. */
function openAttempt(payload: unknown): OpenAttempt | undefined {
  const invocation = payload as Partial<StepInvocation> | undefined;
  if (typeof invocation?.step?.name !== 'string' || typeof invocation.execution?.id !== 'string') return undefined;
  const run = invocation as StepInvocation;
  const attempt = Number(run.attempt ?? 0);
  return { state: invocationState(run), attempt, execution: run.execution.id };
}
