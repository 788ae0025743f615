import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { OpenLineageClient, uuidv7 } from '../../../lineage/index.ts';
import { recordStateDirLineage } from '../../../lineage/catalog/index.ts';
import { SluiceError } from '../../../core/errors.ts';
import { stateDirLayout } from '../../../core/state-dir.ts';
import { semanticsOf } from '../../definition/dataset-semantics.ts';
import { featureMaxAgeMs, type FeatureTableSpec } from '../../definition/feature-table.ts';
import type { DatasetSpec, PipelineSpec } from '../../definition/pipeline-schema.ts';
import { renameBuckets, specBuckets } from '../../definition/spec-buckets.ts';
import { listBatches, type BatchRecord } from '../../runtime/batch-record.ts';
import { openDuckDb, parquetFields } from '../../runtime/duckdb.ts';
import { batchesAsOf, eventTimeSql } from '../../runtime/feature-table-read.ts';
import { lineageEmitter } from '../../runtime/lineage/emitter.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { ObjectStore } from '../../runtime/object-store.ts';
import { BATCH_COLUMN, createTableView, tableBatches, type TableRead } from '../../runtime/table-read.ts';
import { startEmbeddedS3 } from '../embedded-s3.ts';
import { handlerEnvironment } from '../handler-environment.ts';
import { fileVersion, labelFileSource, loadLabels } from './label-source.ts';
import { trainingColumnLineage, writeTrainingSet, type JoinCounts, type JoinedTable } from './point-in-time-join.ts';
import { trainingSetEvent, type TrainingDataset } from './training-lineage.ts';

/** Options of {@link buildTrainingSet}. */
export interface TrainingSetOptions {
  /** A label file (CSV, JSON Lines or Parquet) or the name of a dataset of the pipeline. */
  readonly labels: string;
  /** Feature tables by dataset name, each optionally with the columns to take: `features` or `features:tenure,spend`. */
  readonly features: readonly string[];
  /** The label column holding each label's time: features are taken as known at that time. */
  readonly asOf: string;
  /** Where the training set is written (Parquet). @default "training-set.parquet" */
  readonly out?: string;
  /** Label columns matching feature-table keys of another name, by key: `{ customer_id: 'user_id' }`. */
  readonly keys?: Readonly<Record<string, string>>;
  /** Only batches published at or before this time are read, to rebuild a training set as it was then. */
  readonly publishedBy?: string;
  /** The state directory whose embedded S3 holds the datasets (a local run's). @default ".sluice" */
  readonly stateDir?: string;
  /** Read the datasets from S3 itself (AWS credentials and endpoint from `env`) instead of the state directory. */
  readonly s3?: boolean;
  /** Physical bucket names by the spec's names, when reading a deployed stage from S3. */
  readonly bucketNames?: Readonly<Record<string, string>>;
  /** The lineage job name. @default "<pipeline>.training_set" */
  readonly job?: string;
  /** Lineage settings and, with `s3`, AWS settings. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** A line of progress at each stage. */
  readonly onProgress?: (line: string) => void;
}

/** What one feature table gave the training set. */
export interface TrainingSetFeatures extends JoinCounts {
  readonly version?: string;
  readonly batches: number;
  /** Rows of the table's history (one per key and event time). */
  readonly rows: number;
  readonly columns: ReadonlyArray<{ readonly source: string; readonly output: string }>;
  readonly eventTimeColumn: string;
}

/** The outcome of {@link buildTrainingSet}. */
export interface TrainingSetReport {
  readonly pipeline: string;
  readonly job: string;
  readonly runId: string;
  readonly labels: { readonly source: string; readonly rows: number; readonly version?: string };
  readonly features: readonly TrainingSetFeatures[];
  readonly output: {
    readonly path: string;
    readonly rows: number;
    readonly bytes: number;
    readonly sha256: string;
    readonly columns: ReadonlyArray<{ name: string; type: string }>;
  };
  /** Where the lineage events went. */
  readonly lineage: string;
}

/** A `--features` argument: the dataset and, optionally, the columns to take. */
function parseFeatureArg(arg: string): { ref: string; columns?: string[] } {
  const [ref, list] = arg.split(':', 2) as [string, string | undefined];
  const columns = list
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  return columns?.length ? { ref, columns } : { ref };
}

/**
 * Builds a point-in-time correct training set: every label row gets, from each feature table, the values of its
 * entity at the label's time — the row with the greatest event time at or before it, never a later one (DuckDB's
 * ASOF join) — written as Parquet in label order, with a lineage run of its own whose inputs are the labels and the
 * feature tables at the versions read, and whose output carries column lineage.
 */
export async function buildTrainingSet(pipeline: PipelineSpec, options: TrainingSetOptions): Promise<TrainingSetReport> {
  const spec = options.bucketNames ? renameBuckets(pipeline, options.bucketNames) : pipeline;
  const base = options.env ?? process.env;
  const layout = stateDirLayout(options.stateDir);
  const progress = options.onProgress ?? (() => {});
  const wanted = options.features.map(parseFeatureArg);
  if (wanted.length === 0) throw new SluiceError('TRAINING_FEATURES', '--features: name at least one feature table');
  const featureTables = Object.entries(spec.datasets).flatMap(([ref, d]) => (d.featureTable ? [ref] : []));
  for (const { ref } of wanted) {
    const dataset = spec.datasets[ref];
    if (!dataset || !dataset.featureTable) {
      throw new SluiceError(
        'TRAINING_FEATURES',
        `--features: ${dataset ? `dataset ${JSON.stringify(ref)} is not a feature table (it declares no featureTable)` : `pipeline ${spec.name} has no dataset ${JSON.stringify(ref)}`}; feature tables: ${featureTables.join(', ') || 'none'}`,
      );
    }
  }
  if (options.publishedBy !== undefined && Number.isNaN(Date.parse(options.publishedBy))) {
    throw new SluiceError('TRAINING_PUBLISHED_BY', `--published-by: expected an ISO 8601 time, got ${JSON.stringify(options.publishedBy)}`);
  }
  const labelDataset = spec.datasets[options.labels];
  const labelFile = labelDataset ? undefined : await fileVersion(options.labels);
  const out = resolve(options.out ?? 'training-set.parquet');

  const env = lineageEnvironment(base, layout.root, options.s3 === true);
  const client = new OpenLineageClient({ env });
  const emitter = lineageEmitter(env, client);
  const run = { namespace: spec.namespace, job: options.job ?? `${spec.name}.training_set`, runId: uuidv7() };
  const labelIdentity = labelDataset ? datasetIdentity(labelDataset) : { namespace: 'file', name: labelFile!.path };
  const inputs: TrainingDataset[] = [
    { ...labelIdentity, ...(labelFile ? { version: labelFile.sha256.slice(0, 32), bytes: labelFile.bytes, files: 1 } : {}) },
    ...wanted.map(({ ref }) => ({ ...datasetIdentity(spec.datasets[ref]!) })),
  ];
  let output: TrainingDataset = { namespace: 'file', name: out };
  await emitter.emit(trainingSetEvent(run, 'START', { inputs, output }));

  const s3 = options.s3 ? undefined : await startEmbeddedS3(layout.s3, specBuckets(spec));
  const store = new ObjectStore(s3 ? { ...handlerEnvironment(base, s3.endpoint, layout.root) } : base);
  const scratch = await mkdtemp(resolve(tmpdir(), 'sluice-training-set-'));
  const db = await openDuckDb();
  try {
    await db.run(`SET TimeZone = 'UTC'`);
    const context = { db, store, scratch: (file: string) => resolve(scratch, file) };
    const published = (batches: BatchRecord[]) => (options.publishedBy ? batchesAsOf(batches, options.publishedBy) : batches);

    const tables: JoinedTable[] = [];
    const reads: Array<{ read: TableRead; table: FeatureTableSpec }> = [];
    for (const [i, { ref }] of wanted.entries()) {
      const dataset = spec.datasets[ref]! as DatasetSpec & { featureTable: FeatureTableSpec };
      const where = `s3://${dataset.bucket}/${dataset.prefix}/`;
      const batches = published(await listBatches(store, dataset));
      if (batches.length === 0) {
        throw new SluiceError(
          'TRAINING_NO_FEATURES',
          `--features ${ref}: no batches of feature table ${where} were published${options.publishedBy ? ` at or before ${options.publishedBy}` : ''}${s3 ? ` in ${layout.root}` : ''}`,
        );
      }
      const read = await createTableView(context, `__ft_${i}`, dataset, batches);
      progress(`feature table ${ref}: ${batches.length} batch${batches.length === 1 ? '' : 'es'}, ${read.rows} rows`);
      reads.push({ read, table: dataset.featureTable });
    }
    const keyTypes = new Map<string, string>();
    reads.forEach(({ read, table }) => {
      for (const k of table.key) {
        const type = read.fields.find((f) => f.name === k)?.type;
        if (type) keyTypes.set(options.keys?.[k] ?? k, type);
      }
    });

    let labelRead: TableRead | undefined;
    let source: string;
    if (labelDataset) {
      const batches = tableBatches(published(await listBatches(store, labelDataset)), semanticsOf(labelDataset));
      labelRead = await createTableView(context, '__label_source', labelDataset, batches);
      if (!labelRead.created || batches.length === 0) {
        throw new SluiceError(
          'TRAINING_LABELS_EMPTY',
          `--labels ${options.labels}: no batches of s3://${labelDataset.bucket}/${labelDataset.prefix}/ were published`,
        );
      }
      source = '__label_source';
    } else {
      source = await labelFileSource(db, labelFile!.path, keyTypes);
    }
    const what = labelDataset ? `dataset ${JSON.stringify(options.labels)}` : labelFile!.path;
    const labels = await loadLabels(db, source, options.asOf, what);
    progress(`labels: ${labels.rows} rows from ${what}`);
    const labelColumns = labels.fields.map((f) => f.name);

    const taken = new Set(labelColumns);
    const renamed: string[] = [];
    for (const [i, { ref, columns }] of wanted.entries()) {
      const { read, table } = reads[i]!;
      const dataset = spec.datasets[ref]!;
      const own = new Set(read.batches.flatMap((b) => b.fields.map((f) => f.name)));
      const available = read.fields.map((f) => f.name).filter((c) => own.has(c) || c !== BATCH_COLUMN);
      const keys = table.key.map((k) => {
        const label = options.keys?.[k] ?? k;
        if (!labelColumns.includes(label)) {
          throw new SluiceError(
            'TRAINING_KEY_MISSING',
            `--labels: ${what} has no column ${JSON.stringify(label)} to match key ${k} of feature table ${ref} (columns: ${labelColumns.join(', ')}); name the label column with --key ${k}=<column>`,
          );
        }
        return { feature: k, label, type: read.fields.find((f) => f.name === k)!.type };
      });
      const featureColumns = available.filter((c) => !table.key.includes(c) && c !== table.eventTime);
      for (const c of columns ?? []) {
        if (!featureColumns.includes(c)) {
          throw new SluiceError(
            'TRAINING_FEATURE_COLUMN',
            `--features ${ref}:${columns!.join(',')}: ${JSON.stringify(c)} is not a feature column of ${ref} (feature columns: ${featureColumns.join(', ')})`,
          );
        }
      }
      const output = (name: string): string => {
        const out = taken.has(name) ? `${ref}__${name}` : name;
        if (out !== name) renamed.push(`${ref}.${name} → ${out}`);
        taken.add(out);
        return out;
      };
      const type = read.fields.find((f) => f.name === table.eventTime)?.type;
      if (!type) {
        throw new SluiceError(
          'FEATURE_EVENT_TIME_MISSING',
          `feature table ${ref} has no event-time column ${table.eventTime} (columns: ${read.fields.map((f) => f.name).join(', ')})`,
        );
      }
      const maxAgeMs = featureMaxAgeMs(table);
      tables.push({
        ref,
        identity: datasetIdentity(dataset),
        view: `__ft_${i}`,
        keys,
        eventTime: table.eventTime,
        eventTimeSql: eventTimeSql(table.eventTime, type, `feature table ${ref}`),
        ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
        columns: (columns ?? featureColumns).map((c) => ({ source: c, output: output(c) })),
        eventTimeOutput: output(`${ref}__${table.eventTime}`),
      });
    }
    if (renamed.length > 0) progress(`renamed to keep column names apart: ${renamed.join(', ')}`);

    progress(`joining ${labels.rows} labels to ${tables.length} feature table${tables.length === 1 ? '' : 's'} as of ${options.asOf}`);
    await mkdir(dirname(out), { recursive: true });
    const joined = await writeTrainingSet(db, labelColumns, tables, out);
    const written = await readFile(out);
    const sha256 = createHash('sha256').update(written).digest('hex');
    const fields = await parquetFields(db, out);
    progress(`wrote ${joined.rows} rows to ${out}`);

    inputs[0] = {
      ...inputs[0]!,
      fields: labels.fields,
      rows: labels.rows,
      ...(labelRead
        ? { version: labelRead.version, bytes: labelRead.bytes, files: labelRead.files, batches: labelRead.batches.map((b) => b.batch) }
        : {}),
    };
    reads.forEach(({ read }, i) => {
      inputs[i + 1] = {
        ...inputs[i + 1]!,
        fields: read.fields,
        ...(read.version ? { version: read.version } : {}),
        rows: read.rows,
        bytes: read.bytes,
        files: read.files,
        batches: read.batches.map((b) => b.batch),
      };
    });
    output = {
      ...output,
      fields,
      version: sha256.slice(0, 32),
      rows: joined.rows,
      bytes: (await stat(out)).size,
      columnLineage: trainingColumnLineage(labelIdentity, labelColumns, options.asOf, tables),
    };
    await emitter.emit(trainingSetEvent(run, 'COMPLETE', { inputs, output }));
    const describe = client.describe();
    if (describe === `file ${layout.events}`) await recordStateDirLineage(layout.root);
    return {
      pipeline: spec.name,
      job: run.job,
      runId: run.runId,
      labels: {
        source: labelDataset ? options.labels : labelFile!.path,
        rows: labels.rows,
        ...(inputs[0]!.version ? { version: inputs[0]!.version } : {}),
      },
      features: tables.map((t, i) => ({
        ...joined.counts[i]!,
        ...(reads[i]!.read.version ? { version: reads[i]!.read.version } : {}),
        batches: reads[i]!.read.batches.length,
        rows: reads[i]!.read.rows,
        columns: t.columns,
        eventTimeColumn: t.eventTimeOutput,
      })),
      output: { path: out, rows: joined.rows, bytes: output.bytes!, sha256, columns: fields },
      lineage: describe,
    };
  } catch (error) {
    await emitter.emit(trainingSetEvent(run, 'FAIL', { inputs, output }, error));
    throw error;
  } finally {
    db.close();
    await s3?.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Where a training set's lineage goes: the OPENLINEAGE_* settings of `base`, else the state directory's events file
 * (as a local run's); with `s3`, AWS settings stay those of `base`.
 */
function lineageEnvironment(base: NodeJS.ProcessEnv, stateDir: string, s3: boolean): NodeJS.ProcessEnv {
  const local = handlerEnvironment(base, '', stateDir);
  const lineage = Object.fromEntries(Object.entries(local).filter(([k]) => !k.startsWith('AWS_')));
  return s3 ? { ...base, ...lineage } : { ...lineage };
}
