import { facets } from '../../../lineage/index.ts';
import { SluiceError } from '../../../core/errors.ts';
import { batchPartition } from '../../runtime/batch.ts';
import { FLOAT_FUNCTION, ident, literal, type DuckDb } from '../../runtime/duckdb.ts';
import { describeAsOf, type AsOfRead } from '../../runtime/feature-table-read.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import type { FeatureTableSpec } from '../../definition/feature-table.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import { featureProblems } from './feature-check.ts';
import { binForest, type BinnedForest } from './binned-forest.ts';
import { isClassifier, scoreSql, type Model } from './model.ts';
import { loadScoringModel } from './model-source.ts';
import { parallelScorer, type ParallelScorer } from './score-workers.ts';
import { failShards, gatherShards } from './score-gather.ts';
import { scoreShard } from './score-shard.ts';
import { planShards, type ShardSource } from './score-shards-plan.ts';
import { scoreShardSettings } from '../../definition/step-kinds/batch-score.ts';
import { scorePlanState, type DatasetObservation } from '../../runtime/lineage/step-lineage.ts';
import { tableObservation, tableViewFile, type TableRead } from '../../runtime/table-read.ts';
import { semanticsOf } from '../../definition/dataset-semantics.ts';

/**
 * Batch scoring: the model is read (an S3 object's current version, or a registry model's), its features checked
 * against the input, and the model applied in one DuckDB query (a linear model as an SQL expression, trees through the
 * parallel scorer); each prediction row carries the entity key and model version. An input of the step's `shards.minRows`
 * rows or more is planned into shards instead (score-shards-plan.ts), scored by a Distributed Map of shard runs and
 * recorded by the gather; the invocation's `phase` says which part of that this is.
 */
export async function batchScore(ctx: StepContext<'batchScore'>): Promise<StepOutcome> {
  if (ctx.invocation.phase === 'shard') return scoreShard(ctx);
  if (ctx.invocation.phase === 'gather') return gatherShards(ctx);
  if (ctx.invocation.phase === 'shardsFailed') return failShards(ctx);
  const { step } = ctx;
  const scoring = await loadScoringModel(ctx);
  const { model, version: modelVersion, uri: modelUri } = scoring;

  const input = ctx.dataset(step.input);
  const db = await ctx.duckdb();
  // A feature table as known at the run's time; else the batch an earlier step of this run built, or (a schedule
  // starting here) the input's table.
  const batch = input.featureTable ? [] : ctx.written(step.input);
  // What a sharded run needs of the read: the input's lineage as recorded here, and its files when they are the rows.
  let read: TableRead | undefined;
  let sources: ShardSource[] | undefined;
  if (input.featureTable) {
    read = await readFeatureTable(ctx, input.featureTable);
  } else if (batch.length > 0) {
    const files = await ctx.download(
      batch.map((o) => ({ bucket: o.bucket, key: o.key, etag: o.etag ?? '', size: o.bytes })),
      'input',
    );
    sources = batch.map((o, i) => ({
      local: files[i]!,
      object: { bucket: o.bucket, key: o.key, etag: o.etag ?? '', ...(o.versionId ? { versionId: o.versionId } : {}) },
    }));
    await db.run(`CREATE VIEW features AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}], hive_partitioning = false)`);
  } else {
    read = await ctx.readTable(step.input, 'features');
    if (read.batches.length === 0) {
      throw new SluiceError('SCORE_NO_INPUT', `no published batches to score under s3://${input.bucket}/${input.prefix}/`);
    }
    // An upsert table's rows are not its files' rows: such a table is materialised by the planner instead.
    if (semanticsOf(input).kind !== 'upsert') {
      sources = read.batches.flatMap((b) =>
        b.files.map((f, i) => ({
          local: ctx.scratch(tableViewFile('features', b.batch, i)),
          object: { bucket: b.bucket, key: f.key, etag: f.etag, ...(f.versionId ? { versionId: f.versionId } : {}) },
        })),
      );
    }
  }
  const fields = (await db.all(`SELECT column_name, column_type FROM (DESCRIBE features)`)).map((r) => ({
    name: String(r.column_name),
    type: String(r.column_type),
  }));
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const problems = [
    ...(types.has(step.entityKey) ? [] : [`entity key ${step.entityKey} is not a column of ${step.input}`]),
    ...featureProblems(model, types, step.input),
  ];
  if (problems.length > 0) {
    throw new SluiceError(
      'SCORE_FEATURE_MISMATCH',
      `model ${modelUri} does not fit ${step.input} (columns: ${fields.map((f) => f.name).join(', ')})`,
      {
        details: problems,
      },
    );
  }
  const [{ n: rowsIn }] = (await db.all(`SELECT count(*) AS n FROM features`)) as [{ n: number }];
  let observed: DatasetObservation | undefined = read && tableObservation(read);
  if (batch.length > 0) {
    const version = batch.length === 1 ? (batch[0]!.versionId ?? batch[0]!.etag) : undefined;
    observed = {
      ...(version ? { version } : {}),
      fields,
      rowCount: rowsIn,
      fileCount: batch.length,
      bytes: batch.reduce((n, o) => n + o.bytes, 0),
      partition: batchPartition(ctx.batchId),
    };
    ctx.lineage.input(step.input, observed);
  }
  if (rowsIn >= scoreShardSettings(step).minRows) {
    // This run only plans: it is the step's plan run; the gather is the step's run, as the single path's is.
    await ctx.lineage.asJob(scorePlanState(step.name));
    const sql = predictionSql(model, 'features', step.entityKey, step.threshold, modelVersion);
    const scorer = await attachScorer(db, model, 0, `${modelUri}@${modelVersion}`);
    try {
      return await planShards(ctx, db, {
        model: scoring,
        rowsIn,
        input: observed ?? {},
        predictionSql: sql,
        ...(sources ? { sources } : {}),
      });
    } finally {
      scorer?.close();
    }
  }

  await ctx.lineage.begin();
  const file = ctx.scratch('predictions.parquet');
  const scorer = await attachScorer(db, model, rowsIn, `${modelUri}@${modelVersion}`);
  try {
    await db.run(
      `COPY (${predictionSql(model, 'features', step.entityKey, step.threshold, modelVersion)}) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    scorer?.close();
  }
  const written = await ctx.writeBatch(step.output, file, rowsIn);
  ctx.lineage.output(step.output, { facets: { columnLineage: predictionLineage(model, datasetIdentity(input), step.entityKey) } });
  return {
    rowsIn,
    rowsOut: rowsIn,
    modelVersion,
    outputs: [written],
  };
}

/** Reads a feature-table input as of the run's time (no row from after it), saying what was left out and why. */
async function readFeatureTable(ctx: StepContext<'batchScore'>, table: FeatureTableSpec): Promise<AsOfRead> {
  const input = ctx.dataset(ctx.step.input);
  const read = (await ctx.readTable(ctx.step.input, 'features', { asOf: ctx.batchTime })) as AsOfRead;
  if (read.batches.length === 0) {
    throw new SluiceError(
      'SCORE_NO_INPUT',
      `no batches of feature table s3://${input.bucket}/${input.prefix}/ were published at or before ${ctx.batchTime}`,
    );
  }
  const note = describeAsOf(read, table);
  // Rows there, yet none usable: scoring nothing would pass for success, so the run fails saying why.
  if (read.asOf.entities === 0 && note) {
    throw new SluiceError(
      'SCORE_NO_FEATURES',
      `feature table s3://${input.bucket}/${input.prefix}/ has no entity to score as of ${ctx.batchTime}: ${note}; stamp each row with the time its values were known (e.g. $nominal_time AS ${table.eventTime} in the feature SQL)${table.maxAge ? ' and check that the feature build still runs' : ''}`,
    );
  }
  if (note) process.stderr.write(`sluice: step "${ctx.step.name}": features as of ${ctx.batchTime}: ${note}\n`);
  return read;
}

/** Below this many rows, starting worker threads costs more than it saves. */
const PARALLEL_MIN_ROWS = 50_000;

// Compiling a forest takes tens of milliseconds: a warm process keeps the last few versions it scored with.
const forests = new Map<string, BinnedForest>();
const KEPT_FORESTS = 4;

/**
 * Attaches a tree model's scorer to the connection's float function (a binned forest scored on every thread DuckDB
 * has, see score-workers.ts) and returns it, to be closed after the query; linear models need none (pure SQL).
 * `identity` names the model's version, for the cache of compiled forests.
 */
export async function attachScorer(db: DuckDb, model: Model, rows: number, identity: string): Promise<ParallelScorer | undefined> {
  if (model.type !== 'xgboost') return undefined;
  let forest = forests.get(identity);
  if (!forest) {
    forest = binForest(model);
    forests.set(identity, forest);
    if (forests.size > KEPT_FORESTS) forests.delete(forests.keys().next().value as string);
  }
  const scorer = parallelScorer(forest, rows >= PARALLEL_MIN_ROWS ? db.threads : 1);
  try {
    await db.attachFloatFunction(scorer);
  } catch (error) {
    scorer.close();
    throw error;
  }
  return scorer;
}

/**
 * The prediction query: entity key, score, label (classifiers only) and model version per input row. Trees are
 * scored by the attached float function in float32 with NaN as missing, like XGBoost; linear models are one SQL
 * expression in double precision.
 */
export function predictionSql(model: Model, table: string, entityKey: string, threshold: number, modelVersion: string): string {
  const label = isClassifier(model) ? `, score >= ${threshold} AS label` : '';
  const key = ident(entityKey);
  let scored: string;
  if (model.type === 'xgboost') {
    scored = `SELECT ${key}, ${FLOAT_FUNCTION}(${model.features.map((f) => `CAST(${ident(f)} AS FLOAT)`).join(', ')}) AS score FROM ${table}`;
  } else {
    const inputs = model.features.map((f, i) => `CAST(${ident(f)} AS DOUBLE) AS __f${i}`);
    scored = `SELECT ${key}, ${scoreSql(model, (i) => `__f${i}`)} AS score FROM (SELECT ${key}, ${inputs.join(', ')} FROM ${table})`;
  }
  return `SELECT ${key}, score${label}, ${literal(modelVersion)} AS model_version FROM (${scored})`;
}

/** Column lineage of predictions: the key is copied, score and label are computed from every model feature. */
export function predictionLineage(
  model: Model,
  input: { namespace: string; name: string },
  entityKey: string,
): facets.ColumnLineageDatasetFacet {
  const from = (field: string, subtype: string) => ({
    ...input,
    field,
    transformations: [
      { type: 'DIRECT', subtype, ...(subtype === 'TRANSFORMATION' ? { description: `scored by the ${model.type} model` } : {}) },
    ],
  });
  const computed = { inputFields: model.features.map((f) => from(f, 'TRANSFORMATION')) };
  return facets.columnLineageDatasetFacet({
    fields: {
      [entityKey]: { inputFields: [from(entityKey, 'IDENTITY')] },
      score: computed,
      ...(isClassifier(model) ? { label: computed } : {}),
    },
  });
}
