import type { PipelineSpec, Step, StepKind, Trigger } from '../definition/pipeline-schema.ts';
import { triggerPlans } from '../definition/run-plans.ts';
import { ASL_STATES, ROUTING_STATES } from '../definition/state-names.ts';
import { kindOf, STEP_KINDS, stepDatasets } from '../definition/step-kinds/index.ts';
import { backfillDatasets, backfillStates } from './backfill-asl.ts';
import { scoreShardsEntry, scoreShardsStates } from './score-shards-asl.ts';
import { ingestPartsStates, stepEntry } from './ingest-parts-asl.ts';
import { testPartsStates } from './test-parts-asl.ts';

/** The substitution variable holding each step kind's Lambda ARN (`${IngestFunctionArn}` in the ASL). */
export const FUNCTION_ARN_VARIABLES = Object.fromEntries(
  Object.entries(STEP_KINDS).map(([kind, definition]) => [kind, definition.lambda.arnVariable]),
) as Readonly<Record<StepKind, string>>;

/** Error names a step throws that are worth retrying; Lambda's own transient errors are retried too. */
export const RETRYABLE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Sluice.Retryable',
] as const;

/** An Amazon States Language document (the parts Sluice writes). */
export interface AslDocument {
  Comment: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, Record<string, unknown>>;
}

/**
 * Compiles a pipeline spec to its one ASL document: JSONPath only, each step a `lambda:invoke` Task whose
 * function ARN is a substitution, retried on transient errors, and caught into a Fail state.
 *
 * Steps run in definition order. `Route` picks the trigger that started the execution (an upload's dataset, a
 * schedule's name), whose `Plan` state records in `$.plan` which steps it runs; a `Gate` before each step that some
 * trigger does not run skips it when the plan says so. A backfill trigger goes to its dataset's Distributed Map
 * (backfill-asl.ts); a scoring step above its size threshold goes on to its shards' (score-shards-asl.ts). The same
 * document runs locally and in AWS.
 */
export function compileAsl(spec: PipelineSpec): AslDocument {
  const [first] = spec.steps;
  if (!first) throw new Error('a pipeline has at least one step');
  const plans = triggerPlans(spec);
  const gated = new Set(spec.steps.filter((s) => plans.some((p) => !p.steps.includes(s.name))).map((s) => s.name));
  // A data-test step that may audit in parts starts at the choice between its single scan and its parts.
  const parts = new Map(spec.steps.map((s) => [s.name, testPartsStates(spec, s, '', () => ({}))?.entry ?? stepEntry(spec, s)] as const));
  const start = (step: Step): string => parts.get(step.name) ?? step.name;
  // Where to go to run the steps from position i on: the step itself, or its gate.
  const entry = (i: number): string => {
    const step = spec.steps[i];
    if (!step) return ROUTING_STATES.done;
    return gated.has(step.name) ? ROUTING_STATES.gate(step.name) : start(step);
  };
  const states: AslDocument['States'] = {};
  states[ASL_STATES.begin] = {
    Type: 'Pass',
    Comment: 'Starts the record of step results that later steps read their inputs from',
    Result: {},
    ResultPath: '$.results',
    Next: ASL_STATES.route,
  };
  states[ASL_STATES.route] = {
    Type: 'Choice',
    Comment: 'Picks the trigger that started the execution: an upload by its dataset, a schedule by its name',
    Choices: [
      { Not: { Variable: '$.trigger', IsPresent: true }, Next: ASL_STATES.invalidInput },
      ...plans.map((plan) => ({ And: triggerCondition(plan.trigger), Next: ROUTING_STATES.plan(plan.label) })),
      ...backfillDatasets(spec).map((dataset) => ({
        And: triggerCondition({ kind: 'backfill', dataset }),
        Next: ROUTING_STATES.backfill(dataset),
      })),
    ],
    Default: ROUTING_STATES.unknownTrigger,
  };
  for (const plan of plans) {
    states[ROUTING_STATES.plan(plan.label)] = {
      Type: 'Pass',
      Comment: `The steps ${plan.label} runs: ${plan.steps.join(', ')}`,
      Result: Object.fromEntries(spec.steps.map((s) => [s.name, plan.steps.includes(s.name)])),
      ResultPath: '$.plan',
      Next: entry(0),
    };
  }
  states[ASL_STATES.invalidInput] = {
    Type: 'Fail',
    Comment: 'Step payloads read $.trigger; without it every step would fail with States.Runtime',
    Error: 'Sluice.InvalidInput',
    Cause: 'the execution input has no "trigger"; runs start from the upload rule or a schedule, or with {"trigger": {...}}',
  };
  states[ROUTING_STATES.unknownTrigger] = {
    Type: 'Fail',
    Comment: 'The trigger names no upload dataset or schedule of this pipeline',
    Error: 'Sluice.InvalidInput',
    Cause: `the execution's trigger matches none of the pipeline's triggers (${plans.map((p) => p.label).join(', ')}); an upload trigger carries "dataset", a schedule "name"`,
  };
  spec.steps.forEach((step, i) => {
    if (gated.has(step.name)) {
      states[ROUTING_STATES.gate(step.name)] = {
        Type: 'Choice',
        Comment: `Runs ${step.name} when the trigger's plan includes it`,
        Choices: [{ Variable: member('$.plan', step.name), BooleanEquals: true, Next: start(step) }],
        Default: entry(i + 1),
      };
    }
    states[step.name] = taskState(spec, step, scoreShardsEntry(step) ?? entry(i + 1));
    Object.assign(
      states,
      ingestPartsStates(spec, step, (s, next, options) => taskState(spec, s, next, options), entry(i + 1)),
    );
    Object.assign(states, testPartsStates(spec, step, entry(i + 1), (s, next, options) => taskState(spec, s, next, options))?.states);
  });
  Object.assign(
    states,
    scoreShardsStates(
      spec,
      (step, next, options) => taskState(spec, step, next, options),
      (step) => entry(spec.steps.indexOf(step) + 1),
    ),
  );
  Object.assign(
    states,
    backfillStates(spec, (step, next, options) => taskState(spec, step, next, options), ROUTING_STATES.done),
  );
  states[ROUTING_STATES.done] = { Type: 'Succeed', Comment: 'Every step the trigger runs has run' };
  states[ASL_STATES.failed] = {
    Type: 'Fail',
    Comment: "A step failed; the error and cause are the failing step's",
    ErrorPath: '$.error.Error',
    CausePath: '$.error.Cause',
  };
  return { Comment: `Sluice pipeline ${spec.name}`, StartAt: ASL_STATES.begin, States: states };
}

/** The Choice conditions matching one trigger's input (`IsPresent` first, so a missing field is a mismatch). */
function triggerCondition(trigger: Trigger | { kind: 'backfill'; dataset: string }): Array<Record<string, unknown>> {
  const [field, value] = trigger.kind === 'schedule' ? ['name', trigger.name] : ['dataset', trigger.dataset];
  return [
    { Variable: '$.trigger.kind', IsPresent: true },
    { Variable: '$.trigger.kind', StringEquals: trigger.kind },
    { Variable: `$.trigger.${field}`, IsPresent: true },
    { Variable: `$.trigger.${field}`, StringEquals: value },
  ];
}

/** A reference path to a member: dot notation for plain names, bracket notation for names with "-" (JSONPath's rule). */
function member(base: string, name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${base}.${name}` : `${base}['${name}']`;
}

function taskState(
  spec: PipelineSpec,
  step: Step,
  next: string,
  options: { child: boolean; payload?: Record<string, unknown> } = { child: false },
): Record<string, unknown> {
  return {
    Type: 'Task',
    Comment: `${step.kind} step`,
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: {
      FunctionName: `\${${kindOf(step).lambda.arnVariable}}`,
      Payload: {
        pipeline: { name: spec.name, namespace: spec.namespace },
        step,
        datasets: Object.fromEntries(stepDatasets(step, spec).map((ref) => [ref, spec.datasets[ref]])),
        'trigger.$': '$.trigger',
        'results.$': '$.results',
        execution: { 'id.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' },
        'attempt.$': '$$.State.RetryCount',
        ...(options.child ? { 'parent.$': '$.parent' } : {}),
        ...options.payload,
      },
    },
    ResultSelector: { 'output.$': '$.Payload' },
    ResultPath: member('$.results', step.name),
    OutputPath: '$',
    TimeoutSeconds: step.timeoutSeconds ?? 900,
    Retry: [{ ErrorEquals: [...RETRYABLE_ERRORS], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: ASL_STATES.failed }],
    Next: next,
  };
}

/** Replaces `${Name}` substitution variables, as Step Functions does with DefinitionSubstitutions. */
export function substituteAsl(asl: AslDocument, values: Readonly<Record<string, string>>): AslDocument {
  const text = JSON.stringify(asl).replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, name: string) => values[name] ?? match);
  return JSON.parse(text) as AslDocument;
}
