import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLineageEvent, type RunEvent } from '../../lineage/index.ts';
import { SLUICE_ENV } from '../../core/env.ts';
import { SluiceError } from '../../core/errors.ts';
import { stateDirLayout } from '../../core/state-dir.ts';
import { parsePipelineSpec } from '../definition/define-pipeline.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { runLocal, type RunReport, type StepReport } from '../local/run-local.ts';
import { datasetRows, type DatasetRow, type DatasetRowsOptions } from './dataset-rows.ts';

/** Options of {@link testPipeline}. */
export interface TestPipelineOptions {
  /** A local file to upload under the pipeline's upload trigger (a path from the current directory, or a file URL). */
  readonly input?: string | URL;
  /** The upload trigger's dataset `input` goes to; needed when the pipeline has several upload triggers. */
  readonly dataset?: string;
  /** Fire a schedule trigger instead of uploading a file. */
  readonly schedule?: { readonly name: string; readonly nominalTime?: string };
  /**
   * The directory model `source` paths are relative to: the pipeline file's folder, as for `sluice run`
   * (e.g. `new URL('../pipelines/', import.meta.url)`).
   * @default the current directory
   */
  readonly baseDir?: string | URL;
  /**
   * A state directory to run in, kept afterwards: pass the same one to a second run to see both batches.
   * @default a new temporary directory, removed by `cleanup()`
   */
  readonly stateDir?: string;
  /** Extra environment for the handlers (e.g. `SLUICE_DUCKDB_THREADS`); OpenLineage settings here are ignored. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A finished local run, with what a test checks: status, steps, the rows of any dataset, the lineage events. */
export interface PipelineTestRun {
  readonly report: RunReport;
  readonly status: RunReport['status'];
  readonly stateDir: string;
  /** A step's report line; throws naming the pipeline's steps when there is no such step. */
  step(name: string): StepReport;
  /** Every row of a dataset's data files under its prefix in this state directory (or of the named file only). */
  rows(dataset: string, options?: DatasetRowsOptions): Promise<DatasetRow[]>;
  /** The OpenLineage events of this run: the pipeline run's and its steps', in the order they were emitted. */
  lineage(): Promise<RunEvent[]>;
  /** Removes the state directory, unless it was given in the options. */
  cleanup(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Runs a pipeline locally for a test, as `sluice run` does (embedded S3, the compiled state machine, the real
 * handlers), in a state directory of its own. Lineage always goes to that directory's events file, whatever the
 * caller's shell sets (OPENLINEAGE_*, openlineage.yml), so a test sees every event and sends none elsewhere.
 */
export async function testPipeline(pipeline: PipelineSpec, options: TestPipelineOptions): Promise<PipelineTestRun> {
  const spec = parsePipelineSpec(pipeline);
  const baseDir = options.baseDir === undefined ? process.cwd() : localPath(options.baseDir);
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), `sluice-test-${spec.name}-`)));
  const layout = stateDirLayout(stateDir);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !isLineageSetting(key)));
  for (const [key, value] of Object.entries(options.env ?? {})) if (!isLineageSetting(key)) env[key] = value;
  Object.assign(env, {
    OPENLINEAGE__TRANSPORT__TYPE: 'file',
    OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: layout.events,
    OPENLINEAGE__TRANSPORT__APPEND: 'true',
  });
  const report = await runLocal(spec, {
    stateDir,
    baseDir,
    env,
    ...(options.input !== undefined ? { input: localPath(options.input) } : {}),
    ...(options.dataset !== undefined ? { dataset: options.dataset } : {}),
    ...(options.schedule ? { schedule: options.schedule } : {}),
  });
  const cleanup = async () => {
    if (options.stateDir === undefined) await rm(stateDir, { recursive: true, force: true });
  };
  return {
    report,
    status: report.status,
    stateDir,
    step(name) {
      const found = report.steps.find((s) => s.step === name);
      if (!found) {
        throw new SluiceError(
          'TESTING_STEP_UNKNOWN',
          `step: pipeline ${spec.name} has no step ${JSON.stringify(name)} (steps: ${report.steps.map((s) => s.step).join(', ')})`,
        );
      }
      return found;
    },
    rows: (dataset, rowsOptions) => datasetRows(spec, layout.s3, dataset, rowsOptions),
    lineage: () => runEvents(layout.events, report.runId),
    cleanup,
    [Symbol.asyncDispose]: cleanup,
  };
}

function localPath(path: string | URL): string {
  return path instanceof URL ? fileURLToPath(path) : resolve(path);
}

function isLineageSetting(key: string): boolean {
  return key.startsWith('OPENLINEAGE') || key === SLUICE_ENV.lineageOutbox;
}

/** The events of one pipeline run in an events file: its own, and its steps' (whose parent is that run). */
async function runEvents(file: string, runId: string): Promise<RunEvent[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const events: RunEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const event = parseLineageEvent(JSON.parse(line)) as RunEvent;
    const parent = (event.run?.facets?.['parent'] as { run?: { runId?: string } } | undefined)?.run?.runId;
    if (event.run?.runId === runId || parent === runId) events.push(event);
  }
  return events;
}
