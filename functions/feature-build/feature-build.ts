import { SluiceError } from '../../lib/errors.ts';
import { resolveInputObjects } from '../../lib/runtime/batch.ts';
import { ident, literal, parquetFields } from '../../lib/runtime/duckdb.ts';
import type { StepContext, StepOutcome } from '../../lib/runtime/run-step.ts';

/**
 * Feature build: each named input becomes a DuckDB view over its published Parquet objects, the user's SQL
 * runs over those views, and its result is written as the output dataset's batch.
 */
export async function featureBuild(ctx: StepContext<'featureBuild'>): Promise<StepOutcome> {
  const { step } = ctx;
  const db = await ctx.duckdb();
  let rowsIn = 0;
  for (const [alias, ref] of Object.entries(step.inputs)) {
    const dataset = ctx.dataset(ref);
    const objects = await resolveInputObjects(ctx.invocation, ref, ctx.store);
    if (objects.length === 0) {
      throw new SluiceError('FEATURE_NO_INPUT', `step "${step.name}": input ${alias} has no published objects under s3://${dataset.bucket}/${dataset.prefix}/`);
    }
    const files = await ctx.download(objects, alias);
    await db.run(`CREATE VIEW ${ident(alias)} AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}])`);
    const [{ n }] = (await db.all(`SELECT count(*) AS n FROM ${ident(alias)}`)) as [{ n: number }];
    rowsIn += n;
    ctx.lineage.input(ref, {
      version: objects.length === 1 ? objects[0]?.etag : undefined,
      fields: await parquetFields(db, files[0] as string),
      rowCount: n,
      bytes: objects.reduce((s, o) => s + o.size, 0),
      fileCount: objects.length,
    });
  }
  const file = ctx.scratch('features.parquet');
  try {
    await db.run(`COPY (${step.sql.replace(/;\s*$/, '')}) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).trim();
    throw new SluiceError('FEATURE_SQL', `step "${step.name}": the feature SQL failed: ${message}`, { cause: error });
  }
  const [{ n: rowsOut }] = (await db.all(`SELECT count(*) AS n FROM read_parquet(${literal(file)})`)) as [{ n: number }];
  const written = await ctx.writeBatch(step.output, file, rowsOut);
  return {
    rowsIn,
    rowsOut,
    outputs: [written],
  };
}
