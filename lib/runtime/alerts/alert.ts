import type { Attachment, RejectionReason, RuleResult, TriggerInput } from '../../asl/step-invocation.ts';
import { executionName } from '../../definition/storage-layout.ts';
import { pipelineRunId } from '../lineage/run-ids.ts';
import type { StepRecord } from '../step-record.ts';
import type { PipelineGraph } from './pipeline-graph.ts';

/** How an execution ended, as Step Functions reports it. */
export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What an alert is built from: the pipeline as deployed, how the execution ended, and its steps' own records. */
export interface AlertFacts {
  readonly graph: PipelineGraph;
  readonly execution: {
    readonly arn: string;
    readonly status: ExecutionStatus;
    readonly startTime?: string;
    readonly stopTime?: string;
    /** The execution's error and cause (a failed step's `Sluice.<CODE>` and message). */
    readonly error?: string;
    readonly cause?: string;
  };
  /** What started the execution; none when its input had no trigger (it then fails before any step). */
  readonly trigger?: TriggerInput;
  readonly records: ReadonlyMap<string, StepRecord>;
  /** Base URL of the lineage page (`sluice lineage serve`) the alert links to. */
  readonly lineagePageUrl?: string;
  /** Jobs the lineage catalog knows downstream of what was not updated, outside this pipeline. */
  readonly catalogDownstream?: { readonly jobs: readonly string[]; readonly note?: string };
}

/** Something upstream that explains the incident: a step's failed or warned rules, its rejected rows, or its error. */
export interface RootCause {
  readonly step: string;
  readonly kind: string;
  readonly status: 'FAILED' | 'SUCCEEDED' | 'NOT_FINISHED';
  /** The batch the step worked on, and the dataset version it read when it audited one. */
  readonly batch?: string;
  readonly rows?: number;
  readonly rules: readonly RuleResult[];
  readonly rejected?: { readonly rows: number; readonly of?: number; readonly reasons: readonly RejectionReason[]; readonly from?: string };
  readonly error?: { readonly name: string; readonly code?: string; readonly message: string; readonly details: readonly string[] };
}

/** What an alert says, for people (`subject`, `text`) and machines (the rest, as JSON). */
export interface Alert {
  readonly pipeline: string;
  readonly namespace: string;
  /** FAILED, TIMED_OUT or ABORTED for an execution that did not succeed; WARNED for one that succeeded with warned rules. */
  readonly status: Exclude<ExecutionStatus, 'SUCCEEDED'> | 'WARNED';
  readonly execution: { readonly arn: string; readonly name: string; readonly runId: string; readonly startTime?: string };
  readonly trigger?: TriggerInput;
  /** The step that failed or did not finish. */
  readonly failedStep?: { readonly name: string; readonly kind: string };
  readonly rootCauses: readonly RootCause[];
  readonly quarantined: ReadonlyArray<{
    readonly dataset: string;
    readonly uri: string;
    readonly rows: number;
    readonly attachments: readonly Attachment[];
  }>;
  /** What this run should have updated and did not: datasets (by reference and location) and jobs (`namespace:job`). */
  readonly notUpdated: {
    readonly datasets: ReadonlyArray<{ readonly ref: string; readonly uri: string }>;
    readonly jobs: readonly string[];
  };
  readonly catalogDownstream?: { readonly jobs: readonly string[]; readonly note?: string };
  readonly lineageUrl?: string;
}

/**
 * The alert for an execution, or undefined when there is nothing to say (it succeeded with no warned rule). A failed,
 * timed-out or aborted execution, a quarantined batch and a warned rule each make one. Root-cause candidates come
 * nearest first: the step that failed, then the steps before it with failed or warned rules, rejected rows or errors.
 */
export function buildAlert(facts: AlertFacts): Alert | undefined {
  const { graph, execution, records } = facts;
  const planned = (facts.trigger && graph.plan(facts.trigger)) || graph.steps.filter((s) => records.has(s.name)).map((s) => s.name);
  const steps = graph.steps.filter((s) => planned.includes(s.name));
  const warned = [...records.values()].some((r) => r.rules?.some((rule) => rule.severity === 'warn'));
  if (execution.status === 'SUCCEEDED' && !warned) return undefined;
  const failedRecord = steps.map((s) => records.get(s.name)).find((r) => r?.status === 'FAILED');
  const unfinished = execution.status === 'SUCCEEDED' ? undefined : steps.find((s) => !records.has(s.name));
  const failed = failedRecord ? steps.find((s) => s.name === failedRecord.step) : unfinished;
  const rootCauses: RootCause[] = [];
  for (const step of [...steps].reverse()) {
    const record = records.get(step.name);
    if (!record) {
      if (step === failed)
        rootCauses.push({ step: step.name, kind: step.kind, status: 'NOT_FINISHED', rules: [], ...executionError(facts) });
      continue;
    }
    const rules = [...(record.rules ?? [])].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    const rejected = record.rejectedRows ? record.rejectedRows : 0;
    if (record.status === 'SUCCEEDED' && rules.length === 0 && rejected === 0) continue;
    rootCauses.push({
      step: step.name,
      kind: step.kind,
      status: record.status,
      batch: record.batchId,
      ...(record.rowsIn !== undefined ? { rows: record.rowsIn } : {}),
      rules,
      ...(rejected > 0
        ? {
            rejected: {
              rows: rejected,
              ...(record.rowsIn !== undefined ? { of: record.rowsIn } : {}),
              reasons: record.rejections ?? [],
              ...(facts.trigger?.kind === 'upload' && step.kind === 'ingest'
                ? { from: `s3://${facts.trigger.bucket}/${facts.trigger.key}` }
                : {}),
            },
          }
        : {}),
      ...(record.error ? { error: record.error } : {}),
    });
  }
  if (rootCauses.length === 0 && execution.status !== 'SUCCEEDED') {
    rootCauses.push({ step: '(execution)', kind: 'state machine', status: 'NOT_FINISHED', rules: [], ...executionError(facts) });
  }
  const quarantined = [...records.values()].flatMap((r) =>
    r.outputs
      .filter((o) => o.role === 'quarantined')
      .map((o) => ({
        dataset: o.dataset,
        uri: `s3://${o.bucket}/${o.key.slice(0, o.key.lastIndexOf('/') + 1)}`,
        rows: o.rows,
        attachments: r.attachments ?? [],
      })),
  );
  // Everything the plan should have refreshed from the failed step on: what readers see (staged or published).
  const from = failed ? steps.indexOf(failed) : steps.length;
  const missed = steps.slice(from).filter((s) => records.get(s.name)?.status !== 'SUCCEEDED');
  const written = new Set([...records.values()].flatMap((r) => r.outputs.map((o) => o.dataset)));
  const datasets = missed.flatMap((s) => s.writes.filter((w) => (w.role === 'published' || w.role === 'staged') && !written.has(w.ref)));
  const status = execution.status === 'SUCCEEDED' ? 'WARNED' : execution.status;
  const job = (step: string) => `${graph.namespace}:${graph.name}.${step}`;
  const focus = failed ? job(failed.name) : rootCauses[0] ? job(rootCauses[0].step) : `${graph.namespace}:${graph.name}`;
  return {
    pipeline: graph.name,
    namespace: graph.namespace,
    status,
    execution: {
      arn: execution.arn,
      name: executionName(execution.arn),
      runId: pipelineRunId(execution.arn),
      ...(execution.startTime ? { startTime: execution.startTime } : {}),
    },
    ...(facts.trigger ? { trigger: facts.trigger } : {}),
    ...(failed ? { failedStep: { name: failed.name, kind: failed.kind } } : {}),
    rootCauses,
    quarantined,
    notUpdated: { datasets: datasets.map((d) => ({ ref: d.ref, uri: d.uri })), jobs: missed.map((s) => job(s.name)) },
    ...(facts.catalogDownstream ? { catalogDownstream: facts.catalogDownstream } : {}),
    ...(facts.lineagePageUrl ? { lineageUrl: `${facts.lineagePageUrl.replace(/\/+$/, '')}/#${encodeURIComponent(`job:${focus}`)}` } : {}),
  };
}

/** The execution's own error, for a step that left no record (it timed out, was aborted or could not write one). */
function executionError(facts: AlertFacts): { error?: RootCause['error'] } {
  const { error, cause, status } = facts.execution;
  if (!error && !cause)
    return status === 'SUCCEEDED' ? {} : { error: { name: status, message: `the execution ended ${status}`, details: [] } };
  let message = cause ?? '';
  // In AWS a Lambda error's cause is JSON; locally it is the plain message.
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // the plain message
  }
  return { error: { name: error ?? status, message: message || (error ?? status), details: [] } };
}
