import { readFile } from 'node:fs/promises';
import { SluiceError } from '../../lib/errors.ts';
import { resolveInputObjects } from '../../lib/runtime/batch.ts';
import { ident, literal, parquetFields } from '../../lib/runtime/duckdb.ts';
import type { StepContext, StepOutcome } from '../../lib/runtime/run-step.ts';
import { logisticScoreSql, parseModel } from './model.ts';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

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
    throw new SluiceError('SCORE_NO_INPUT', `step "${step.name}": no objects to score under s3://${input.bucket}/${input.prefix}/`);
  }
  const files = await ctx.download(objects, 'input');
  const db = await ctx.duckdb();
  await db.run(`CREATE VIEW features AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}])`);
  const fields = await parquetFields(db, files[0] as string);
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const problems = [
    ...(types.has(step.entityKey) ? [] : [`entity key ${step.entityKey} is not a column of ${step.input}`]),
    ...model.features.flatMap((f) => {
      const type = types.get(f);
      if (type === undefined) return [`feature ${f} is missing from ${step.input}`];
      return NUMERIC.test(type) || type === 'BOOLEAN' ? [] : [`feature ${f} is ${type}; expected a number`];
    }),
  ];
  if (problems.length > 0) {
    throw new SluiceError('SCORE_FEATURE_MISMATCH', `step "${step.name}": model ${modelUri} does not fit ${step.input} (columns: ${fields.map((f) => f.name).join(', ')})`, {
      details: problems,
    });
  }
  const [{ n: rowsIn }] = (await db.all(`SELECT count(*) AS n FROM features`)) as [{ n: number }];
  ctx.lineage.input(step.input, { fields, rowCount: rowsIn, fileCount: objects.length, bytes: objects.reduce((s, o) => s + o.size, 0) });

  const file = ctx.scratch('predictions.parquet');
  const score = logisticScoreSql(model, (f) => `CAST(${ident(f)} AS DOUBLE)`);
  await db.run(`COPY (
      SELECT ${ident(step.entityKey)}, score, score >= ${step.threshold} AS label, ${literal(modelVersion)} AS model_version
      FROM (SELECT ${ident(step.entityKey)}, ${score} AS score FROM features)
    ) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
  const written = await ctx.writeBatch(step.output, file, rowsIn);
  return {
    rowsIn,
    rowsOut: rowsIn,
    modelVersion,
    outputs: [written],
  };
}
