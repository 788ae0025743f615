import { SluiceError } from '../../lib/errors.ts';
import { batchKey, batchPartition, resolveInputObjects } from '../../lib/runtime/batch.ts';
import { ident, literal, parquetFields, type DuckDb } from '../../lib/runtime/duckdb.ts';
import type { StepContext, StepOutcome } from '../../lib/runtime/run-step.ts';
import type { Assertion, ColumnMetrics } from '../../lib/runtime/step-lineage.ts';
import type { DataTestRule } from '../../lib/spec/rules.ts';
import type { WrittenObject } from '../../lib/spec/step-invocation.ts';
import { ASSERTION_CLASS, describeOutcome, ruleName, ruleSql } from './rule-sql.ts';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;
/** Failing rows kept per rule in the quarantine sample. */
const SAMPLE_ROWS = 1000;

/**
 * Data tests with write–audit–publish: every rule and every column metric in one DuckDB scan of the staged
 * batch; a batch that passes its error rules is published, one that fails is quarantined with a report.
 */
export async function dataTests(ctx: StepContext<'dataTests'>): Promise<StepOutcome> {
  const { step, batchId } = ctx;
  const staged = ctx.dataset(step.dataset);
  const rules: DataTestRule[] = staged.tests ?? [];
  const objects = await resolveInputObjects(ctx.invocation, step.dataset, ctx.store);
  if (objects.length === 0) {
    throw new SluiceError('DATA_TESTS_NO_INPUT', `step "${step.name}": no objects to test under s3://${staged.bucket}/${staged.prefix}/`);
  }
  const files = await ctx.download(objects, 'batch');
  const db = await ctx.duckdb();
  await db.run(`CREATE VIEW batch AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}])`);
  const fields = await db.all(`SELECT column_name, column_type FROM (DESCRIBE batch)`);

  const compiled = rules.map(ruleSql);
  const select = ['count(*) AS "rows"'];
  compiled.forEach((sql, i) => {
    for (const [name, expr] of Object.entries(sql.aggregates)) select.push(`${expr} AS ${ident(`r${i}_${name}`)}`);
  });
  fields.forEach((f, i) => {
    const c = ident(String(f.column_name));
    select.push(`count(${c}) AS m${i}_count`, `count(DISTINCT ${c}) AS m${i}_distinct`);
    if (NUMERIC.test(String(f.column_type))) select.push(`min(${c})::DOUBLE AS m${i}_min`, `max(${c})::DOUBLE AS m${i}_max`, `sum(${c})::DOUBLE AS m${i}_sum`);
  });
  const [row = {}] = await db.all(`SELECT ${select.join(',\n  ')} FROM batch`);
  const rows = Number(row.rows);

  const assertions: Assertion[] = rules.map((rule, i) => {
    const values = Object.fromEntries(Object.keys(compiled[i]?.aggregates ?? {}).map((k) => [k, row[`r${i}_${k}`]]));
    const columns = rule.rule === 'unique' ? rule.columns.join(',') : rule.rule === 'rowCount' ? undefined : rule.column;
    return {
      assertion: ASSERTION_CLASS[rule.rule],
      name: ruleName(rule),
      success: Number(values.failed ?? 0) === 0,
      severity: rule.severity,
      ...(columns ? { column: columns } : {}),
      ...describeOutcome(rule, values, rows),
    };
  });
  const columnMetrics: Record<string, ColumnMetrics> = {};
  fields.forEach((f, i) => {
    const count = Number(row[`m${i}_count`]);
    columnMetrics[String(f.column_name)] = {
      count,
      nullCount: rows - count,
      distinctCount: Number(row[`m${i}_distinct`]),
      ...numeric('min', row[`m${i}_min`]),
      ...numeric('max', row[`m${i}_max`]),
      ...numeric('sum', row[`m${i}_sum`]),
    };
  });
  const bytes = objects.reduce((n, o) => n + o.size, 0);
  ctx.lineage.input(step.dataset, {
    version: objects.length === 1 ? objects[0]?.etag : undefined,
    rowCount: rows,
    bytes,
    fileCount: objects.length,
    partition: batchPartition(batchId),
    assertions,
    metrics: { rowCount: rows, columnMetrics },
  });

  const failed = assertions.filter((a) => !a.success && a.severity === 'error');
  const tests = { passed: assertions.filter((a) => a.success).length, failed: failed.length, warned: assertions.filter((a) => !a.success && a.severity === 'warn').length };
  const target = failed.length > 0 ? step.quarantineTo : step.publishTo;
  const targetDataset = ctx.dataset(target);
  const outputs: WrittenObject[] = [];
  for (const [i, o] of objects.entries()) {
    const copied = await ctx.store.copy(o, { bucket: targetDataset.bucket, key: batchKey(targetDataset, batchId, objects.length === 1 ? 'data.parquet' : `data-${i}.parquet`) });
    outputs.push({ dataset: target, bucket: copied.bucket, key: copied.key, rows: objects.length === 1 ? rows : 0, bytes: copied.size, etag: copied.etag });
  }
  ctx.lineage.dropOutput(failed.length > 0 ? step.publishTo : step.quarantineTo);
  ctx.lineage.output(target, {
    version: outputs.length === 1 ? outputs[0]?.etag : undefined,
    fields: await parquetFields(db, files[0] as string),
    rowCount: rows,
    bytes,
    fileCount: outputs.length,
    partition: batchPartition(batchId),
  });
  if (failed.length === 0) return { rowsIn: rows, rowsOut: rows, outputs, tests };

  const where = `s3://${targetDataset.bucket}/${targetDataset.prefix}/batch=${batchId}/`;
  const failedCounts = rules.map((_, i) => Number(row[`r${i}_failed`] ?? 0));
  const sampled = await writeFailingRows(ctx, db, rules, assertions, failedCounts);
  await ctx.store.putText(
    targetDataset.bucket,
    batchKey(targetDataset, batchId, 'report.json'),
    `${JSON.stringify({ step: step.name, dataset: step.dataset, batchId, rows, assertions, failingRows: sampled }, null, 2)}\n`,
  );
  throw new SluiceError(
    'DATA_TESTS_FAILED',
    `${failed.length} of ${assertions.length} data tests failed on ${step.dataset} (batch ${batchId}); the batch is quarantined at ${where}`,
    { details: failed.map((a) => `${a.name}: expected ${a.expected}, got ${a.actual}`) },
  );
}

/** Writes the rows that broke each failed rule (a bounded sample, with the count) next to the quarantined batch. */
async function writeFailingRows(
  ctx: StepContext<'dataTests'>,
  db: DuckDb,
  rules: DataTestRule[],
  assertions: Assertion[],
  failedCounts: number[],
): Promise<Record<string, { count: number; sampled: number }>> {
  const parts: string[] = [];
  const counts: Record<string, { count: number; sampled: number }> = {};
  rules.forEach((rule, i) => {
    const failing = ruleSql(rule).failingRows;
    if (assertions[i]?.success || !failing) return;
    const name = ruleName(rule);
    parts.push(`(SELECT ${literal(name)} AS failed_rule, ${i} AS __rule_index, * FROM batch ${failing.where ? `WHERE ${failing.where}` : ''}
      ${failing.qualify ? `QUALIFY ${failing.qualify}` : ''} LIMIT ${SAMPLE_ROWS})`);
  });
  if (parts.length === 0) return counts;
  const file = ctx.scratch('failing-rows.parquet');
  await db.run(`CREATE TABLE failing AS ${parts.join(' UNION ALL BY NAME ')}`);
  await db.run(`COPY (SELECT * EXCLUDE (__rule_index) FROM failing) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
  for (const r of await db.all(`SELECT __rule_index AS i, count(*) AS n FROM failing GROUP BY ALL ORDER BY i`)) {
    const i = Number(r.i);
    const key = counts[ruleName(rules[i]!)] ? `${ruleName(rules[i]!)} #${i + 1}` : ruleName(rules[i]!);
    counts[key] = { count: failedCounts[i] ?? 0, sampled: Number(r.n) };
  }
  const target = ctx.dataset(ctx.step.quarantineTo);
  await ctx.store.upload(target.bucket, batchKey(target, ctx.batchId, 'failing-rows.parquet'), file);
  return counts;
}

function numeric(key: 'min' | 'max' | 'sum', value: unknown): Partial<ColumnMetrics> {
  return typeof value === 'number' && Number.isFinite(value) ? { [key]: value } : {};
}
