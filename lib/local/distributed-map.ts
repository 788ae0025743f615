import { randomUUID } from 'node:crypto';
import { SluiceError } from '../../core/errors.ts';
import type { AslDocument } from '../asl/compile-asl.ts';
import { ObjectStore } from '../runtime/object-store.ts';
import { sharedS3 } from '../runtime/s3-client.ts';
import { readPath, resolveTemplate } from './payload-template.ts';

type State = Record<string, unknown>;

/** How one child execution of a Distributed Map ended. */
export type ChildOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | { readonly status: 'FAILED'; readonly error: { readonly name: string; readonly message: string } };

/** Progress of a Distributed Map run: after each child execution ends. */
export interface MapRunProgress {
  readonly state: string;
  readonly mapRunArn: string;
  readonly children: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Where ResultWriter put the run's manifest, once written. */
  readonly manifest?: { readonly bucket: string; readonly key: string };
}

/** Options of {@link runDistributedMap}. */
export interface DistributedMapOptions {
  readonly stateMachineArn: string;
  /** Runs one child execution of the ItemProcessor, as its own execution. */
  readonly runChild: (asl: AslDocument, input: unknown, executionArn: string) => Promise<ChildOutcome>;
  readonly onProgress?: (progress: MapRunProgress) => void;
  /** The environment the map's own S3 reads and writes use (the state machine's role in AWS). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** True for a Map state Step Functions runs as a Distributed Map (child executions), which the interpreter does not run. */
export function isDistributedMap(state: State): boolean {
  const processor = state['ItemProcessor'] as { ProcessorConfig?: { Mode?: string } } | undefined;
  return state['Type'] === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/**
 * The Task the interpreter runs in place of a Distributed Map state: its local handler receives the state's input
 * and the Context Object and runs the map with {@link runDistributedMap}; paths, Retry, Catch and transitions are kept.
 */
export function localMapTask(state: State): State {
  const kept = ['Comment', 'InputPath', 'ResultSelector', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End'];
  return {
    Type: 'Task',
    Resource: 'arn:aws:lambda:us-east-1:000000000000:function:sluice-local-distributed-map',
    Parameters: { 'input.$': '$', 'context.$': '$$' },
    // A Map state has no timeout of its own; the interpreter would give a Task 60 seconds (23 days fits its timer).
    TimeoutSeconds: 2_000_000,
    ...Object.fromEntries(kept.filter((k) => state[k] !== undefined).map((k) => [k, state[k]])),
  };
}

/**
 * Runs a Distributed Map state the way Step Functions does: reads the items (ItemReader over an S3 listing or a JSON
 * or CSV object, else `ItemsPath`), shapes each with ItemSelector, groups them with ItemBatcher, runs one child
 * execution per group with at most MaxConcurrency at once, stops starting children and fails with
 * `States.ExceedToleratedFailureThreshold` once more items failed than tolerated, and writes every child's outcome
 * with ResultWriter. Returns the state's result: the children's outputs, or the ResultWriter's details.
 */
export async function runDistributedMap(
  name: string,
  state: State,
  input: unknown,
  context: State,
  options: DistributedMapOptions,
): Promise<unknown> {
  const execution = context['Execution'] as { Id: string };
  const machine = options.stateMachineArn.split(':').at(-1) ?? 'machine';
  const mapRunId = randomUUID();
  const mapRunArn = options.stateMachineArn.replace(/:stateMachine:[^:]+$/, `:mapRun:${machine}/${mapRunId}:${randomUUID()}`);
  const env = options.env ?? process.env;
  const items = await readItems(name, state, input, context, env);
  const selected = items.map((value, index) =>
    state['ItemSelector'] === undefined
      ? value
      : resolveTemplate(state['ItemSelector'], input, { ...context, Map: { Item: { Index: index, Value: value } } }),
  );
  const groups = batches(name, state, selected, input, context);
  const concurrency = numberField(name, state, 'MaxConcurrency', input, context) || Infinity;
  const toleratedCount = numberField(name, state, 'ToleratedFailureCount', input, context);
  const toleratedPercentage = numberField(name, state, 'ToleratedFailurePercentage', input, context);
  const processor = state['ItemProcessor'] as { StartAt: string; States: AslDocument['States'] };
  const child: AslDocument = { Comment: `${name} child`, StartAt: processor.StartAt, States: processor.States };

  const results: ChildResult[] = [];
  let failedItems = 0;
  let next = 0;
  // Without either threshold no failure is tolerated; with both, exceeding either fails the run.
  const exceeded = () =>
    failedItems > 0 &&
    ((toleratedCount === undefined && toleratedPercentage === undefined) ||
      (toleratedCount !== undefined && failedItems > toleratedCount) ||
      (toleratedPercentage !== undefined && (failedItems / items.length) * 100 > toleratedPercentage));
  const report = (manifest?: MapRunProgress['manifest']) =>
    options.onProgress?.({
      state: name,
      mapRunArn,
      children: groups.length,
      succeeded: results.filter((r) => r.outcome.status === 'SUCCEEDED').length,
      failed: results.filter((r) => r.outcome.status === 'FAILED').length,
      ...(manifest ? { manifest } : {}),
    });
  const worker = async (): Promise<void> => {
    while (next < groups.length && !exceeded()) {
      const group = groups[next++]!;
      const executionArn = `${execution.Id.replace(/:execution:([^:/]+):.*$/, ':execution:$1')}/${mapRunId}:${randomUUID()}`;
      const startDate = new Date();
      // A child that cannot even run is a failed child, as in Step Functions; the others go on.
      const outcome = await options.runChild(child, group.input, executionArn).catch((error: unknown): ChildOutcome => ({
        status: 'FAILED',
        error: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) },
      }));
      results.push({ executionArn, input: group.input, startDate, stopDate: new Date(), outcome });
      if (outcome.status === 'FAILED') failedItems += group.items;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, groups.length)) }, worker));

  const writer = state['ResultWriter'] as { Resource?: string; Parameters?: State } | undefined;
  let output: unknown = results.map((r) => (r.outcome.status === 'SUCCEEDED' ? r.outcome.output : null));
  if (writer) {
    const manifest = await writeResults(name, writer, mapRunArn, mapRunId, options.stateMachineArn, results, input, context, env);
    output = { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: manifest.bucket, Key: manifest.key } };
    report(manifest);
  }
  if (exceeded()) {
    const error = new Error(`${name}: ${failedItems} of ${items.length} items failed, more than the map tolerates`);
    error.name = 'States.ExceedToleratedFailureThreshold';
    throw error;
  }
  return output;
}

interface ChildResult {
  readonly executionArn: string;
  readonly input: unknown;
  readonly startDate: Date;
  readonly stopDate: Date;
  readonly outcome: ChildOutcome;
}

/** The items: from the ItemReader, else the array at ItemsPath (default `$`). */
async function readItems(name: string, state: State, input: unknown, context: State, env: NodeJS.ProcessEnv): Promise<unknown[]> {
  const reader = state['ItemReader'] as { Resource?: string; Parameters?: State; ReaderConfig?: State } | undefined;
  if (!reader) {
    const items = readPath(String(state['ItemsPath'] ?? '$'), input, context);
    if (!Array.isArray(items)) throw new SluiceError('ASL_MAP_ITEMS', `${name}.ItemsPath: expected an array, got ${typeof items}`);
    return items;
  }
  const params = resolveTemplate(reader.Parameters ?? {}, input, context) as { Bucket?: string; Key?: string; Prefix?: string };
  const config = reader.ReaderConfig ?? {};
  const max = typeof config['MaxItems'] === 'number' ? config['MaxItems'] : Infinity;
  if (!params.Bucket) throw new SluiceError('ASL_ITEM_READER', `${name}.ItemReader.Parameters.Bucket: required`);
  let items: unknown[];
  if (reader.Resource === 'arn:aws:states:::s3:listObjectsV2') {
    items = await listObjects(params.Bucket, params.Prefix ?? '', env);
  } else if (reader.Resource === 'arn:aws:states:::s3:getObject' && params.Key) {
    const text = await new ObjectStore(env).getText(params.Bucket, params.Key);
    items = parseItems(name, text, String(config['InputType'] ?? ''), `s3://${params.Bucket}/${params.Key}`);
  } else {
    throw new SluiceError(
      'ASL_ITEM_READER',
      `${name}.ItemReader: ${JSON.stringify(reader.Resource)} is not run locally; use arn:aws:states:::s3:listObjectsV2, or arn:aws:states:::s3:getObject with a Key and InputType JSON or CSV`,
    );
  }
  return items.slice(0, max);
}

/** Every object under a prefix, each as Step Functions' S3 listing reader gives it (`Etag` quoted, `LastModified` in epoch seconds). */
async function listObjects(bucket: string, prefix: string, env: NodeJS.ProcessEnv): Promise<unknown[]> {
  const { sdk, client } = await sharedS3(env);
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const out = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of out.Contents ?? []) {
      const etag = (o.ETag ?? '').replace(/^"|"$/g, '');
      items.push({
        Etag: `"${etag}"`,
        Key: o.Key,
        LastModified: Math.floor((o.LastModified?.getTime() ?? 0) / 1000),
        Size: o.Size ?? 0,
        StorageClass: o.StorageClass ?? 'STANDARD',
      });
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return items;
}

/** A JSON array, or CSV rows keyed by the header line (values as strings, as Step Functions reads them). */
function parseItems(name: string, text: string, inputType: string, uri: string): unknown[] {
  if (inputType === 'JSON') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new SluiceError('ASL_ITEM_READER', `${uri}: expected a JSON array of items: ${(error as Error).message}`);
    }
    if (!Array.isArray(value)) throw new SluiceError('ASL_ITEM_READER', `${uri}: expected a JSON array of items, got ${typeof value}`);
    return value;
  }
  if (inputType === 'CSV') {
    const [header, ...rows] = text.split(/\r?\n/).filter((line) => line.length > 0);
    const columns = (header ?? '').split(',');
    return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [columns[i] ?? `${i}`, v])));
  }
  throw new SluiceError(
    'ASL_ITEM_READER',
    `${name}.ItemReader.ReaderConfig.InputType: expected JSON or CSV locally, got ${JSON.stringify(inputType)}`,
  );
}

/** The child inputs: one per item, or `{Items, BatchInput}` per group when the state has an ItemBatcher. */
function batches(name: string, state: State, items: unknown[], input: unknown, context: State): Array<{ input: unknown; items: number }> {
  const batcher = state['ItemBatcher'] as State | undefined;
  if (!batcher) return items.map((item) => ({ input: item, items: 1 }));
  const size = numberField(`${name}.ItemBatcher`, batcher, 'MaxItemsPerBatch', input, context) || Infinity;
  const maxBytes = numberField(`${name}.ItemBatcher`, batcher, 'MaxInputBytesPerBatch', input, context) || Infinity;
  const batchInput = batcher['BatchInput'] === undefined ? undefined : resolveTemplate(batcher['BatchInput'], input, context);
  const groups: Array<{ input: unknown; items: number }> = [];
  let current: unknown[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    groups.push({ input: { Items: current, ...(batchInput === undefined ? {} : { BatchInput: batchInput }) }, items: current.length });
    current = [];
    bytes = 0;
  };
  for (const item of items) {
    const itemBytes = Buffer.byteLength(JSON.stringify(item));
    if (current.length >= size || (current.length > 0 && bytes + itemBytes > maxBytes)) flush();
    current.push(item);
    bytes += itemBytes;
  }
  flush();
  return groups;
}

/** A number field given directly or through its `…Path` twin; undefined when neither is set. */
function numberField(where: string, state: State, field: string, input: unknown, context: State): number | undefined {
  const value = state[`${field}Path`] === undefined ? state[field] : readPath(String(state[`${field}Path`]), input, context);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SluiceError('ASL_MAP_FIELD', `${where}.${field}: expected a number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Writes the run's results as Step Functions' ResultWriter does: `<Prefix>/<map run id>/` with a manifest and one file per status. */
async function writeResults(
  name: string,
  writer: { Resource?: string; Parameters?: State },
  mapRunArn: string,
  mapRunId: string,
  stateMachineArn: string,
  results: readonly ChildResult[],
  input: unknown,
  context: State,
  env: NodeJS.ProcessEnv,
): Promise<{ bucket: string; key: string }> {
  const params = resolveTemplate(writer.Parameters ?? {}, input, context) as { Bucket?: string; Prefix?: string };
  if (writer.Resource !== 'arn:aws:states:::s3:putObject' || !params.Bucket) {
    throw new SluiceError(
      'ASL_RESULT_WRITER',
      `${name}.ResultWriter: expected Resource arn:aws:states:::s3:putObject and Parameters.Bucket`,
    );
  }
  const store = new ObjectStore(env);
  const base = `${params.Prefix ? `${params.Prefix.replace(/\/$/, '')}/` : ''}${mapRunId}`;
  const files: Record<string, Array<{ Key: string; Size: number }>> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const status of ['SUCCEEDED', 'FAILED'] as const) {
    const entries = results
      .filter((r) => r.outcome.status === status)
      .map((r) => ({
        ExecutionArn: r.executionArn,
        Input: JSON.stringify(r.input),
        InputDetails: { Included: true },
        Name: r.executionArn.split(':').at(-1),
        StartDate: r.startDate.toISOString(),
        StateMachineArn: stateMachineArn,
        Status: status,
        StopDate: r.stopDate.toISOString(),
        ...(r.outcome.status === 'SUCCEEDED'
          ? { Output: JSON.stringify(r.outcome.output), OutputDetails: { Included: true } }
          : { Error: r.outcome.error.name, Cause: r.outcome.error.message }),
      }));
    if (entries.length === 0) continue;
    const key = `${base}/${status}_0.json`;
    const written = await store.putText(params.Bucket, key, JSON.stringify(entries));
    files[status]!.push({ Key: key, Size: written.size });
  }
  const key = `${base}/manifest.json`;
  await store.putText(params.Bucket, key, JSON.stringify({ DestinationBucket: params.Bucket, MapRunArn: mapRunArn, ResultFiles: files }));
  return { bucket: params.Bucket, key };
}
