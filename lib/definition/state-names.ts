/** Names of the states Sluice adds around the steps in the ASL; a step may not take one. */
export const ASL_STATES = { begin: 'Begin', route: 'Route', failed: 'Failed', invalidInput: 'InvalidInput' } as const;

/**
 * Names of the states that route an execution to its steps. They contain a space, which a step name cannot, so they
 * never collide with one.
 */
export const ROUTING_STATES = {
  /** The Pass state recording which steps a trigger runs. */
  plan: (label: string): string => `Plan ${label}`,
  /** The Choice state before a step: run it, or go on to the next. */
  gate: (step: string): string => `Gate ${step}`,
  /** The Distributed Map running a backfill of an upload dataset, one child execution per group of objects. */
  backfill: (dataset: string): string => `Backfill ${dataset}`,
  /** A state inside a backfill's child execution (state names are unique across nested processors too). */
  backfillChild: (dataset: string, state: string): string => `${state} (backfill ${dataset})`,
  /** The states of a scoring step's sharded path: the Choice after it, the Distributed Map, its child Task, the gather and the failure Task. */
  scoreShards: (step: string) => ({
    choice: `Sharded ${step}`,
    map: `Shards ${step}`,
    shard: `Shard ${step}`,
    gather: `Gather ${step}`,
    failed: `Shards failed ${step}`,
  }),
  unknownTrigger: 'Unknown trigger',
  done: 'All steps done',
} as const;

/**
 * The states of an ingest in parts, named after its step with a dot (which a step name cannot contain): the Choice on
 * the object's size, the plan Task, the Distributed Map, the Task inside each child, and the gather Task.
 */
export const INGEST_PART_STATES = {
  size: (step: string): string => `${step}.size`,
  plan: (step: string): string => `${step}.plan`,
  items: (step: string): string => `${step}.items`,
  parts: (step: string): string => `${step}.parts`,
  part: (step: string): string => `${step}.part`,
  gather: (step: string): string => `${step}.gather`,
} as const;

/**
 * The state a step run is named after, from the Task state that ran it: the gather of an ingest in parts, and the
 * gather or failure Task of a sharded scoring step, are the step's own run, as in one piece; inside a Distributed Map's
 * child execution, a data-test part is a run of `<step>.part`, a scoring shard of `<step>.shard` and a backfill's step
 * the step's own (an ingest part's Task is already named `<step>.part`).
 */
export function runStateOf(state: string): string {
  if (state.endsWith('.gather')) return state.slice(0, -'.gather'.length);
  const named = /^(?:Gather|Shards failed) (.+)$/.exec(state)?.[1] ?? /^(.+) \(backfill [^)]+\)$/.exec(state)?.[1];
  if (named) return named;
  const part = /^Part \((.+)\)$/.exec(state)?.[1];
  if (part) return `${part}.part`;
  const shard = /^Shard (.+)$/.exec(state)?.[1];
  return shard ? `${shard}.shard` : state;
}

/** The step a top-level Task state runs for: the step's own state, or the plan or gather of its ingest in parts. */
export function stepOfState(state: string): string {
  return /^(.*)\.(plan|gather)$/.exec(state)?.[1] ?? state;
}
