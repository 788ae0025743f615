import { readFile } from 'node:fs/promises';
import { columnLineageDatasetFacet, type ColumnLineageDatasetFacet } from '../../lineage/index.ts';
import { SluiceError } from '../../lib/errors.ts';
import { resolveInputObjects } from '../../lib/runtime/batch.ts';
import { ident, literal, parquetFields } from '../../lib/runtime/duckdb.ts';
import { datasetIdentity } from '../../lib/runtime/lineage-ids.ts';
import type { StepContext, StepOutcome } from '../../lib/runtime/run-step.ts';
import { featureProblems } from './feature-check.ts';
import { isClassifier, parseModel, scoreSql, type Model } from './model.ts';

/**
 * Batch scoring: the model artifact's version is read from S3, its features checked against the input,
 * and the model applied as one DuckDB expression; each prediction row carries the entity key and model version.
 */
export async function batchScore(ctx: StepContext<'batchScore'>): Promise<StepOutcome> {
  const { step } = ctx;
  const modelUri = `s3://${step.model.bucket}/${step.model.key}`;
  const modelFile = ctx.scratch('model.json');
  const modelObject = await ctx.store.download(step.model.bucket, step.model.key, modelFile);
  const modelVersion = modelObject.versionId ?? modelObject.etag;
  ctx.lineage.artifact({ namespace: `s3://${step.model.bucket}`, name: step.model.key }, { version: modelVersion });
  const model = parseModel(await readFile(modelFile, 'utf8'), modelUri);

  const input = ctx.dataset(step.input);
  const objects = await resolveInputObjects(ctx.invocation, step.input, ctx.store);
  if (objects.length === 0) {
    throw new SluiceError('SCORE_NO_INPUT', `no objects to score under s3://${input.bucket}/${input.prefix}/`);
  }
  const files = await ctx.download(objects, 'input');
  const db = await ctx.duckdb();
  await db.run(`CREATE VIEW features AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}])`);
  const fields = await parquetFields(db, files[0] as string);
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const problems = [
    ...(types.has(step.entityKey) ? [] : [`entity key ${step.entityKey} is not a column of ${step.input}`]),
    ...featureProblems(model, types, step.input),
  ];
  if (problems.length > 0) {
    throw new SluiceError('SCORE_FEATURE_MISMATCH', `model ${modelUri} does not fit ${step.input} (columns: ${fields.map((f) => f.name).join(', ')})`, {
      details: problems,
    });
  }
  const [{ n: rowsIn }] = (await db.all(`SELECT count(*) AS n FROM features`)) as [{ n: number }];
  ctx.lineage.input(step.input, { fields, rowCount: rowsIn, fileCount: objects.length, bytes: objects.reduce((s, o) => s + o.size, 0) });

  const file = ctx.scratch('predictions.parquet');
  await db.run(`COPY (${predictionSql(model, 'features', step.entityKey, step.threshold, modelVersion)}) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
  const written = await ctx.writeBatch(step.output, file, rowsIn);
  ctx.lineage.output(step.output, { facets: { columnLineage: predictionLineage(model, datasetIdentity(input), step.entityKey) } });
  return {
    rowsIn,
    rowsOut: rowsIn,
    modelVersion,
    outputs: [written],
  };
}

/**
 * The prediction query: entity key, score, label (classifiers only) and model version per input row.
 * Trees compare in float32 with NaN as missing, like XGBoost; linear models work in double precision.
 */
export function predictionSql(model: Model, table: string, entityKey: string, threshold: number, modelVersion: string): string {
  const trees = model.type === 'xgboost';
  const inputs = model.features.map((f, i) =>
    trees ? `CASE WHEN isnan(CAST(${ident(f)} AS DOUBLE)) THEN NULL ELSE CAST(${ident(f)} AS FLOAT) END AS __f${i}` : `CAST(${ident(f)} AS DOUBLE) AS __f${i}`,
  );
  const label = isClassifier(model) ? `, score >= ${threshold} AS label` : '';
  return `SELECT ${ident(entityKey)}, score${label}, ${literal(modelVersion)} AS model_version
    FROM (SELECT ${ident(entityKey)}, ${scoreSql(model, (i) => `__f${i}`)} AS score
          FROM (SELECT ${ident(entityKey)}, ${inputs.join(', ')} FROM ${table}))`;
}

/** Column lineage of predictions: the key is copied, score and label are computed from every model feature. */
function predictionLineage(model: Model, input: { namespace: string; name: string }, entityKey: string): ColumnLineageDatasetFacet {
  const from = (field: string, subtype: string) => ({ ...input, field, transformations: [{ type: 'DIRECT', subtype, ...(subtype === 'TRANSFORMATION' ? { description: `scored by the ${model.type} model` } : {}) }] });
  const computed = { inputFields: model.features.map((f) => from(f, 'TRANSFORMATION')) };
  return columnLineageDatasetFacet({
    fields: { [entityKey]: { inputFields: [from(entityKey, 'IDENTITY')] }, score: computed, ...(isClassifier(model) ? { label: computed } : {}) },
  });
}
