import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { OpenLineageClient } from '../../lineage/index.ts';
import { lineageEmitter } from '../runtime/lineage/emitter.ts';
import { SluiceError } from '../../core/errors.ts';
import { MLFLOW_ENV } from '../../core/env.ts';
import { ObjectStore } from '../runtime/object-store.ts';
import { pipelineRunEvent } from '../runtime/lineage/pipeline-run-lineage.ts';
import { pipelineRunId } from '../runtime/lineage/run-ids.ts';
import { compileAsl, FUNCTION_ARN_VARIABLES, substituteAsl } from '../asl/compile-asl.ts';
import { previousFireTime } from '../definition/cron.ts';
import type { PipelineSpec, StepKind, Trigger } from '../definition/pipeline-schema.ts';
import { backfillSteps, planSteps } from '../definition/run-plans.ts';
import { INGEST_PART_STATES, ROUTING_STATES, stepOfState } from '../definition/state-names.ts';
import {
  StepResultSchema,
  type BackfillTrigger,
  type ExecutionTrigger,
  type StepResult,
  type TriggerInput,
} from '../asl/step-invocation.ts';
import { collectAlert } from '../runtime/alerts/collect-alert.ts';
import type { Alert } from '../runtime/alerts/alert.ts';
import { alertSubject, formatAlert } from '../runtime/alerts/format-alert.ts';
import type { StepRecord } from '../runtime/step-record.ts';
import { STEP_RECORDS_PREFIX } from '../definition/storage-layout.ts';
import { SLUICE_ENV } from '../../core/env.ts';
import { TEST_PARTS_STATES } from '../asl/test-parts-asl.ts';
import { checkBeforeRun } from '../steps/check-before-run.ts';
import { PipelineDefinitionError } from '../definition/define-pipeline.ts';
import { specBuckets } from '../definition/spec-buckets.ts';
import { stepArtifacts } from '../definition/step-kinds/index.ts';
import { stateDirLayout } from '../../core/state-dir.ts';
import { recordStateDirLineage } from '../../lineage/catalog/index.ts';
import { startEmbeddedS3 } from './embedded-s3.ts';
import { taskHandlers } from './task-handlers.ts';
import { closeKilledRuns, RunMarker, type ClosedRun } from './run-markers.ts';
import { executeAsl, type MapSpan, type TaskAttempt } from './execute-asl.ts';
import type { MapRunProgress } from './distributed-map.ts';
import { backfillInput, type BackfillOptions } from './backfill-input.ts';
import { readBackfillReport, type BackfillReport } from './backfill-report.ts';
import { handlerProcessEnvironment, LOCAL_ACCOUNT, LOCAL_REGION } from './handler-environment.ts';
import { matchUploadTrigger, toObjectCreatedEvent, type ObjectCreatedEvent } from './object-created-event.ts';

/** Options of {@link runLocal}. */
export interface RunLocalOptions {
  /** Where the embedded S3 keeps objects and where lineage goes by default. @default ".sluice" */
  readonly stateDir?: string;
  /** A local file to upload under an upload trigger's dataset; the upload starts the run. */
  readonly input?: string;
  /** The upload trigger's dataset `input` goes to; needed when the pipeline has several upload triggers. */
  readonly dataset?: string;
  /** Fire a schedule trigger instead of uploading a file. */
  readonly schedule?: { readonly name: string; readonly nominalTime?: string };
  /** Backfill an upload dataset's objects through a Distributed Map instead (optionally uploading files first). */
  readonly backfill?: BackfillOptions;
  /** Directory that model `source` paths are relative to (the pipeline file's). @default cwd */
  readonly baseDir?: string;
  /** The environment the run starts from (lineage settings are read from it). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress as steps start and end. */
  readonly onProgress?: (event: RunProgress) => void;
}

/** Progress of a local run (a step's start carries the payload its handler receives). */
export type RunProgress =
  | { readonly type: 'checked'; readonly notChecked: readonly string[] }
  | { readonly type: 'triggered'; readonly trigger: ExecutionTrigger; readonly executionArn: string }
  | { readonly type: 'map-run'; readonly progress: MapRunProgress }
  | { readonly type: 'step-start'; readonly step: string; readonly attempt: number; readonly payload: unknown }
  | { readonly type: 'step-end'; readonly attempt: TaskAttempt };

/** One step's line in a run report. */
export interface StepReport {
  readonly step: string;
  readonly kind: StepKind;
  /** NOT_RUN: the trigger runs it, but an earlier step failed; SKIPPED: the trigger does not run it. */
  readonly status: 'SUCCEEDED' | 'FAILED' | 'NOT_RUN' | 'SKIPPED';
  readonly attempts: number;
  /** From the start of the step's first Task to the end of its last: retries, and the Distributed Maps of a step run in parts or shards, included. */
  readonly durationMs: number;
  /** What a succeeded step handed on to the next ones. */
  readonly result?: StepResult;
  readonly error?: string;
  /**
   * The step's own record, succeeded or failed: rows, tests, failed and warned rules with their values, rejection
   * reasons, and every object it wrote with what it is (staged, published, quarantined, rejected).
   */
  readonly record?: StepRecord;
}

/** The outcome of a local run. */
export interface RunReport {
  readonly pipeline: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly executionArn: string;
  readonly runId: string;
  readonly trigger: ExecutionTrigger;
  readonly steps: StepReport[];
  /** A backfill's outcome per object, from its Distributed Map's results. */
  readonly backfill?: BackfillReport;
  readonly error?: { readonly name: string; readonly message: string };
  readonly durationMs: number;
  readonly stateDir: string;
  readonly s3Directory: string;
  /** Where lineage events went (never includes secrets). */
  readonly lineage: string;
  /** With the default lineage file: the state directory's catalog the run was recorded in (`sluice lineage serve`, `trace`). */
  readonly catalog?: { readonly db: string; readonly imported: number };
  /** Earlier runs of the state directory that were killed, closed in lineage (ABORT) as this run started. */
  readonly closedRuns?: readonly ClosedRun[];
  /** The steps' structured log lines and metrics (JSON lines, as Lambda writes them to CloudWatch). */
  readonly logs: string;
  /** What AWS would publish to the alert topic for this run: for a failure, a quarantined batch or a warned rule. */
  readonly alert?: Alert & { readonly subject: string; readonly text: string };
}

/**
 * Runs a pipeline on this machine exactly as it runs on AWS: an embedded S3, the upload turned into an
 * EventBridge "Object Created" event matched against the upload trigger, and the compiled ASL executed by
 * the ASL interpreter, each Task running the real handler in the lambda:invoke envelope. The pipeline is checked
 * first as `sluice validate` checks it; a problem throws {@link PipelineDefinitionError} before anything is uploaded.
 */
export async function runLocal(spec: PipelineSpec, options: RunLocalOptions): Promise<RunReport> {
  const started = Date.now();
  const layout = stateDirLayout(options.stateDir);
  const { root: stateDir, s3: s3Directory } = layout;
  const base = options.env ?? process.env;
  if ([options.input, options.schedule, options.backfill].filter((o) => o !== undefined).length !== 1) {
    throw new SluiceError('RUN_OPTIONS', 'a local run needs exactly one of an input file, a schedule to fire or a backfill');
  }
  const uploadTo = options.input === undefined ? undefined : uploadTrigger(spec, options.dataset);
  const checked = await checkBeforeRun(spec, { baseDir: resolve(options.baseDir ?? '.') });
  if (checked.problems.length > 0) throw new PipelineDefinitionError(JSON.stringify(spec.name), checked.problems);
  checkRegistrySettings(spec, base);
  options.onProgress?.({ type: 'checked', notChecked: checked.notChecked });
  const s3 = await startEmbeddedS3(s3Directory, specBuckets(spec));
  // The pipeline's own records live in the bucket of its first dataset, as the construct's default outbox bucket.
  const records = { bucket: Object.values(spec.datasets)[0]!.bucket, prefix: STEP_RECORDS_PREFIX };
  let marker: RunMarker | undefined;
  try {
    // Handlers get this run's environment explicitly (Lambda's is its process's), so runs in one process never mix.
    const env = handlerProcessEnvironment(base, s3.endpoint, stateDir, records);
    const store = new ObjectStore(env);
    {
      await seedArtifacts(spec, store, resolve(options.baseDir ?? '.'));
      const input: { trigger: ExecutionTrigger } =
        uploadTo && options.input !== undefined
          ? await uploadInput(spec, store, s3, options.input, uploadTo)
          : options.backfill
            ? await backfillInput(spec, store, options.backfill)
            : scheduleInput(spec, options.schedule!);
      const executionName = `local-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
      const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${spec.name}`;
      const executionArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${spec.name}:${executionName}`;
      options.onProgress?.({ type: 'triggered', trigger: input.trigger, executionArn });

      const client = new OpenLineageClient({ env });
      const lineage = lineageEmitter(env, client);
      // Steps' scratch folders go under the state directory, so a killed run's are found and removed.
      const scratch = join(layout.scratch, executionName);
      env[SLUICE_ENV.scratchDir] = scratch;
      marker = await RunMarker.create(layout.runs, {
        spec,
        executionArn,
        executionName,
        trigger: input.trigger,
        scratch,
      });
      const closedRuns = await closeKilledRuns(layout.runs, async (event) => {
        await lineage.emit(event);
      });
      await lineage.emit(pipelineRunEvent(spec, 'START', { arn: executionArn, trigger: input.trigger }));
      const functionArns = Object.fromEntries(
        Object.entries(FUNCTION_ARN_VARIABLES).map(([kind, variable]) => [
          variable,
          `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${spec.name}-${kind}`,
        ]),
      );
      const asl = substituteAsl(compileAsl(spec), functionArns);
      let manifest: MapRunProgress['manifest'];
      const stepNames = new Set(spec.steps.map((step) => step.name));
      const outcome = await executeAsl(asl, input, {
        executionArn,
        stateMachineArn,
        handlers: taskHandlers(spec, marker!, env),
        env,
        // A backfill's child steps report through its map run instead, one line per child would drown the progress.
        onTaskStart: (step, attempt, payload) => {
          if (stepNames.has(step)) options.onProgress?.({ type: 'step-start', step, attempt, payload });
        },
        onTaskEnd: (attempt) => {
          if (stepNames.has(stepOfState(attempt.state))) options.onProgress?.({ type: 'step-end', attempt });
        },
        onMapRun: (progress) => {
          manifest = progress.manifest ?? manifest;
          options.onProgress?.({ type: 'map-run', progress });
        },
      });
      const backfill =
        input.trigger.kind === 'backfill' && manifest ? await backfillReport(spec, store, input.trigger, manifest) : undefined;
      const error = outcome.status === 'FAILED' ? outcome.error : undefined;
      await lineage.emit(pipelineRunEvent(spec, error ? 'FAIL' : 'COMPLETE', { arn: executionArn, trigger: input.trigger, error }));
      const catalog = client.describe() === `file ${layout.events}` ? await recordStateDirLineage(stateDir) : undefined;
      const reportStore = new ObjectStore(env);
      const found = await collectAlert({
        store: reportStore,
        records,
        asl,
        execution: { arn: executionArn, status: outcome.status, ...(error ? { error: error.name, cause: error.message } : {}) },
        // An alert names the upload or schedule behind a run; a backfill's objects are in its own report.
        ...(input.trigger.kind === 'backfill' ? {} : { trigger: input.trigger }),
        ...(base[SLUICE_ENV.lineagePageUrl] ? { lineagePageUrl: base[SLUICE_ENV.lineagePageUrl] } : {}),
        ...(base.OPENLINEAGE_URL
          ? { catalog: { url: base.OPENLINEAGE_URL, ...(base.OPENLINEAGE_API_KEY ? { apiKey: base.OPENLINEAGE_API_KEY } : {}) } }
          : {}),
      });
      for (const problem of found.unreadable) process.stderr.write(`sluice: warning: a step record could not be read: ${problem}\n`);
      return {
        pipeline: spec.name,
        status: outcome.status,
        executionArn,
        runId: pipelineRunId(executionArn),
        trigger: input.trigger,
        steps: stepReports(spec, outcome, planFor(spec, input.trigger), found.records),
        ...(backfill ? { backfill } : {}),
        ...(error ? { error } : {}),
        durationMs: Date.now() - started,
        stateDir,
        s3Directory,
        lineage: client.describe(),
        ...(catalog ? { catalog: { db: catalog.db, imported: catalog.imported } } : {}),
        ...(closedRuns.length > 0 ? { closedRuns } : {}),
        logs: env[SLUICE_ENV.logFile] ?? layout.logs,
        ...(found.alert ? { alert: { ...found.alert, subject: alertSubject(found.alert), text: formatAlert(found.alert) } } : {}),
      };
    }
  } finally {
    await marker?.finish();
    await s3.stop();
  }
}

/** A step that scores with a registry model needs to know where the registry is before anything is uploaded. */
function checkRegistrySettings(spec: PipelineSpec, env: NodeJS.ProcessEnv): void {
  spec.steps.forEach((step, i) => {
    if (step.kind !== 'batchScore' || step.model.registry !== 'mlflow' || env[MLFLOW_ENV.trackingUri]?.trim()) return;
    const model = step.model.alias ? `${step.model.name}@${step.model.alias}` : `${step.model.name} version ${step.model.version}`;
    throw new SluiceError(
      'RUN_MLFLOW_TRACKING_URI',
      `steps[${i}].model: step ${step.name} scores with MLflow model ${model}, but ${MLFLOW_ENV.trackingUri} is not set; set it to the tracking server's URL (http(s)://host:port)`,
    );
  });
}

/** The longest file name (in bytes) the embedded S3 can keep as a file, with the suffixes it adds. */
const MAX_LOCAL_NAME_BYTES = 200;

/** Uploads the artifacts (models) the definition ships with (`model.source`), so the steps that read them find them. */
async function seedArtifacts(spec: PipelineSpec, store: ObjectStore, baseDir: string): Promise<void> {
  for (const step of spec.steps) {
    for (const artifact of stepArtifacts(step)) {
      if (artifact.source === undefined) continue;
      const file = resolve(baseDir, artifact.source);
      await stat(file).catch(() => {
        throw new SluiceError('RUN_MODEL_SOURCE', `steps.${step.name}.model.source: ${file} does not exist`);
      });
      // Uploaded only when it changed: a run reading the model while another run re-uploads it must get whole bytes.
      const present = await store.head(artifact.bucket, artifact.key).catch(() => undefined);
      if (present?.etag === (await md5Of(file))) continue;
      await store.upload(artifact.bucket, artifact.key, file, 'application/json');
    }
  }
}

async function md5Of(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The upload trigger an input goes to: the one named, or the only one. */
function uploadTrigger(spec: PipelineSpec, dataset: string | undefined): Extract<Trigger, { kind: 'upload' }> {
  const uploads = spec.triggers.flatMap((t) => (t.kind === 'upload' ? [t] : []));
  const names = uploads.map((t) => t.dataset).join(', ');
  if (uploads.length === 0)
    throw new SluiceError('RUN_NO_UPLOAD_TRIGGER', `pipeline ${spec.name} has no upload trigger; fire a schedule instead`);
  if (dataset === undefined) {
    if (uploads.length === 1) return uploads[0]!;
    throw new SluiceError(
      'RUN_DATASET_REQUIRED',
      `--dataset: pipeline ${spec.name} has ${uploads.length} upload triggers; say which dataset the input goes to (${names})`,
    );
  }
  const found = uploads.find((t) => t.dataset === dataset);
  if (!found) {
    throw new SluiceError(
      'RUN_DATASET_UNKNOWN',
      `--dataset: pipeline ${spec.name} has no upload trigger on ${JSON.stringify(dataset)} (upload datasets: ${names})`,
    );
  }
  return found;
}

/** A backfill's outcome, rows counted at its ingest step and published by its last data-test step. */
function backfillReport(spec: PipelineSpec, store: ObjectStore, trigger: BackfillTrigger, manifest: { bucket: string; key: string }) {
  const steps = backfillSteps(spec, trigger.dataset).map((name) => spec.steps.find((s) => s.name === name)!);
  const ingest = steps.find((s) => s.kind === 'ingest')?.name;
  const published = steps.findLast((s) => s.kind === 'dataTests')?.name ?? ingest;
  return readBackfillReport(store, trigger.dataset, manifest, { ...(ingest ? { ingest } : {}), ...(published ? { published } : {}) });
}

/** The steps the trigger runs: the plan of the pipeline trigger the input names. */
function planFor(spec: PipelineSpec, trigger: ExecutionTrigger): readonly string[] {
  const matched = spec.triggers.find((t) =>
    t.kind === 'upload'
      ? trigger.kind === 'upload' && t.dataset === trigger.dataset
      : trigger.kind === 'schedule' && t.name === trigger.name,
  );
  return matched ? planSteps(spec, matched) : [];
}

async function uploadInput(
  spec: PipelineSpec,
  store: ObjectStore,
  s3: Awaited<ReturnType<typeof startEmbeddedS3>>,
  file: string,
  trigger: Extract<Trigger, { kind: 'upload' }>,
): Promise<{ trigger: TriggerInput }> {
  const dataset = spec.datasets[trigger.dataset]!;
  const path = resolve(file);
  await stat(path).catch(() => {
    throw new SluiceError('RUN_INPUT_MISSING', `--input: ${path} does not exist`);
  });
  const name = basename(path);
  // s3rver keeps each object as a file named after the key's last segment, plus a suffix of its own.
  if (Buffer.byteLength(name) > MAX_LOCAL_NAME_BYTES) {
    throw new SluiceError(
      'RUN_INPUT_NAME',
      `--input: the file name is ${Buffer.byteLength(name)} bytes long; the embedded S3 stores objects as files and takes names of up to ${MAX_LOCAL_NAME_BYTES} bytes (S3 itself takes keys of up to 1,024); rename the file`,
    );
  }
  const key = `${dataset.prefix}/${name}`;
  let stop = (): void => {};
  let timer: NodeJS.Timeout | undefined;
  // The event of this upload, known by its ETag: another upload to the same key is another run's.
  let wanted: string | undefined;
  const seen: ObjectCreatedEvent[] = [];
  let settle: (created: ObjectCreatedEvent) => void = () => {};
  let settled = false;
  let uploaded = (): void => undefined;
  const pick = (): void => {
    const found = wanted === undefined ? undefined : seen.find((e) => e.detail.object.etag === wanted);
    if (!found) return;
    settled = true;
    clearTimeout(timer);
    stop();
    settle(found);
  };
  const event = new Promise<ObjectCreatedEvent>((resolveEvent, reject) => {
    settle = resolveEvent;
    // The wait starts once the upload is done: a large file takes longer than that to upload.
    uploaded = () => {
      if (settled) return;
      timer = setTimeout(() => {
        stop();
        reject(new SluiceError('RUN_NO_EVENT', `no object-created event arrived for s3://${dataset.bucket}/${key}`));
      }, 10_000);
    };
    stop = s3.onObjectCreated((record) => {
      const created = toObjectCreatedEvent(record, { account: LOCAL_ACCOUNT, region: LOCAL_REGION, id: randomUUID() });
      if (created.detail.bucket.name !== dataset.bucket || created.detail.object.key !== key) return;
      seen.push(created);
      pick();
    });
  });
  try {
    wanted = (await store.upload(dataset.bucket, key, path, contentType(path))).etag;
    pick();
    uploaded();
  } catch (error) {
    clearTimeout(timer);
    stop();
    throw error;
  }
  const matched = matchUploadTrigger(spec, await event);
  if (!matched) throw new SluiceError('RUN_NO_MATCH', `s3://${dataset.bucket}/${key} matches no upload trigger of ${spec.name}`);
  return matched;
}

function scheduleInput(spec: PipelineSpec, schedule: { name: string; nominalTime?: string }): { trigger: TriggerInput } {
  const trigger = spec.triggers.find((t) => t.kind === 'schedule' && t.name === schedule.name);
  if (!trigger || trigger.kind !== 'schedule') {
    const names = spec.triggers.flatMap((t) => (t.kind === 'schedule' ? [t.name] : []));
    throw new SluiceError(
      'RUN_NO_SCHEDULE',
      `--schedule: pipeline ${spec.name} has no schedule ${JSON.stringify(schedule.name)} (schedules: ${names.join(', ') || 'none'})`,
    );
  }
  // A scheduled run's nominal time is the slot it stands for: by default the schedule's latest fire time.
  const nominal = schedule.nominalTime ?? previousFireTime(trigger.cron, new Date())?.toISOString();
  if (nominal === undefined) {
    throw new SluiceError(
      'RUN_NOMINAL_TIME',
      `--at: ${trigger.cron} cannot be evaluated locally (L, W and # are not); give the nominal time with --at`,
    );
  }
  if (Number.isNaN(Date.parse(nominal)))
    throw new SluiceError('RUN_NOMINAL_TIME', `--at: expected an ISO 8601 time, got ${JSON.stringify(nominal)}`);
  return {
    trigger: {
      kind: 'schedule',
      name: trigger.name,
      nominalTime: new Date(nominal).toISOString(),
      ...(trigger.startAt ? { startAt: trigger.startAt } : {}),
    },
  };
}

function stepReports(
  spec: PipelineSpec,
  outcome: { readonly attempts: readonly TaskAttempt[]; readonly maps: readonly MapSpan[] },
  plan: readonly string[],
  records: ReadonlyMap<string, StepRecord>,
): StepReport[] {
  return spec.steps.map((step) => {
    // An ingest in parts ran as its plan and gather, a data-test step audited in parts as its merge, a sharded scoring
    // step as its gather (or its failure Task) after its own planning attempt; each with a Distributed Map between.
    const { gather, failed, map } = ROUTING_STATES.scoreShards(step.name);
    const mine = outcome.attempts.filter(
      (a) => stepOfState(a.state) === step.name || [TEST_PARTS_STATES.merge(step.name), gather, failed].includes(a.state),
    );
    const maps = outcome.maps.filter((m) =>
      [INGEST_PART_STATES.parts(step.name), TEST_PARTS_STATES.parts(step.name), map].includes(m.state),
    );
    const last = mine.at(-1);
    if (!last)
      return { step: step.name, kind: step.kind, status: plan.includes(step.name) ? 'NOT_RUN' : 'SKIPPED', attempts: 0, durationMs: 0 };
    // An ingest in parts whose last Task was its plan did not gather: one of its parts failed.
    const planned = last.state !== step.name && stepOfState(last.state) === step.name && last.state.endsWith('.plan') && !last.error;
    const parsed = planned ? undefined : StepResultSchema.safeParse(last.result);
    return {
      step: step.name,
      kind: step.kind,
      status: last.error || planned ? 'FAILED' : 'SUCCEEDED',
      attempts: mine.filter((a) => a.state === last.state).length,
      // From the step's first Task to its last, the maps between included (and the pauses between retries).
      durationMs: wallTime([...mine, ...maps]),
      ...(parsed?.success ? { result: parsed.data } : {}),
      ...(last.error ? { error: last.error.message } : planned ? { error: 'a part of the upload failed; nothing was staged' } : {}),
      ...(records.has(step.name) ? { record: records.get(step.name)! } : {}),
    };
  });
}

/** The time from the first of some spans' start to the last one's end. */
function wallTime(spans: ReadonlyArray<{ startedAt: number; durationMs: number }>): number {
  if (spans.length === 0) return 0;
  return Math.max(...spans.map((s) => s.startedAt + s.durationMs)) - Math.min(...spans.map((s) => s.startedAt));
}

function contentType(path: string): string {
  if (path.endsWith('.csv')) return 'text/csv';
  if (path.endsWith('.jsonl')) return 'application/x-ndjson';
  if (path.endsWith('.gz')) return 'application/gzip';
  return 'application/octet-stream';
}
