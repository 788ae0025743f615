import type { PipelineSpec, Step, StepKind } from '../definition/pipeline-schema.ts';
import { ASL_STATES } from '../definition/state-names.ts';
import { kindOf, STEP_KINDS, stepDatasets } from '../definition/step-kinds/index.ts';

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
 */
export function compileAsl(spec: PipelineSpec): AslDocument {
  const [first] = spec.steps;
  if (!first) throw new Error('a pipeline has at least one step');
  const states: AslDocument['States'] = {};
  const routes = spec.triggers.flatMap((t) => (t.kind === 'schedule' && t.startAt && t.startAt !== first.name ? [t.startAt] : []));
  const unique = [...new Set(routes)];

  states[ASL_STATES.begin] = {
    Type: 'Pass',
    Comment: 'Starts the record of step results that later steps read their inputs from',
    Result: {},
    ResultPath: '$.results',
    Next: ASL_STATES.route,
  };
  states[ASL_STATES.route] = {
    Type: 'Choice',
    Comment: 'Stops an execution started without a trigger; a schedule may start at a later step',
    Choices: [
      { Not: { Variable: '$.trigger', IsPresent: true }, Next: ASL_STATES.invalidInput },
      ...unique.map((step) => ({
        And: [
          { Variable: '$.trigger.startAt', IsPresent: true },
          { Variable: '$.trigger.startAt', StringEquals: step },
        ],
        Next: step,
      })),
    ],
    Default: first.name,
  };
  states[ASL_STATES.invalidInput] = {
    Type: 'Fail',
    Comment: 'Step payloads read $.trigger; without it every step would fail with States.Runtime',
    Error: 'Sluice.InvalidInput',
    Cause: 'the execution input has no "trigger"; runs start from the upload rule or a schedule, or with {"trigger": {...}}',
  };
  spec.steps.forEach((step, i) => {
    const next = spec.steps[i + 1];
    states[step.name] = taskState(spec, step, next?.name);
  });
  states[ASL_STATES.failed] = {
    Type: 'Fail',
    Comment: "A step failed; the error and cause are the failing step's",
    ErrorPath: '$.error.Error',
    CausePath: '$.error.Cause',
  };
  return { Comment: `Sluice pipeline ${spec.name}`, StartAt: ASL_STATES.begin, States: states };
}

function taskState(spec: PipelineSpec, step: Step, next: string | undefined): Record<string, unknown> {
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
      },
    },
    ResultSelector: { 'output.$': '$.Payload' },
    ResultPath: `$.results.${step.name}`,
    OutputPath: '$',
    TimeoutSeconds: step.timeoutSeconds ?? 900,
    Retry: [{ ErrorEquals: [...RETRYABLE_ERRORS], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: ASL_STATES.failed }],
    ...(next ? { Next: next } : { End: true }),
  };
}

/** Replaces `${Name}` substitution variables, as Step Functions does with DefinitionSubstitutions. */
export function substituteAsl(asl: AslDocument, values: Readonly<Record<string, string>>): AslDocument {
  const text = JSON.stringify(asl).replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, name: string) => values[name] ?? match);
  return JSON.parse(text) as AslDocument;
}
