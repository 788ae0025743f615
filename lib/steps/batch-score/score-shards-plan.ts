import { stat } from 'node:fs/promises';
import { SluiceError } from '../../../core/errors.ts';
import type { ModelPin, ScoreShardItem } from '../../asl/score-shard-item.ts';
import { scoreShardSettings } from '../../definition/step-kinds/batch-score.ts';
import { executionName, scoreShardsPrefix } from '../../definition/storage-layout.ts';
import { literal, parquetFields, type DuckDb } from '../../runtime/duckdb.ts';
import type { DatasetObservation } from '../../runtime/lineage/step-lineage.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import type { ScoringModel } from './model-source.ts';

/** Rows per row group of a materialised input, at most (DuckDB's default): the smallest unit a shard takes. */
const MATERIALISED_ROW_GROUP = 122_880;
/** Rows per row group of a materialised input, at least (DuckDB writes rows in vectors of 2,048). */
const MIN_ROW_GROUP = 2_048;

/** An input file the planner can split by row groups: where it is here, and the version the shards must read. */
export interface ShardSource {
  readonly local: string;
  readonly object: { readonly bucket: string; readonly key: string; readonly etag: string; readonly versionId?: string };
}

/** A source with the size of its file, which a shard needs to find the file's footer with a ranged read. */
type SizedSource = ShardSource & { readonly size: number };

/** What the gather needs besides the shards' parts, written by the planner next to the items. */
export interface ScoreShardsPlan {
  readonly rowsIn: number;
  readonly shards: number;
  readonly model: ModelPin;
  /** The input as the single path records it in lineage. */
  readonly input: DatasetObservation;
  /** Columns and types of the predictions, as the shards write them. */
  readonly fields: ReadonlyArray<{ name: string; type: string }>;
}

/**
 * Plans a sharded scoring run instead of scoring: splits the input (its files, or the `features` view materialised
 * into one file when it is a feature table or an upsert table) into shards of whole row groups, in input order, writes
 * the shards (the Distributed Map's items) and the plan (for the gather) under the step's work prefix, and returns
 * where they are. The model version is pinned here, so every shard scores with the same one.
 */
export async function planShards(
  ctx: StepContext<'batchScore'>,
  db: DuckDb,
  plan: {
    readonly model: ScoringModel;
    readonly rowsIn: number;
    readonly input: DatasetObservation;
    readonly predictionSql: string;
    readonly sources?: readonly ShardSource[];
  },
): Promise<StepOutcome> {
  const { step, invocation } = ctx;
  const settings = scoreShardSettings(step);
  const output = ctx.dataset(step.output);
  const work = `${scoreShardsPrefix(step.name)}/${invocation.pipeline.name}/${ctx.batchId}/${executionName(invocation.execution.id)}-${invocation.attempt}`;
  const rowGroup = Math.min(MATERIALISED_ROW_GROUP, Math.max(MIN_ROW_GROUP, settings.rowsPerShard));
  const sources = plan.sources ?? [await materialise(ctx, db, output.bucket, `${work}/input.parquet`, rowGroup)];
  const list = `[${sources.map((s) => literal(s.local)).join(', ')}]`;
  const groups = (await db.all(
    `SELECT file_name, row_group_id, any_value(row_group_num_rows) AS rows FROM parquet_metadata(${list})
     GROUP BY file_name, row_group_id ORDER BY list_position(${list}, file_name), row_group_id`,
  )) as Array<{ file_name: string; row_group_id: number; rows: number }>;
  const sized = await Promise.all(sources.map(async (s) => ({ ...s, size: (await stat(s.local)).size })));
  const items = shardItems(sized, groups, settings.rowsPerShard, plan.model.pin);
  const planned = items.reduce((n, s) => n + s.rows, 0);
  const fileRows = groups.reduce((n, g) => n + Number(g.rows), 0);
  if (planned !== fileRows || (plan.sources && planned !== plan.rowsIn)) {
    throw new SluiceError(
      'SCORE_SHARD_PLAN',
      `step "${step.name}": the input's row groups hold ${fileRows} rows, but ${plan.rowsIn} rows were read; nothing was scored`,
    );
  }
  // The predictions' columns as the shards will write them: the same query over no rows.
  const empty = ctx.scratch('predictions-schema.parquet');
  await db.run(`COPY (${plan.predictionSql} LIMIT 0) TO ${literal(empty)} (FORMAT parquet)`);
  const body: ScoreShardsPlan = {
    rowsIn: plan.rowsIn,
    shards: items.length,
    model: plan.model.pin,
    input: plan.input,
    fields: await parquetFields(db, empty),
  };
  await ctx.store.putText(output.bucket, `${work}/items.json`, JSON.stringify(items));
  await ctx.store.putText(output.bucket, `${work}/plan.json`, JSON.stringify(body));
  // This run plans; the gather's run writes the predictions.
  ctx.lineage.dropOutput(step.output);
  ctx.log.info('scoring in shards', { rows: plan.rowsIn, shards: items.length, rowsPerShard: settings.rowsPerShard });
  return {
    rowsIn: plan.rowsIn,
    rowsOut: 0,
    modelVersion: plan.model.version,
    outputs: [],
    shards: {
      bucket: output.bucket,
      items: `${work}/items.json`,
      plan: `${work}/plan.json`,
      results: `${work}/results`,
      count: items.length,
      concurrency: Math.min(settings.concurrency, items.length),
    },
  };
}

/** The `features` view as one Parquet file in the work prefix, for inputs whose rows are not a plain set of files. */
async function materialise(
  ctx: StepContext<'batchScore'>,
  db: DuckDb,
  bucket: string,
  key: string,
  rowGroup: number,
): Promise<ShardSource> {
  const local = ctx.scratch('input.parquet');
  await db.run(`COPY (SELECT * FROM features) TO ${literal(local)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroup})`);
  const uploaded = await ctx.store.upload(bucket, key, local);
  return { local, object: { bucket, key, etag: uploaded.etag, ...(uploaded.versionId ? { versionId: uploaded.versionId } : {}) } };
}

/**
 * Groups row groups, in input order, into shards of at least `rowsPerShard` rows (the last may be smaller); a shard's
 * row groups of one file make one range of the file's row numbers.
 */
export function shardItems(
  sources: readonly SizedSource[],
  groups: ReadonlyArray<{ file_name: string; row_group_id: number; rows: number }>,
  rowsPerShard: number,
  model: ModelPin,
): ScoreShardItem[] {
  const shards: Array<Omit<ScoreShardItem, 'count'>> = [];
  const offsets = new Map<string, number>();
  let current: Omit<ScoreShardItem, 'count'> | undefined;
  let firstRow = 0;
  for (const group of groups) {
    const source = sources.find((s) => s.local === group.file_name);
    if (!source) throw new SluiceError('SCORE_SHARD_PLAN', `parquet_metadata named ${group.file_name}, which is not an input file`);
    const rows = Number(group.rows);
    const from = offsets.get(source.local) ?? 0;
    offsets.set(source.local, from + rows);
    if (rows === 0) continue;
    current ??= { index: shards.length, firstRow, rows: 0, model, ranges: [] };
    const last = current.ranges.at(-1);
    if (last && last.key === source.object.key && last.bucket === source.object.bucket && last.to === from) last.to = from + rows;
    else current.ranges.push({ ...source.object, size: source.size, from, to: from + rows });
    current.rows += rows;
    firstRow += rows;
    if (current.rows >= rowsPerShard) {
      shards.push(current);
      current = undefined;
    }
  }
  if (current) shards.push(current);
  return shards.map((s) => ({ ...s, count: shards.length }));
}
