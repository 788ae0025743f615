import { literal, parquetFields } from '../../runtime/duckdb.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import { recordHistory } from './drift.ts';
import { concludeAudit, failingRowsQuery, planAudit, referenceViews, singleScanSelect, stagedBatch, uploadFailingRows } from './audit.ts';
import { mergeTestParts } from './merge-parts.ts';
import { testPart } from './test-part.ts';

/**
 * Data tests with write–audit–publish: every rule and every column metric in one DuckDB scan of the staged
 * batch (a referenced dataset adds its own scan); a batch that passes its error rules is published and its
 * statistics recorded for drift rules; one that fails is quarantined with a report and a failing-rows sample.
 * Above the step's `parts` threshold the state machine runs the same audit as parts and a merge (test-part.ts,
 * merge-parts.ts), which the payload's `testPart` selects.
 */
export async function dataTests(ctx: StepContext<'dataTests'>): Promise<StepOutcome> {
  const mode = ctx.invocation.testPart;
  if (mode?.mode === 'part') return testPart(ctx, mode);
  if (mode?.mode === 'merge') return mergeTestParts(ctx);
  const { batchId } = ctx;
  const objects = stagedBatch(ctx);
  const db = await ctx.duckdb();
  const files = await ctx.download(
    objects.map((o) => ({ bucket: o.bucket, key: o.key, etag: o.etag ?? '', size: o.bytes })),
    'batch',
  );
  // Batches lie under batch=<id>/ folders (and prefixes may hold key=value names too); those are not columns.
  await db.run(`CREATE VIEW batch AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}], hive_partitioning = false)`);
  const plan = await planAudit(ctx, await parquetFields(db, files[0]!));
  await referenceViews(ctx, db, plan.rules);
  const [row = {}] = await db.all(`SELECT ${singleScanSelect(plan).join(',\n  ')} FROM batch`);
  return concludeAudit(ctx, plan, objects, row, {
    history: (metrics, rows) => recordHistory(db, plan.fields, plan.rules, { batchId, rowCount: rows, metrics }),
    async failingRows(outcomes) {
      const parts = outcomes.flatMap((o, i) => (o.success ? [] : [failingRowsQuery(plan, i)].filter((q) => q !== undefined)));
      if (parts.length === 0) return {};
      await db.run(`CREATE TABLE failing AS ${parts.join(' UNION ALL BY NAME ')}`);
      return uploadFailingRows(ctx, db, plan, outcomes);
    },
  });
}
