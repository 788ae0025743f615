import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError, SluiceError } from '../../core/errors.ts';
import { SLUICE_ENV } from '../../core/env.ts';
import { outputRole, stepReads, stepWrites } from '../definition/step-kinds/index.ts';
import { formatIssues } from '../../core/issues.ts';
import type { ScoreShardsRef } from '../asl/score-shard-item.ts';
import type { DatasetSpec, Step, StepKind } from '../definition/pipeline-schema.ts';
import {
  invocationState,
  StepInvocationSchema,
  type Attachment,
  type RejectionReason,
  type RuleResult,
  type StepInvocation,
  type StepResult,
  type WrittenObject,
} from '../asl/step-invocation.ts';
import { batchIdOf, batchKey, batchPartition, batchTimeOf, writtenObject, writtenThisRun } from './batch.ts';
import { BATCH_RECORD_FORMAT, listBatches, writeBatchRecord } from './batch-record.ts';
import { createTableView, tableBatches, tableObservation, type TableRead } from './table-read.ts';
import { batchesAsOf, createAsOfView, featureTableFieldProblems, type AsOfRead } from './feature-table-read.ts';
import { semanticsOf } from '../definition/dataset-semantics.ts';
import { batchRecordsPrefix } from '../definition/storage-layout.ts';
import { parquetFields, type DuckDb } from './duckdb.ts';
import { duckDbSettings } from './duckdb-settings.ts';
import { stepDuckDb } from './warm-duckdb.ts';
import { lineageEmitter } from './lineage/emitter.ts';
import { ObjectStore, type ObjectVersion } from './object-store.ts';
import { ensureLineageApiKey } from './lineage/api-key-secret.ts';
import { StepLineage } from './lineage/step-lineage.ts';
import { pipelineRunId, stepRunId } from './lineage/run-ids.ts';
import { logSink, StructuredLog } from './step-log.ts';
import { reportStepEnd } from './step-end.ts';

/** Everything a step implementation works with. */
export interface StepContext<K extends StepKind> {
  readonly invocation: StepInvocation;
  readonly step: Extract<Step, { kind: K }>;
  readonly batchId: string;
  /** The time of this run's batches: the upload's event time or the schedule's nominal time (ISO, UTC). */
  readonly batchTime: string;
  readonly store: ObjectStore;
  readonly lineage: StepLineage;
  /** Structured log lines carrying the pipeline, execution, run id and step (stdout in Lambda, a file locally). */
  readonly log: StructuredLog;
  /**
   * Records what the step found so far (rows, tests, failed and warned rules, rejection reasons, files beside a batch):
   * kept in its step record even when it then fails, so reports and alerts can say why.
   */
  record(findings: StepFindings): void;
  /** A dataset the step declared, by reference. */
  dataset(ref: string): DatasetSpec;
  /** A path in this invocation's scratch directory (removed afterwards). */
  scratch(file: string): string;
  /** The environment the handler runs with (Lambda's, or the local runner's for this run). */
  readonly env: NodeJS.ProcessEnv;
  /** This invocation's DuckDB, opened on first use. */
  duckdb(): Promise<DuckDb>;
  /**
   * Local files holding these objects, in order: the embedded S3's own files under a local run (when they hold the
   * versions named), else downloads into scratch files (`<name>-<i>.parquet`). Read them; never write them.
   */
  download(objects: readonly ObjectVersion[], name: string): Promise<string[]>;
  /** The objects earlier steps of this execution wrote to a dataset (the batch this run produced). */
  written(ref: string): WrittenObject[];
  /**
   * Creates view `view` over a dataset's table as its semantics define it (optionally only the batches of the last
   * `windowDays` days up to the batch time), with a `batch` column, and records the batches read in lineage. With
   * `asOf`, a feature table is read as known at that time: each entity's latest row at or before it.
   */
  readTable(ref: string, view: string, options?: { windowDays?: number; asOf?: string }): Promise<TableRead | AsOfRead>;
  /** Uploads a Parquet file as this batch of a dataset, writes the batch's record and records the output in lineage. */
  writeBatch(ref: string, file: string, rows: number, fileName?: string): Promise<WrittenObject>;
  /** Writes the record that publishes this batch of a dataset from objects already in place (a server-side copy). */
  recordBatch(ref: string, objects: readonly WrittenObject[], fields: ReadonlyArray<{ name: string; type: string }>): Promise<void>;
}

/** What a step found besides the objects it wrote, success or not. */
export interface StepFindings {
  readonly rowsIn?: number;
  readonly rowsOut?: number;
  readonly rejectedRows?: number;
  readonly tests?: { passed: number; failed: number; warned: number };
  /** Rules that failed or warned. */
  readonly rules?: RuleResult[];
  /** The most frequent rejection reasons, by column. */
  readonly rejections?: RejectionReason[];
  /** Files written beside a batch that are not its data. */
  readonly attachments?: Attachment[];
}

/** What a step implementation reports back; the wrapper adds names, roles and timing. */
export interface StepOutcome extends StepFindings {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly outputs: WrittenObject[];
  readonly modelVersion?: string;
  /** A scoring step that planned shards instead of scoring: where the plan is. */
  readonly shards?: ScoreShardsRef;
}

/** A step implementation of one kind. */
export type StepWork<K extends StepKind> = (context: StepContext<K>) => Promise<StepOutcome>;

/** A step's Lambda handler (its environment is the process's), and the same handler with an environment of its own. */
export interface StepHandler {
  (payload: unknown): Promise<StepResult>;
  /** The handler reading `env` instead of `process.env`, for runners that run several steps or runs in one process. */
  withEnvironment(env: NodeJS.ProcessEnv): (payload: unknown) => Promise<StepResult>;
}

/**
 * Turns a step implementation into a Lambda handler: validates the payload, emits START, runs the work,
 * emits COMPLETE or FAIL, and throws errors named for the state machine's Retry and Catch.
 */
export function stepHandler<K extends StepKind>(kind: K, work: StepWork<K>): StepHandler {
  const handle = stepRunner(kind, work);
  return Object.assign((payload: unknown) => handle(payload, process.env), {
    withEnvironment: (env: NodeJS.ProcessEnv) => (payload: unknown) => handle(payload, env),
  });
}

function stepRunner<K extends StepKind>(kind: K, work: StepWork<K>): (payload: unknown, env: NodeJS.ProcessEnv) => Promise<StepResult> {
  return async (payload, env) => {
    const started = Date.now();
    const parsed = StepInvocationSchema.safeParse(payload);
    if (!parsed.success) {
      throw lambdaError(new SluiceError('STEP_INPUT_INVALID', `${kind} handler: invalid payload`, { details: formatIssues(parsed.error) }));
    }
    const invocation = parsed.data;
    const step = invocation.step;
    if (step.kind !== kind) {
      throw lambdaError(new SluiceError('STEP_KIND_MISMATCH', `${kind} handler received step "${step.name}" of kind ${step.kind}`));
    }
    const runId = stepRunId(invocation.execution.id, invocationState(invocation), invocation.attempt);
    const batchId = batchIdOf(invocation.trigger);
    const log = new StructuredLog(logSink(env), {
      pipeline: invocation.pipeline.name,
      execution: invocation.execution.id,
      pipelineRunId: pipelineRunId(invocation.execution.id),
      runId,
      step: step.name,
      kind,
      attempt: invocation.attempt,
    });
    // In Lambda the lineage API key comes from Secrets Manager, read once per cold start; locally this is a no-op.
    await ensureLineageApiKey(env);
    // Undelivered lineage keeps its "sluice: warning" wording, which the construct's metric filter counts.
    const emitter = lineageEmitter(env, undefined, (message) => log.warn(`sluice: warning: ${message}`));
    // Planning or ingesting one part of a large object, or auditing a part of a batch, reads the step's inputs and
    // publishes nothing; the gather or the merge does.
    const partial =
      invocation.ingestTask?.mode === 'plan' || invocation.ingestTask?.mode === 'part' || invocation.testPart?.mode === 'part';
    const lineage = new StepLineage(invocation, emitter, {
      inputs: stepReads(step, invocation),
      outputs: partial ? [] : stepWrites(step, invocation),
      // A scoring Task finds out whether its input is large enough to shard, and so whether its run is only the plan.
      deferStart: step.kind === 'batchScore' && invocation.phase === undefined,
    });
    let findings: StepFindings = {};
    const written: WrittenObject[] = [];
    const withRole = (o: WrittenObject): WrittenObject => ({ ...o, role: outputRole(step, o.dataset) });
    const scratchBase = env[SLUICE_ENV.scratchDir] || tmpdir();
    await mkdir(scratchBase, { recursive: true });
    const scratchDir = await mkdtemp(join(scratchBase, `sluice-${step.name}-`));
    const store = new ObjectStore(env);
    let db: Promise<DuckDb> | undefined;
    const context: StepContext<K> = {
      invocation,
      step: step as Extract<Step, { kind: K }>,
      batchId,
      batchTime: batchTimeOf(invocation),
      store,
      lineage,
      log,
      record(found) {
        findings = { ...findings, ...found };
      },
      dataset(ref) {
        const found = invocation.datasets[ref];
        if (!found) throw new SluiceError('STEP_DATASET_UNKNOWN', `step "${step.name}" has no dataset "${ref}"`);
        return found;
      },
      scratch: (file) => join(scratchDir, file),
      env,
      duckdb: () => (db ??= stepDuckDb(duckDbSettings(env))),
      async download(objects, name) {
        const files: string[] = [];
        for (const [i, o] of objects.entries()) {
          // The version named, so a file rewritten or damaged after it was recorded is never read as it.
          files.push((await store.read(o, join(scratchDir, `${name}-${i}.parquet`))).path);
        }
        return files;
      },
      written: (ref) => writtenThisRun(invocation, ref),
      async readTable(ref, view, options = {}) {
        const dataset = context.dataset(ref);
        const window = options.windowDays === undefined ? undefined : { days: options.windowDays, until: context.batchTime };
        const published = await listBatches(store, dataset);
        const viewContext = { db: await context.duckdb(), store, scratch: context.scratch };
        const { featureTable } = dataset;
        const created =
          options.asOf !== undefined && featureTable
            ? await createAsOfView(viewContext, view, { ...dataset, featureTable }, batchesAsOf(published, options.asOf), options.asOf)
            : await createTableView(viewContext, view, dataset, tableBatches(published, semanticsOf(dataset), window));
        // An empty table next to data files usually means files written by other means: say so rather than just "empty".
        const unrecorded =
          published.length === 0
            ? (await store.list(dataset.bucket, dataset.prefix)).filter((o) => !o.key.startsWith(`${batchRecordsPrefix(dataset)}/`)).length
            : 0;
        const read = unrecorded > 0 ? { ...created, unrecorded } : created;
        lineage.input(ref, tableObservation(read));
        return read;
      },
      async writeBatch(ref, file, rows, fileName = 'data.parquet') {
        const dataset = context.dataset(ref);
        const uploaded = await store.upload(dataset.bucket, batchKey(dataset, context.batchId, fileName), file);
        const fields = await parquetFields(await context.duckdb(), file);
        const written = writtenObject(ref, uploaded, rows);
        await context.recordBatch(ref, [written], fields);
        lineage.output(ref, {
          version: uploaded.versionId ?? uploaded.etag,
          fields,
          rowCount: rows,
          bytes: uploaded.size,
          fileCount: 1,
          partition: batchPartition(context.batchId),
        });
        return written;
      },
      async recordBatch(ref, objects, fields) {
        const dataset = context.dataset(ref);
        const problems = dataset.featureTable ? featureTableFieldProblems(dataset.featureTable, fields) : [];
        if (problems.length > 0) {
          throw new SluiceError('FEATURE_TABLE_COLUMNS', `step "${step.name}" cannot publish to feature table ${ref}`, {
            details: problems,
          });
        }
        written.push(...objects.map(withRole));
        await writeBatchRecord(store, {
          format: BATCH_RECORD_FORMAT,
          pipeline: invocation.pipeline.name,
          step: step.name,
          dataset: ref,
          bucket: dataset.bucket,
          prefix: dataset.prefix,
          batch: context.batchId,
          files: objects.map((o) => ({
            key: o.key,
            rows: o.rows,
            bytes: o.bytes,
            etag: o.etag ?? '',
            ...(o.versionId ? { versionId: o.versionId } : {}),
          })),
          rows: objects.reduce((n, o) => n + o.rows, 0),
          fields: [...fields],
          time: context.batchTime,
          execution: invocation.execution,
          publishedAt: new Date().toISOString(),
          role: outputRole(step, ref),
        });
      },
    };
    await lineage.start();
    log.info('step started', { batch: batchId });
    const end = { invocation, kind, runId, batchId, started, env };
    try {
      const outcome = await work(context);
      await lineage.complete();
      const { outputs, ...found } = { ...findings, ...outcome };
      // The run id as the run ended: a scoring Task that only planned is its plan run.
      const record = await reportStepEnd(store, log, {
        ...end,
        runId: lineage.runId,
        status: 'SUCCEEDED',
        findings: found,
        outputs: outputs.map(withRole),
      });
      return { step: step.name, kind, batchId, ...found, outputs: record.outputs, durationMs: record.durationMs };
    } catch (error) {
      await lineage.fail(error);
      const thrown = lambdaError(error, step.name);
      await reportStepEnd(store, log, {
        ...end,
        runId: lineage.runId,
        status: 'FAILED',
        findings,
        outputs: written,
        error: { thrown, cause: error },
      });
      throw thrown;
    } finally {
      // A connection that fails to close must not hide the step's own outcome.
      if (db) await db.then((open) => open.close()).catch(() => undefined);
      await rm(scratchDir, { recursive: true, force: true });
    }
  };
}

/**
 * Names an error for the state machine: `Sluice.Retryable` for transient failures (retried by the ASL),
 * `Sluice.<CODE>` for Sluice's terminal errors, `Sluice.StepFailed` for anything else.
 */
function lambdaError(error: unknown, stepName?: string): Error {
  const sluice = isSluiceError(error);
  const name = sluice && error.retryable ? 'Sluice.Retryable' : sluice ? `Sluice.${error.code}` : 'Sluice.StepFailed';
  const base = error instanceof Error ? error.message : String(error);
  const details = sluice && error.details.length > 0 ? `\n  ${error.details.join('\n  ')}` : '';
  const out = new Error(`${stepName ? `step "${stepName}": ` : ''}${base}${details}`, { cause: error });
  out.name = name;
  return out;
}
