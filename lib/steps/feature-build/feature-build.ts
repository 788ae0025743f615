import { SluiceError } from '../../../core/errors.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { literal, parquetFields } from '../../runtime/duckdb.ts';
import { BATCH_COLUMN } from '../../runtime/table-read.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import { featureColumnLineage, type LineageInput } from './column-lineage.ts';
import { featureParams, featureSql } from './feature-params.ts';
import { featureSqlError } from './sql-errors.ts';
import { applyTransform, loadTransform } from './transform.ts';

/**
 * Feature build: each named input becomes a DuckDB view over the table its dataset's semantics define (every
 * published batch, the latest, or the latest row per key; a windowed input only the batches of its last N days), with
 * a `batch` column; the user's SQL runs over those views with typed `$parameters`, an optional TypeScript transform
 * reshapes the result, and it is written as the output dataset's batch with its column lineage.
 */
export async function featureBuild(ctx: StepContext<'featureBuild'>): Promise<StepOutcome> {
  const { step } = ctx;
  const db = await ctx.duckdb();
  const nominalTime = ctx.batchTime;
  let rowsIn = 0;
  const lineageInputs = new Map<string, LineageInput>();
  const empty: string[] = [];
  const untyped: string[] = [];
  for (const [alias, ref] of Object.entries(step.inputs)) {
    const dataset = ctx.dataset(ref);
    const days = step.windows?.[alias]?.days;
    const read = await ctx.readTable(ref, alias, { windowDays: days });
    const where = `s3://${dataset.bucket}/${dataset.prefix}/${days === undefined ? '' : ` in the ${days} days up to ${nominalTime}`}`;
    if (read.batches.length === 0) {
      const stray = read.unrecorded
        ? ` (its ${read.unrecorded} object${read.unrecorded === 1 ? ' has' : 's have'} no batch record under _batches/; a table is the batches steps published)`
        : '';
      empty.push(`input ${alias} has no published batches under ${where}${stray}`);
    }
    if (!read.created) untyped.push(`input ${alias} (dataset ${JSON.stringify(ref)})`);
    rowsIn += read.rows;
    const columns = read.fields.length > 0 ? read.fields.map((f) => f.name) : (dataset.columns ?? []).map((c) => c.name);
    lineageInputs.set(alias, { ...datasetIdentity(dataset), columns: [...columns, BATCH_COLUMN] });
  }
  // One empty input is a table with no rows yet (a join may still produce features); all of them is nothing to build from.
  if (empty.length === Object.keys(step.inputs).length) throw new SluiceError('FEATURE_NO_INPUT', empty.join('; '));
  if (untyped.length > 0) {
    throw new SluiceError(
      'FEATURE_NO_INPUT',
      `${empty.join('; ')}; without a declared schema ${untyped.join(', ')} cannot be read as an empty table`,
    );
  }
  if (empty.length > 0) ctx.log.warn(`step "${step.name}": ${empty.join('; ')}; reading it as an empty table`);

  const sql = featureSql(step);
  const params = await featureParams(db, step, sql, { nominalTime, batchId: ctx.batchId });
  const file = ctx.scratch('features.parquet');
  try {
    await db.prepare(sql);
  } catch (error) {
    throw featureSqlError(step.name, error, sql);
  }
  const copy = (from: string) => `COPY (${from}) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`;
  try {
    if (step.transform) {
      await db.run(`CREATE TABLE __features AS\n${sql}`, params);
    } else {
      await db.run(copy(`\n${sql}\n`), params);
    }
  } catch (error) {
    throw featureSqlError(step.name, error, sql, { lineOffset: 1 });
  }
  if (step.transform) {
    const transform = await loadTransform(step.name, step.transform, ctx.env);
    await applyTransform(db, transform, '__features', ctx.scratch('transformed.json'), {
      step: step.name,
      batchId: ctx.batchId,
      nominalTime,
    });
    await db.run(copy('SELECT * FROM __features'));
  }
  const [{ n: rowsOut }] = (await db.all(`SELECT count(*) AS n FROM read_parquet(${literal(file)}, hive_partitioning = false)`)) as [
    { n: number },
  ];
  const outputColumns = (await parquetFields(db, file)).map((f) => f.name);
  const lineage =
    step.transform && !step.columnLineage
      ? { unsupported: 'a TypeScript transform reshapes the SQL result' }
      : await featureColumnLineage(db, { sql, step: step.name, inputs: lineageInputs, outputColumns, declared: step.columnLineage });
  const written = await ctx.writeBatch(step.output, file, rowsOut);
  if ('facet' in lineage) ctx.lineage.output(step.output, { facets: { columnLineage: lineage.facet } });
  else ctx.log.warn(`step "${step.name}": no column lineage (${lineage.unsupported}); declare it with the step's columnLineage option`);
  return { rowsIn, rowsOut, outputs: [written] };
}
