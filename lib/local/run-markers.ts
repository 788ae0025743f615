import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ExecutionTriggerSchema, type ExecutionTrigger } from '../asl/step-invocation.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { closedStepRunEvent, pipelineRunEvent } from '../runtime/lineage/pipeline-run-lineage.ts';
import { OpenLineageClient, type RunEvent } from '../../lineage/index.ts';
import { recordStateDirLineage } from '../../lineage/catalog/index.ts';
import { stateDirLayout } from '../../core/state-dir.ts';
import { lineageEmitter } from '../runtime/lineage/emitter.ts';
import { handlerProcessEnvironment } from './handler-environment.ts';

interface RunMarkerData {
  readonly format: 'sluice.local-run/1';
  readonly pipeline: { readonly name: string; readonly namespace: string };
  readonly executionArn: string;
  readonly trigger: ExecutionTrigger;
  readonly host: string;
  readonly pid: number;
  /** The process's start (Linux `/proc/<pid>/stat`), so a reused pid is not taken for the run's process. */
  readonly processStart?: string;
  readonly startedAt: string;
  readonly scratch: string;
  /** Step attempts that started and have not ended. */
  open: OpenAttempt[];
}

/**
 * A step attempt that started: the state its run id and job are named after, its attempt, and (for a run of a
 * Distributed Map's child execution) the execution its run id is made from.
 */
export interface OpenAttempt {
  readonly state: string;
  readonly attempt: number;
  readonly execution?: string;
}

/** A marker as written by {@link RunMarker}, or undefined for anything else found in the folder. */
function parseMarker(text: string | undefined): RunMarkerData | undefined {
  let value: Partial<RunMarkerData>;
  try {
    value = JSON.parse(text ?? '') as Partial<RunMarkerData>;
  } catch {
    return undefined;
  }
  const ok =
    value.format === 'sluice.local-run/1' &&
    typeof value.pipeline?.name === 'string' &&
    typeof value.pipeline.namespace === 'string' &&
    typeof value.executionArn === 'string' &&
    typeof value.host === 'string' &&
    Number.isInteger(value.pid) &&
    typeof value.startedAt === 'string' &&
    typeof value.scratch === 'string' &&
    Array.isArray(value.open) &&
    ExecutionTriggerSchema.safeParse(value.trigger).success;
  return ok ? (value as RunMarkerData) : undefined;
}

function processStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat, after the command name (which may hold spaces) in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(marker: RunMarkerData): boolean {
  try {
    process.kill(marker.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return marker.processStart === undefined || processStart(marker.pid) === marker.processStart;
}

/**
 * The marker of a local run in progress (`<state-dir>/runs/<execution>.json`): what it runs, which process runs it and
 * which step attempts are open. It is removed when the run ends; one left behind by a process that is gone belongs to
 * a killed run, which {@link closeKilledRuns} closes in lineage.
 */
export class RunMarker {
  readonly #file: string;
  readonly #data: RunMarkerData;

  private constructor(file: string, data: RunMarkerData) {
    this.#file = file;
    this.#data = data;
  }

  /** Writes the marker of a run that is starting. */
  static async create(
    runsDir: string,
    run: { spec: PipelineSpec; executionArn: string; executionName: string; trigger: ExecutionTrigger; scratch: string },
  ): Promise<RunMarker> {
    await mkdir(runsDir, { recursive: true });
    const start = processStart(process.pid);
    const marker = new RunMarker(join(runsDir, `${run.executionName}.json`), {
      format: 'sluice.local-run/1',
      pipeline: { name: run.spec.name, namespace: run.spec.namespace },
      executionArn: run.executionArn,
      trigger: run.trigger,
      host: hostname(),
      pid: process.pid,
      ...(start ? { processStart: start } : {}),
      startedAt: new Date().toISOString(),
      scratch: run.scratch,
      open: [],
    });
    await marker.#save();
    return marker;
  }

  /** Notes a step attempt that started. */
  async stepStarted(open: OpenAttempt): Promise<void> {
    this.#data.open.push(open);
    await this.#save();
  }

  /** Notes a step attempt that ended (its handler reported COMPLETE or FAIL itself). */
  async stepEnded(open: OpenAttempt): Promise<void> {
    const same = (o: OpenAttempt) => o.state === open.state && o.attempt === open.attempt && o.execution === open.execution;
    this.#data.open = this.#data.open.filter((o) => !same(o));
    await this.#save();
  }

  /** Removes the marker and the run's scratch folder: the run ended. */
  async finish(): Promise<void> {
    await rm(this.#data.scratch, { recursive: true, force: true });
    await rm(this.#file, { force: true });
  }

  /** Saves are queued: a Distributed Map's children start and end at once, and each save must see the last. */
  #saving: Promise<void> = Promise.resolve();

  #save(): Promise<void> {
    const save = async () => {
      const partial = `${this.#file}.${process.pid}.partial`;
      await writeFile(partial, `${JSON.stringify(this.#data, null, 2)}\n`);
      await rename(partial, this.#file);
    };
    this.#saving = this.#saving.then(save, save);
    return this.#saving;
  }
}

/** A killed run that was closed: its execution and the step runs closed with it. */
export interface ClosedRun {
  readonly pipeline: string;
  readonly executionArn: string;
  readonly startedAt: string;
  readonly steps: readonly string[];
}

/**
 * Closes the local runs of a state directory whose process is gone (killed, or crashed before it could report):
 * each open step run and the pipeline run get ABORT with the reason, through `emit` (which keeps what it cannot
 * deliver in the outbox), and their markers and scratch folders are removed. Runs of other hosts are left alone.
 */
export async function closeKilledRuns(runsDir: string, emit: (event: RunEvent) => Promise<void>): Promise<ClosedRun[]> {
  const files = await readdir(runsDir).catch(() => [] as string[]);
  const closed: ClosedRun[] = [];
  for (const name of files.filter((f) => f.endsWith('.json'))) {
    const file = join(runsDir, name);
    const marker = parseMarker(await readFile(file, 'utf8').catch(() => undefined));
    if (!marker) continue;
    if (marker.host !== hostname() || alive(marker)) continue;
    // One closer wins the marker: a rename has one winner, so two runs starting at once never close a run twice.
    const claimed = `${file}.closing-${process.pid}`;
    if (
      !(await rename(file, claimed).then(
        () => true,
        () => false,
      ))
    )
      continue;
    const reason = `the local run (process ${marker.pid}, started ${marker.startedAt}) ended without finishing: it was killed or crashed; closed by a later run`;
    for (const open of marker.open) {
      await emit(closedStepRunEvent(marker.pipeline, marker.executionArn, { ...open, eventType: 'ABORT', reason }));
    }
    const spec = { ...marker.pipeline, datasets: {}, triggers: [], steps: [] } as unknown as PipelineSpec;
    await emit(
      pipelineRunEvent(spec, 'ABORT', {
        arn: marker.executionArn,
        trigger: marker.trigger,
        error: { name: 'Sluice.RunKilled', message: reason },
      }),
    );
    await rm(marker.scratch, { recursive: true, force: true });
    await rm(claimed, { force: true });
    closed.push({
      pipeline: marker.pipeline.name,
      executionArn: marker.executionArn,
      startedAt: marker.startedAt,
      steps: [...new Set(marker.open.map((o) => o.state))],
    });
  }
  return closed;
}

/**
 * Closes the killed runs of a state directory without running anything (`sluice lineage close-killed`): lineage goes
 * where a local run of that directory sends it (OPENLINEAGE_* settings, else its events file), undelivered events to
 * its outbox; with the events file, the state directory's catalog records them too.
 */
export async function closeKilledLocalRuns(stateDir?: string, base: NodeJS.ProcessEnv = process.env): Promise<ClosedRun[]> {
  const layout = stateDirLayout(stateDir);
  // No S3 is involved in closing runs; the endpoint only completes the environment a handler would have.
  const env = handlerProcessEnvironment(base, 'http://127.0.0.1:9', layout.root);
  const client = new OpenLineageClient({ env });
  const lineage = lineageEmitter(env, client);
  try {
    const closed = await closeKilledRuns(layout.runs, async (event) => {
      await lineage.emit(event);
    });
    if (closed.length > 0 && client.describe() === `file ${layout.events}`) await recordStateDirLineage(layout.root);
    return closed;
  } finally {
    await client.close();
  }
}
