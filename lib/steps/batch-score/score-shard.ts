import { isSluiceError, SluiceError } from '../../../core/errors.ts';
import type { ScoreShardItem } from '../../asl/score-shard-item.ts';
import { batchKey, writtenObject } from '../../runtime/batch.ts';
import { literal } from '../../runtime/duckdb.ts';
import { readRowRange } from '../../runtime/parquet/ranged-read.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import { attachScorer, predictionSql } from './batch-score.ts';
import { loadScoringModel } from './model-source.ts';

/** The name of a shard in messages: `shard 3 of 8 (input rows 4000000–5999999)`. */
export function shardName(shard: Pick<ScoreShardItem, 'index' | 'count' | 'firstRow' | 'rows'>): string {
  return `shard ${shard.index + 1} of ${shard.count} (input rows ${shard.firstRow}–${shard.firstRow + shard.rows - 1})`;
}

/** The key of a shard's predictions part, under the batch's own directory: `part-000002.parquet`. */
export function shardPartFile(index: number): string {
  return `part-${String(index).padStart(6, '0')}.parquet`;
}

/**
 * Scores one shard: its row ranges of the input files (exactly the versions the plan read), with the model version the
 * plan pinned, into one predictions part under the batch's directory. The part is not a batch until the gather records
 * it. A failure names the shard.
 */
export async function scoreShard(ctx: StepContext<'batchScore'>): Promise<StepOutcome> {
  const shard = ctx.invocation.shard;
  if (!shard) throw new SluiceError('SCORE_SHARD_INPUT', `step "${ctx.step.name}": a shard invocation carries no "shard"`);
  try {
    return await score(ctx, shard);
  } catch (error) {
    const message = `${shardName(shard)}: ${error instanceof Error ? error.message : String(error)}`;
    if (isSluiceError(error))
      throw new SluiceError(error.code, message, { details: error.details, retryable: error.retryable, cause: error });
    throw new SluiceError('SCORE_SHARD_FAILED', message, { cause: error });
  }
}

async function score(ctx: StepContext<'batchScore'>, shard: ScoreShardItem): Promise<StepOutcome> {
  const { step } = ctx;
  const { model, version, uri } = await loadScoringModel(ctx, shard.model);
  const db = await ctx.duckdb();
  // Each range's row groups only: the file's footer and the groups' bytes by ranged reads of exactly the version the
  // plan read (a file rewritten since fails the shard, STORE_OBJECT_CHANGED), made into a Parquet file of those rows.
  // A file whose chunks are not laid out group after group is read whole and its rows picked by number.
  const reads: Array<{ file: string; rows?: { from: number; to: number } }> = [];
  for (const [i, r] of shard.ranges.entries()) {
    const scratch = (name: string) => ctx.scratch(`input-${i}-${name}`);
    try {
      reads.push({ file: await readRowRange(ctx.store, r, r.size, r, scratch) });
    } catch (error) {
      if (!isSluiceError(error) || error.code !== 'PARQUET_UNSPLITTABLE') throw error;
      reads.push({ file: (await ctx.store.read(r, scratch('whole.parquet'))).path, rows: { from: r.from, to: r.to } });
    }
  }
  const files = reads.map((r) => r.file);
  // One read over the files, in order, keeps the input's row order.
  const where = reads
    .map((r) =>
      r.rows
        ? `(__sluice_file = ${literal(r.file)} AND file_row_number >= ${r.rows.from} AND file_row_number < ${r.rows.to})`
        : `__sluice_file = ${literal(r.file)}`,
    )
    .join(' OR ');
  await db.run(
    `CREATE VIEW features AS SELECT * EXCLUDE (__sluice_file, file_row_number) FROM read_parquet([${files.map(literal).join(', ')}],
       hive_partitioning = false, filename = '__sluice_file', file_row_number = true) WHERE ${where}`,
  );
  const [{ n }] = (await db.all(`SELECT count(*) AS n FROM features`)) as [{ n: number }];
  const rows = Number(n);
  if (rows !== shard.rows) {
    throw new SluiceError('SCORE_SHARD_ROWS', `read ${rows} rows where the plan counted ${shard.rows}; the input changed after planning`);
  }
  const file = ctx.scratch('part.parquet');
  const scorer = await attachScorer(db, model, rows, `${uri}@${version}`);
  try {
    await db.run(
      `COPY (${predictionSql(model, 'features', step.entityKey, step.threshold, version)}) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    scorer?.close();
  }
  const output = ctx.dataset(step.output);
  const uploaded = await ctx.store.upload(output.bucket, batchKey(output, ctx.batchId, shardPartFile(shard.index)), file);
  ctx.lineage.input(step.input, { rowCount: rows, fileCount: new Set(shard.ranges.map((r) => `${r.bucket}/${r.key}`)).size });
  // A part is not published: the predictions are the gather's output, once every shard has written its part.
  ctx.lineage.dropOutput(step.output);
  return {
    rowsIn: rows,
    rowsOut: rows,
    modelVersion: version,
    outputs: [writtenObject(step.output, uploaded, rows)],
  };
}
