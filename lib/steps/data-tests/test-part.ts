import { mkdir } from 'node:fs/promises';
import { z } from 'zod';
import { batchPartition } from '../../runtime/batch.ts';
import { literal, parquetFields } from '../../runtime/duckdb.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import { executionName, testPartsPrefix } from '../../definition/storage-layout.ts';
import type { TestPart } from '../../asl/step-invocation.ts';
import { failingRowsQuery, planAudit, referenceViews } from './audit.ts';
import { partialSql } from './partial-sql.ts';
import { computePartial } from './partials.ts';

/** What a part leaves for the merge, written last: the files it audited and where its results are. */
export const PartManifestSchema = z.object({
  part: z.int().nonnegative(),
  files: z.array(z.object({ bucket: z.string(), key: z.string(), etag: z.string() })),
  rows: z.int().nonnegative(),
  fields: z.array(z.object({ name: z.string(), type: z.string() })),
  partial: z.string().optional(),
  keys: z.array(z.object({ rule: z.int(), bucket: z.int(), key: z.string() })),
  failingRows: z.string().optional(),
});
/** What a part leaves for the merge. */
export type PartManifest = z.infer<typeof PartManifestSchema>;

/** Where the parts of this data-test step keep their results: under the pipeline execution's name (a child's parent's). */
export function partsPrefix(ctx: StepContext<'dataTests'>): { bucket: string; prefix: string } {
  const { invocation, step } = ctx;
  const execution = invocation.parent?.executionId ?? invocation.execution.id;
  return {
    bucket: ctx.dataset(step.dataset).bucket,
    prefix: testPartsPrefix(invocation.pipeline.name, executionName(execution), step.name),
  };
}

/**
 * One part of a data-test step audited in parts: computes the partial results of its files of the staged batch (one
 * scan), their key sets for unique rules, and the rows of theirs that broke row-level rules (a bounded sample), then
 * writes its manifest. It neither publishes nor quarantines; the merge does, once every part is done.
 */
export async function testPart(ctx: StepContext<'dataTests'>, mode: Extract<TestPart, { mode: 'part' }>): Promise<StepOutcome> {
  const { step, batchId } = ctx;
  const where = partsPrefix(ctx);
  const part = Math.min(...mode.items.map((i) => i.index));
  // A writing step's outputs may include other datasets (its rejects); those items are not this audit's.
  const objects = mode.items.filter((i) => i.object.dataset === step.dataset).map((i) => i.object);
  ctx.lineage.dropOutput(step.publishTo);
  ctx.lineage.dropOutput(step.quarantineTo);
  const manifest: PartManifest = {
    part,
    files: objects.map((o) => ({ bucket: o.bucket, key: o.key, etag: o.etag ?? '' })),
    rows: 0,
    fields: [],
    keys: [],
  };
  if (objects.length > 0) {
    const db = await ctx.duckdb();
    const files = await ctx.download(
      objects.map((o) => ({ bucket: o.bucket, key: o.key, etag: o.etag ?? '', size: o.bytes })),
      'part',
    );
    await db.run(`CREATE VIEW batch AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}], hive_partitioning = false)`);
    const fields = await parquetFields(db, files[0]!);
    const plan = await planAudit(ctx, fields);
    await referenceViews(ctx, db, plan.rules);
    const dir = ctx.scratch('partial');
    await mkdir(dir, { recursive: true });
    const out = await computePartial(db, partialSql(plan.rules, plan.compiled, fields, new Set(plan.uniqueRules.keys())), fields, dir);
    const key = (name: string) => `${where.prefix}/part-${part}/${name}`;
    await ctx.store.upload(where.bucket, key('partial.parquet'), out.partial);
    for (const k of out.keys) await ctx.store.upload(where.bucket, key(`keys/r${k.rule}/b${k.bucket}.parquet`), k.file);
    const failing = await failingSample(ctx, plan, out.partial, dir);
    if (failing) await ctx.store.upload(where.bucket, key('failing-rows.parquet'), failing);
    Object.assign(manifest, {
      rows: out.rows,
      fields,
      partial: key('partial.parquet'),
      keys: out.keys.map((k) => ({ rule: k.rule, bucket: k.bucket, key: key(`keys/r${k.rule}/b${k.bucket}.parquet`) })),
      ...(failing ? { failingRows: key('failing-rows.parquet') } : {}),
    });
    ctx.lineage.input(step.dataset, {
      rowCount: out.rows,
      bytes: objects.reduce((n, o) => n + o.bytes, 0),
      fileCount: objects.length,
      partition: batchPartition(batchId),
    });
  }
  // The manifest comes last: the merge counts a part as done only once it exists.
  await ctx.store.putText(where.bucket, `${where.prefix}/part-${part}.json`, `${JSON.stringify(manifest)}\n`);
  ctx.record({ rowsIn: manifest.rows });
  return { rowsIn: manifest.rows, rowsOut: 0, outputs: [] };
}

/**
 * The part's rows that broke each row-level rule (at most SAMPLE_ROWS per rule), for the quarantine's sample should the
 * rule fail over the whole batch. Unique rules sample the rows repeating a key within this part.
 */
async function failingSample(
  ctx: StepContext<'dataTests'>,
  plan: Awaited<ReturnType<typeof planAudit>>,
  partial: string,
  dir: string,
): Promise<string | undefined> {
  const db = await ctx.duckdb();
  const [row = {}] = await db.all(`SELECT * FROM read_parquet(${literal(partial)})`);
  const broken = (i: number): boolean => {
    const failed = row[`r${i}_failed__n`] ?? row[`r${i}_nulls__n`] ?? row[`r${i}_failed__present`];
    return Number(failed ?? 0) > 0;
  };
  const queries = plan.compiled.flatMap((_, i) => (broken(i) ? [failingRowsQuery(plan, i)].filter((q) => q !== undefined) : []));
  if (queries.length === 0) return undefined;
  const file = `${dir}/failing-rows.parquet`;
  await db.run(`COPY (${queries.join(' UNION ALL BY NAME ')}) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
  return file;
}
