import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDocument } from '../asl/compile-asl.ts';
import { isDistributedMap, localMapTask, runDistributedMap, type MapRunProgress } from './distributed-map.ts';

// Documents this process has validated: validating compiles the ASL schema anew, a few hundred ms on every run.
const validated = new Set<string>();

/** A handler as Lambda would run it: the invoke payload in, the function's result out. */
export type LocalHandler = (payload: unknown) => Promise<unknown>;

/** What the interpreter reported about one Task invocation. */
export interface TaskAttempt {
  readonly state: string;
  readonly attempt: number;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly result?: unknown;
  readonly error?: { name: string; message: string };
}

/** When one Distributed Map of the execution ran (its child executions included). */
export interface MapSpan {
  readonly state: string;
  readonly startedAt: number;
  readonly durationMs: number;
}

/** How an execution ended: its Task attempts and its Distributed Map runs, in the order they ended. */
export type ExecutionOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown; readonly attempts: TaskAttempt[]; readonly maps: MapSpan[] }
  | {
      readonly status: 'FAILED';
      readonly error: { name: string; message: string };
      readonly attempts: TaskAttempt[];
      readonly maps: MapSpan[];
    };

/** Options of {@link executeAsl}. */
export interface ExecuteAslOptions {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  /** The handler of each Task state, by state name. */
  readonly handlers: Readonly<Record<string, LocalHandler>>;
  /** Pause before a retry, in ms (the ASL's own intervals are for the cloud). @default 50 */
  readonly retryPauseMs?: number;
  /** Called before each Task invocation with the payload its handler receives. */
  readonly onTaskStart?: (state: string, attempt: number, payload: unknown) => void;
  readonly onTaskEnd?: (attempt: TaskAttempt) => void;
  /** Progress of each Distributed Map run, as its child executions end. */
  readonly onMapRun?: (progress: MapRunProgress) => void;
  /** The environment of a Distributed Map's own S3 reads and writes. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Executes an ASL document with aws-local-stepfunctions. Each Task runs its local handler wrapped in the
 * `lambda:invoke` envelope (`{StatusCode, Payload}`), and the Context Object's `State.RetryCount` is kept
 * the way Step Functions keeps it, which the interpreter does not do on its own.
 */
export async function executeAsl(source: AslDocument, input: unknown, options: ExecuteAslOptions): Promise<ExecutionOutcome> {
  // The interpreter has no Distributed Map: each becomes a Task whose handler runs it (distributed-map.ts).
  const maps = Object.entries(source.States).filter(([, state]) => isDistributedMap(state));
  const asl = { ...source, States: { ...source.States, ...Object.fromEntries(maps.map(([name, state]) => [name, localMapTask(state)])) } };
  const text = JSON.stringify(asl);
  const machine = new StateMachine(asl as never, {
    validationOptions: validated.has(text) ? { noValidate: true } : { checkPaths: true, checkArn: true },
  });
  validated.add(text);
  const attempts: TaskAttempt[] = [];
  const spans: MapSpan[] = [];
  // Shared with the interpreter's context by reference: Parameters read it before each Task invocation.
  const state = { Name: '', EnteredTime: '', RetryCount: 0 };
  // The interpreter lets an inline Map's remaining iterations run on after one fails; Step Functions stops them.
  let ended = false;
  const wrap = (name: string, handler: LocalHandler) => async (invoke: { Payload?: unknown }) => {
    if (ended) throw new Error(`${name}: the execution has already ended`);
    const attempt = state.RetryCount;
    const startedAt = Date.now();
    options.onTaskStart?.(name, attempt, invoke.Payload);
    try {
      const result = await handler(invoke.Payload);
      state.RetryCount = 0;
      const done = { state: name, attempt, startedAt, durationMs: Date.now() - startedAt, result };
      attempts.push(done);
      options.onTaskEnd?.(done);
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: result };
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      state.RetryCount = attempt + 1;
      const failed = {
        state: name,
        attempt,
        startedAt,
        durationMs: Date.now() - startedAt,
        error: { name: err.name, message: err.message },
      };
      attempts.push(failed);
      options.onTaskEnd?.(failed);
      throw err;
    }
  };
  const mapHandlers = maps.map(([name, state]) => [
    name,
    async (params: { input: unknown; context: Record<string, unknown> }) => {
      const startedAt = Date.now();
      try {
        return await runDistributedMap(name, state, params.input, params.context, {
          stateMachineArn: options.stateMachineArn,
          onProgress: options.onMapRun,
          ...(options.env ? { env: options.env } : {}),
          runChild: async (child, childInput, executionArn) => {
            const outcome = await executeAsl(child, childInput, { ...options, executionArn });
            return outcome.status === 'SUCCEEDED'
              ? { status: 'SUCCEEDED', output: outcome.output }
              : { status: 'FAILED', error: outcome.error };
          },
        });
      } finally {
        spans.push({ state: name, startedAt, durationMs: Date.now() - startedAt });
      }
    },
  ]);
  const taskResourceLocalHandlers = {
    ...Object.fromEntries(Object.entries(options.handlers).map(([name, h]) => [name, wrap(name, h)])),
    ...Object.fromEntries(mapHandlers),
  };
  const retryIntervalOverrides = Object.fromEntries(Object.keys(options.handlers).map((name) => [name, options.retryPauseMs ?? 50]));
  const executionName = options.executionArn.split(':').pop() ?? 'local';
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, retryIntervalOverrides },
    context: {
      Execution: { Id: options.executionArn, Name: executionName, RoleArn: 'arn:aws:iam::000000000000:role/sluice-local' },
      StateMachine: { Id: options.stateMachineArn, Name: options.stateMachineArn.split(':').pop() },
      State: state,
    },
  });
  try {
    return { status: 'SUCCEEDED', output: await execution.result, attempts, maps: spans };
  } catch (error) {
    ended = true;
    // The interpreter wraps the Fail state's error; its cause carries the ASL error name and cause.
    const cause = (error as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? cause : error instanceof Error ? error : new Error(String(error));
    return { status: 'FAILED', error: { name: inner.name, message: inner.message }, attempts, maps: spans };
  }
}
