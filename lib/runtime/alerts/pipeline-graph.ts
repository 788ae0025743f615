import type { AslDocument } from '../../asl/compile-asl.ts';
import type { TriggerInput } from '../../asl/step-invocation.ts';
import type { DatasetSpec, Step } from '../../definition/pipeline-schema.ts';
import { ROUTING_STATES } from '../../definition/state-names.ts';
import { outputRole, stepReads, stepWrites, type OutputRole } from '../../definition/step-kinds/index.ts';

/** A dataset a step writes, where it lives and what its batches are for readers. */
export interface GraphOutput {
  readonly ref: string;
  readonly uri: string;
  readonly role: OutputRole;
}

/** One step as the deployed state machine runs it. */
export interface GraphStep {
  readonly name: string;
  readonly kind: string;
  readonly reads: readonly string[];
  readonly writes: readonly GraphOutput[];
}

/** What an alert needs to know about a pipeline: its steps in order and which of them each trigger runs. */
export interface PipelineGraph {
  readonly name: string;
  readonly namespace: string;
  readonly steps: readonly GraphStep[];
  /** The steps an execution started by `trigger` runs, or undefined when the definition has no plan for it. */
  plan(trigger: TriggerInput): readonly string[] | undefined;
}

type State = Record<string, unknown>;
type TaskPayload = { pipeline?: { name?: string; namespace?: string }; step?: Step; datasets?: Record<string, DatasetSpec> };

/**
 * Reads the pipeline back from its ASL document: each step's Task carries the step and its datasets in its payload,
 * each trigger's Plan state which steps it runs. In AWS the alert function gets the document of the execution's own
 * state machine version, locally the runner has it; either way the facts come from what actually ran.
 */
export function graphFromAsl(asl: AslDocument): PipelineGraph {
  const steps: GraphStep[] = [];
  const plans = new Map<string, Record<string, unknown>>();
  let pipeline: { name: string; namespace: string } = { name: '', namespace: '' };
  // Steps may sit inside Map or Parallel states: walk every nested States block, in document order.
  const walk = (states: Record<string, State>): void => {
    for (const [name, state] of Object.entries(states)) {
      const payload = (state.Parameters as { Payload?: TaskPayload } | undefined)?.Payload;
      // A backfill's Distributed Map runs the same steps again inside it: each step counts once.
      if (state.Type === 'Task' && payload?.step && payload.datasets && !steps.some((s) => s.name === payload.step!.name)) {
        const spec = { datasets: payload.datasets };
        const step = payload.step;
        if (payload.pipeline?.name) pipeline = { name: payload.pipeline.name, namespace: payload.pipeline.namespace ?? '' };
        steps.push({
          name: step.name,
          kind: step.kind,
          reads: stepReads(step, spec),
          writes: stepWrites(step, spec).map((ref) => {
            const d = payload.datasets![ref];
            return { ref, uri: d ? `s3://${d.bucket}/${d.prefix}` : ref, role: outputRole(step, ref) };
          }),
        });
      } else if (state.Type === 'Pass' && name.startsWith(ROUTING_STATES.plan('')) && typeof state.Result === 'object' && state.Result) {
        plans.set(name, state.Result as Record<string, unknown>);
      }
      for (const nested of [state.ItemProcessor, state.Iterator, ...((state.Branches as unknown[]) ?? [])]) {
        const inner = (nested as { States?: Record<string, State> } | undefined)?.States;
        if (inner) walk(inner);
      }
    }
  };
  walk(asl.States as Record<string, State>);
  return {
    ...pipeline,
    steps,
    plan(trigger) {
      const label = trigger.kind === 'upload' ? `upload ${trigger.dataset}` : `schedule ${trigger.name}`;
      const result = plans.get(ROUTING_STATES.plan(label));
      return result ? steps.filter((s) => result[s.name] === true).map((s) => s.name) : undefined;
    },
  };
}
