import { SluiceError } from '../../../core/errors.ts';
import { batchKey, batchPartition } from '../../runtime/batch.ts';
import { DUCKDB_NUMERIC_TYPE, ident, literal, parquetFields, type DuckDb } from '../../runtime/duckdb.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { passThroughLineage } from '../../runtime/lineage/pass-through-lineage.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import type { Assertion } from '../../runtime/lineage/step-lineage.ts';
import { FAILING_ROWS_FILE } from '../../definition/storage-layout.ts';
import type { DataTestRule } from '../../definition/rules.ts';
import type { RuleResult, WrittenObject } from '../../asl/step-invocation.ts';
import { columnMetrics, metricAggregates } from './column-metrics.ts';
import { compileDriftRule, historyPrefix, readHistory, recordHistory } from './drift.ts';
import { ASSERTION_CLASS, compileRule, ruleName, type CompiledRule, type RuleOutcome } from './rule-sql.ts';

/** Failing rows kept per rule in the quarantine sample. */
const SAMPLE_ROWS = 1000;

/**
 * Data tests with write–audit–publish: every rule and every column metric in one DuckDB scan of the staged
 * batch (a referenced dataset adds its own scan); a batch that passes its error rules is published and its
 * statistics recorded for drift rules; one that fails is quarantined with a report and a failing-rows sample.
 */
export async function dataTests(ctx: StepContext<'dataTests'>): Promise<StepOutcome> {
  const { step, batchId, invocation } = ctx;
  const staged = ctx.dataset(step.dataset);
  const published = ctx.dataset(step.publishTo);
  const rules: DataTestRule[] = staged.tests ?? [];
  const objects = ctx.written(step.dataset);
  if (objects.length === 0) {
    throw new SluiceError(
      'DATA_TESTS_NO_INPUT',
      `step "${step.name}": no batch of ${step.dataset} was written earlier in this run; data tests audit the batch an ingest step of the same run staged`,
    );
  }
  const db = await ctx.duckdb();
  const files = await ctx.download(
    objects.map((o) => ({ bucket: o.bucket, key: o.key, etag: o.etag ?? '', size: o.bytes })),
    'batch',
  );
  // Batches lie under batch=<id>/ folders (and prefixes may hold key=value names too); those are not columns.
  await db.run(`CREATE VIEW batch AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}], hive_partitioning = false)`);
  for (const ref of new Set(rules.flatMap((r) => (r.rule === 'referential' ? [r.dataset] : [])))) {
    const read = await ctx.readTable(ref, `ref_${ref}`);
    // A reference table with no batches and no declared columns still needs its column, so every value counts as missing.
    if (!read.created) await db.run(`CREATE VIEW ${ident(`ref_${ref}`)} AS SELECT NULL AS ${referencedColumns(rules, ref)} WHERE false`);
  }
  const fields = await parquetFields(db, files[0]!);
  const historyDepth = Math.max(
    0,
    ...rules.map((r) => (r.rule === 'rowCountChange' || r.rule === 'meanShift' ? r.history : r.rule === 'psi' ? 1 : 0)),
  );
  const history = historyDepth > 0 ? await readHistory(ctx.store, published, batchId, historyDepth, ctx.scratch) : [];
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const referenceTime = new Date(invocation.trigger.kind === 'schedule' ? invocation.trigger.nominalTime : invocation.execution.startTime);
  const compiled: CompiledRule[] = rules.map(
    (rule) =>
      compileRule(rule, { referenceTime, referenceView: (ref) => ident(`ref_${ref}`) }) ??
      compileDriftRule(
        rule as Parameters<typeof compileDriftRule>[0],
        history,
        DUCKDB_NUMERIC_TYPE.test(types.get('column' in rule ? rule.column : '') ?? ''),
      ),
  );

  // A one-column unique rule counts that column's distinct values exactly: its metric reuses the count.
  const uniqueRules = new Map<string, number>();
  rules.forEach((r, i) => {
    if ((r.rule === 'unique' || r.rule === 'duplicateFraction') && r.columns.length === 1 && !uniqueRules.has(r.columns[0]!)) {
      uniqueRules.set(r.columns[0]!, i);
    }
  });
  const select = ['count(*) AS "rows"', ...metricAggregates(fields, new Set(uniqueRules.keys()))];
  compiled.forEach((c, i) => {
    for (const [name, expr] of Object.entries(c.aggregates)) select.push(`${expr} AS ${ident(`r${i}_${name}`)}`);
  });
  const [row = {}] = await db.all(`SELECT ${select.join(',\n  ')} FROM batch`);
  const rows = Number(row.rows);
  const outcomes: RuleOutcome[] = compiled.map((c, i) =>
    c.judge(Object.fromEntries(Object.keys(c.aggregates).map((k) => [k, row[`r${i}_${k}`]])), rows),
  );
  const assertions: Assertion[] = rules.map((rule, i) => {
    const columns = 'columns' in rule ? rule.columns.join(',') : 'column' in rule ? rule.column : undefined;
    const { success, expected, actual } = outcomes[i]!;
    return {
      assertion: ASSERTION_CLASS[rule.rule],
      name: ruleName(rule),
      success,
      severity: rule.severity,
      ...(columns ? { column: columns } : {}),
      expected,
      actual,
    };
  });
  const bytes = objects.reduce((n, o) => n + o.bytes, 0);
  ctx.lineage.input(step.dataset, {
    version: objects.length === 1 ? (objects[0]?.versionId ?? objects[0]?.etag) : undefined,
    rowCount: rows,
    bytes,
    fileCount: objects.length,
    partition: batchPartition(batchId),
    assertions,
    metrics: {
      rowCount: rows,
      columnMetrics: columnMetrics(
        fields,
        row,
        rows,
        new Map([...uniqueRules].map(([column, i]) => [column, Number(row[`r${i}_failed`])])),
      ),
    },
  });

  const failed = assertions.filter((a) => !a.success && a.severity === 'error');
  const tests = {
    passed: assertions.filter((a) => a.success).length,
    failed: failed.length,
    warned: assertions.filter((a) => !a.success && a.severity === 'warn').length,
  };
  // Failed and warned rules with what they measured, kept for the report and alerts whether the batch passes or not.
  const flagged: RuleResult[] = assertions.flatMap((a, i) =>
    a.success
      ? []
      : [
          {
            name: a.name,
            assertion: a.assertion,
            severity: a.severity,
            ...(a.column ? { column: a.column } : {}),
            expected: a.expected,
            actual: a.actual,
            ...(outcomes[i]?.failedRows !== undefined ? { failedRows: outcomes[i]!.failedRows! } : {}),
          },
        ],
  );
  ctx.record({ rowsIn: rows, tests, rules: flagged });
  const target = failed.length > 0 ? step.quarantineTo : step.publishTo;
  const targetDataset = ctx.dataset(target);
  const outputs: WrittenObject[] = [];
  for (const [i, o] of objects.entries()) {
    const to = {
      bucket: targetDataset.bucket,
      key: batchKey(targetDataset, batchId, objects.length === 1 ? 'data.parquet' : `data-${i}.parquet`),
    };
    const copied = await ctx.store.copy(o, to);
    outputs.push({
      dataset: target,
      bucket: copied.bucket,
      key: copied.key,
      rows: o.rows,
      bytes: copied.size,
      etag: copied.etag,
      ...(copied.versionId ? { versionId: copied.versionId } : {}),
    });
  }
  // The record comes last: until it exists, readers do not see the batch.
  await ctx.recordBatch(target, outputs, fields);
  ctx.lineage.dropOutput(failed.length > 0 ? step.publishTo : step.quarantineTo);
  ctx.lineage.output(target, {
    version: outputs.length === 1 ? (outputs[0]?.versionId ?? outputs[0]?.etag) : undefined,
    fields,
    rowCount: rows,
    bytes,
    fileCount: outputs.length,
    partition: batchPartition(batchId),
    facets: {
      columnLineage: passThroughLineage(
        datasetIdentity(staged),
        fields.map((f) => f.name),
        'IDENTITY',
      ),
    },
  });
  if (failed.length === 0) {
    const record = await recordHistory(db, fields, rules, { batchId, rowCount: rows, metrics: row });
    await ctx.store.putText(published.bucket, `${historyPrefix(published)}/${batchId}.json`, `${JSON.stringify(record)}\n`);
    return { rowsIn: rows, rowsOut: rows, outputs, tests, rules: flagged };
  }

  const where = `s3://${targetDataset.bucket}/${targetDataset.prefix}/batch=${batchId}/`;
  const sampled = await writeFailingRows(ctx, db, rules, compiled, outcomes);
  const reportKey = batchKey(targetDataset, batchId, 'report.json');
  await ctx.store.putText(
    targetDataset.bucket,
    reportKey,
    `${JSON.stringify({ step: step.name, dataset: step.dataset, batchId, rows, assertions, failingRows: sampled }, null, 2)}\n`,
  );
  const sampledRows = Object.values(sampled).reduce((n, s) => n + s.sampled, 0);
  ctx.record({
    attachments: [
      { bucket: targetDataset.bucket, key: reportKey, what: 'quarantine report: every assertion with its values' },
      ...(sampledRows > 0
        ? [
            {
              bucket: targetDataset.bucket,
              key: batchKey(targetDataset, batchId, FAILING_ROWS_FILE),
              what: `rows that broke each failed rule (${sampledRows} sampled, at most ${SAMPLE_ROWS} per rule)`,
            },
          ]
        : []),
    ],
  });
  throw new SluiceError(
    'DATA_TESTS_FAILED',
    `${failed.length} of ${assertions.length} data tests failed on ${step.dataset} (batch ${batchId}); the batch is quarantined at ${where}`,
    { details: failed.map((a) => `${a.name}: expected ${a.expected}, got ${a.actual}`) },
  );
}

function referencedColumns(rules: DataTestRule[], ref: string): string {
  const rule = rules.find((r) => r.rule === 'referential' && r.dataset === ref);
  return ident(rule && rule.rule === 'referential' ? (rule.referencedColumn ?? rule.column) : 'value');
}

/** Writes the rows that broke each failed rule (a bounded sample, with the count) next to the quarantined batch. */
async function writeFailingRows(
  ctx: StepContext<'dataTests'>,
  db: DuckDb,
  rules: DataTestRule[],
  compiled: CompiledRule[],
  outcomes: RuleOutcome[],
): Promise<Record<string, { count: number; sampled: number }>> {
  const parts: string[] = [];
  compiled.forEach((c, i) => {
    if (outcomes[i]?.success || !c.failing) return;
    parts.push(`(SELECT ${literal(ruleName(rules[i]!))} AS failed_rule, ${i} AS __rule_index, * FROM batch WHERE ${c.failing.where}
      ${c.failing.qualify ? `QUALIFY ${c.failing.qualify}` : ''} LIMIT ${SAMPLE_ROWS})`);
  });
  const counts: Record<string, { count: number; sampled: number }> = {};
  if (parts.length === 0) return counts;
  const file = ctx.scratch(FAILING_ROWS_FILE);
  await db.run(`CREATE TABLE failing AS ${parts.join(' UNION ALL BY NAME ')}`);
  await db.run(`COPY (SELECT * EXCLUDE (__rule_index) FROM failing) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
  for (const r of await db.all(`SELECT __rule_index AS i, count(*) AS n FROM failing GROUP BY ALL ORDER BY i`)) {
    const i = Number(r.i);
    const name = ruleName(rules[i]!);
    counts[counts[name] ? `${name} #${i + 1}` : name] = { count: outcomes[i]?.failedRows ?? 0, sampled: Number(r.n) };
  }
  const target = ctx.dataset(ctx.step.quarantineTo);
  await ctx.store.upload(target.bucket, batchKey(target, ctx.batchId, FAILING_ROWS_FILE), file);
  return counts;
}
