import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError, SluiceError } from '../../core/errors.ts';
import { stepReads, stepWrites } from '../definition/step-kinds/index.ts';
import { formatIssues } from '../../core/issues.ts';
import type { DatasetSpec, Step, StepKind } from '../definition/pipeline-schema.ts';
import { StepInvocationSchema, type StepInvocation, type StepResult, type WrittenObject } from '../asl/step-invocation.ts';
import { batchIdOf, batchKey, batchPartition } from './batch.ts';
import { parquetFields, type DuckDb } from './duckdb.ts';
import { duckDbSettings } from './duckdb-settings.ts';
import { stepDuckDb } from './warm-duckdb.ts';
import { lineageEmitter } from './lineage/emitter.ts';
import { ObjectStore, type ObjectVersion } from './object-store.ts';
import { ensureLineageApiKey } from './lineage/api-key-secret.ts';
import { StepLineage } from './lineage/step-lineage.ts';

/** Everything a step implementation works with. */
export interface StepContext<K extends StepKind> {
  readonly invocation: StepInvocation;
  readonly step: Extract<Step, { kind: K }>;
  readonly batchId: string;
  readonly store: ObjectStore;
  readonly lineage: StepLineage;
  /** A dataset the step declared, by reference. */
  dataset(ref: string): DatasetSpec;
  /** A path in this invocation's scratch directory (removed afterwards). */
  scratch(file: string): string;
  /** This invocation's DuckDB, opened on first use. */
  duckdb(): Promise<DuckDb>;
  /**
   * Local files holding these objects, in order: the embedded S3's own files under a local run (when they hold the
   * versions named), else downloads into scratch files (`<name>-<i>.parquet`). Read them; never write them.
   */
  download(objects: readonly ObjectVersion[], name: string): Promise<string[]>;
  /** Uploads a Parquet file as this batch's object of a dataset and records what was written in lineage. */
  writeBatch(ref: string, file: string, rows: number, fileName?: string): Promise<WrittenObject>;
}

/** What a step implementation reports back; the wrapper adds names and timing. */
export interface StepOutcome {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly outputs: WrittenObject[];
  readonly rejectedRows?: number;
  readonly tests?: { passed: number; failed: number; warned: number };
  readonly modelVersion?: string;
}

/** A step implementation of one kind. */
export type StepWork<K extends StepKind> = (context: StepContext<K>) => Promise<StepOutcome>;

/**
 * Turns a step implementation into a Lambda handler: validates the payload, emits START, runs the work,
 * emits COMPLETE or FAIL, and throws errors named for the state machine's Retry and Catch.
 */
export function stepHandler<K extends StepKind>(kind: K, work: StepWork<K>): (payload: unknown) => Promise<StepResult> {
  return async (payload) => {
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
    // In Lambda the lineage API key comes from Secrets Manager, read once per cold start; locally this is a no-op.
    await ensureLineageApiKey();
    const lineage = new StepLineage(invocation, lineageEmitter(process.env), {
      inputs: stepReads(step, invocation),
      outputs: stepWrites(step, invocation),
    });
    const scratchDir = await mkdtemp(join(tmpdir(), `sluice-${step.name}-`));
    const store = new ObjectStore(process.env);
    let db: Promise<DuckDb> | undefined;
    const context: StepContext<K> = {
      invocation,
      step: step as Extract<Step, { kind: K }>,
      batchId: batchIdOf(invocation.trigger),
      store,
      lineage,
      dataset(ref) {
        const found = invocation.datasets[ref];
        if (!found) throw new SluiceError('STEP_DATASET_UNKNOWN', `step "${step.name}" has no dataset "${ref}"`);
        return found;
      },
      scratch: (file) => join(scratchDir, file),
      duckdb: () => (db ??= stepDuckDb(duckDbSettings(process.env))),
      async download(objects, name) {
        const files: string[] = [];
        for (const [i, o] of objects.entries()) {
          files.push((await store.read(o, join(scratchDir, `${name}-${i}.parquet`))).path);
        }
        return files;
      },
      async writeBatch(ref, file, rows, fileName = 'data.parquet') {
        const dataset = context.dataset(ref);
        const written = await store.upload(dataset.bucket, batchKey(dataset, context.batchId, fileName), file);
        lineage.output(ref, {
          version: written.versionId ?? written.etag,
          fields: await parquetFields(await context.duckdb(), file),
          rowCount: rows,
          bytes: written.size,
          fileCount: 1,
          partition: batchPartition(context.batchId),
        });
        return { dataset: ref, bucket: written.bucket, key: written.key, rows, bytes: written.size, etag: written.etag };
      },
    };
    await lineage.start();
    try {
      const outcome = await work(context);
      await lineage.complete();
      return { step: step.name, kind, batchId: context.batchId, ...outcome, durationMs: Date.now() - started };
    } catch (error) {
      await lineage.fail(error);
      throw lambdaError(error, step.name);
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
