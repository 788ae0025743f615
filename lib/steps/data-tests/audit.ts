import { SluiceError } from '../../../core/errors.ts';
import { batchKey, batchPartition, writtenObject } from '../../runtime/batch.ts';
import { DUCKDB_NUMERIC_TYPE, ident, literal, type DuckDb } from '../../runtime/duckdb.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { passThroughLineage } from '../../runtime/lineage/pass-through-lineage.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import type { Assertion } from '../../runtime/lineage/step-lineage.ts';
import { FAILING_ROWS_FILE } from '../../definition/storage-layout.ts';
import type { DataTestRule } from '../../definition/rules.ts';
import type { RuleResult, WrittenObject } from '../../asl/step-invocation.ts';
import { columnMetrics, metricAggregates } from './column-metrics.ts';
import { compileDriftRule, historyPrefix, readHistory, type BatchHistory } from './drift.ts';
import { ASSERTION_CLASS, compileRule, ruleName, type CompiledRule, type RuleOutcome } from './rule-sql.ts';

/** Failing rows kept per rule in the quarantine sample. */
export const SAMPLE_ROWS = 1000;

/** Failing rows written per failed rule: how many broke it and how many the sample holds. */
export type FailingRowCounts = Record<string, { count: number; sampled: number }>;

/** The rules of an audit compiled against the batch's columns and the published history. */
export interface AuditPlan {
  readonly rules: DataTestRule[];
  readonly fields: Array<{ name: string; type: string }>;
  readonly compiled: CompiledRule[];
  /** One-column unique rules by column: their exact distinct count is that column's metric. */
  readonly uniqueRules: ReadonlyMap<string, number>;
}

/** How the audit's conclusion reaches the batch's rows: the single scan's view, or the parts' results. */
export interface AuditSources {
  /** Writes the quarantine's failing-rows sample for the failed rules and returns its counts per rule. */
  failingRows(outcomes: RuleOutcome[]): Promise<FailingRowCounts>;
  /** The statistics of the batch that later drift rules compare with. */
  history(row: Record<string, unknown>, rows: number): Promise<BatchHistory>;
}

/** Compiles the audited dataset's rules against the batch's columns and its history of published batches. */
export async function planAudit(ctx: StepContext<'dataTests'>, fields: Array<{ name: string; type: string }>): Promise<AuditPlan> {
  const { invocation, batchId } = ctx;
  const rules: DataTestRule[] = ctx.dataset(ctx.step.dataset).tests ?? [];
  const published = ctx.dataset(ctx.step.publishTo);
  const historyDepth = Math.max(
    0,
    ...rules.map((r) => (r.rule === 'rowCountChange' || r.rule === 'meanShift' ? r.history : r.rule === 'psi' ? 1 : 0)),
  );
  const history = historyDepth > 0 ? await readHistory(ctx.store, published, batchId, historyDepth, ctx.scratch) : [];
  const referenceTime = new Date(invocation.trigger.kind === 'schedule' ? invocation.trigger.nominalTime : invocation.execution.startTime);
  return compileAudit(rules, fields, history, referenceTime);
}

/** Compiles rules against a batch's columns, the published history (newest first) and the run's reference time. */
export function compileAudit(
  rules: DataTestRule[],
  fields: Array<{ name: string; type: string }>,
  history: BatchHistory[],
  referenceTime: Date,
): AuditPlan {
  const types = new Map(fields.map((f) => [f.name, f.type]));
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
  return { rules, fields, compiled, uniqueRules };
}

/** The single scan's select list over `batch`: the row count, the column metrics and every rule's aggregates. */
export function singleScanSelect(plan: AuditPlan): string[] {
  const select = ['count(*) AS "rows"', ...metricAggregates(plan.fields, new Set(plan.uniqueRules.keys()))];
  plan.compiled.forEach((c, i) => {
    for (const [name, expr] of Object.entries(c.aggregates)) select.push(`${expr} AS ${ident(`r${i}_${name}`)}`);
  });
  return select;
}

/** Creates the views of the datasets referential rules read (`ref_<dataset>`). */
export async function referenceViews(ctx: StepContext<'dataTests'>, db: DuckDb, rules: DataTestRule[]): Promise<void> {
  for (const ref of new Set(rules.flatMap((r) => (r.rule === 'referential' ? [r.dataset] : [])))) {
    const read = await ctx.readTable(ref, `ref_${ref}`);
    // A reference table with no batches and no declared columns still needs its column, so every value counts as missing.
    if (!read.created) await db.run(`CREATE VIEW ${ident(`ref_${ref}`)} AS SELECT NULL AS ${referencedColumns(rules, ref)} WHERE false`);
  }
}

function referencedColumns(rules: DataTestRule[], ref: string): string {
  const rule = rules.find((r) => r.rule === 'referential' && r.dataset === ref);
  return ident(rule && rule.rule === 'referential' ? (rule.referencedColumn ?? rule.column) : 'value');
}

/** Judges every rule from the scan's row (the single scan's, or the parts' merged), as the assertions facet states them. */
export function judgeAudit(
  plan: AuditPlan,
  row: Record<string, unknown>,
): { rows: number; outcomes: RuleOutcome[]; assertions: Assertion[] } {
  const rows = Number(row.rows);
  const outcomes: RuleOutcome[] = plan.compiled.map((c, i) =>
    c.judge(Object.fromEntries(Object.keys(c.aggregates).map((k) => [k, row[`r${i}_${k}`]])), rows),
  );
  const assertions: Assertion[] = plan.rules.map((rule, i) => {
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
  return { rows, outcomes, assertions };
}

/**
 * Concludes an audit from the scan's row: records the assertions and metrics in lineage and the step record, then
 * publishes the batch (all its files, its record last) and its statistics, or quarantines it with a report and the
 * failing rows and throws DATA_TESTS_FAILED.
 */
export async function concludeAudit(
  ctx: StepContext<'dataTests'>,
  plan: AuditPlan,
  objects: WrittenObject[],
  row: Record<string, unknown>,
  sources: AuditSources,
): Promise<StepOutcome> {
  const { step, batchId } = ctx;
  const { fields, uniqueRules } = plan;
  const staged = ctx.dataset(step.dataset);
  const published = ctx.dataset(step.publishTo);
  const { rows, outcomes, assertions } = judgeAudit(plan, row);
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
    outputs.push(writtenObject(target, copied, o.rows));
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
    const record = await sources.history(row, rows);
    await ctx.store.putText(published.bucket, `${historyPrefix(published)}/${batchId}.json`, `${JSON.stringify(record)}\n`);
    return { rowsIn: rows, rowsOut: rows, outputs, tests, rules: flagged };
  }

  const where = `s3://${targetDataset.bucket}/${targetDataset.prefix}/batch=${batchId}/`;
  const sampled = await sources.failingRows(outcomes);
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

/** The failing-row sample of one failed rule: its rows from the `batch` view (at most {@link SAMPLE_ROWS}). */
export function failingRowsQuery(plan: AuditPlan, i: number): string | undefined {
  const c = plan.compiled[i]!;
  if (!c.failing) return undefined;
  return `(SELECT ${literal(ruleName(plan.rules[i]!))} AS failed_rule, ${i} AS __rule_index, * FROM batch WHERE ${c.failing.where}
      ${c.failing.qualify ? `QUALIFY ${c.failing.qualify}` : ''} LIMIT ${SAMPLE_ROWS})`;
}

/**
 * Writes the `failing` table (`failed_rule`, `__rule_index`, the batch's columns) as the quarantine's failing-rows file
 * and returns the count and sample size of each rule in it.
 */
export async function uploadFailingRows(
  ctx: StepContext<'dataTests'>,
  db: DuckDb,
  plan: AuditPlan,
  outcomes: RuleOutcome[],
): Promise<FailingRowCounts> {
  const counts: FailingRowCounts = {};
  const file = ctx.scratch(FAILING_ROWS_FILE);
  await db.run(`COPY (SELECT * EXCLUDE (__rule_index) FROM failing) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
  for (const r of await db.all(`SELECT __rule_index AS i, count(*) AS n FROM failing GROUP BY ALL ORDER BY i`)) {
    const i = Number(r.i);
    const name = ruleName(plan.rules[i]!);
    counts[counts[name] ? `${name} #${i + 1}` : name] = { count: outcomes[i]?.failedRows ?? 0, sampled: Number(r.n) };
  }
  const target = ctx.dataset(ctx.step.quarantineTo);
  await ctx.store.upload(target.bucket, batchKey(target, ctx.batchId, FAILING_ROWS_FILE), file);
  return counts;
}

/** The files of the batch this run staged, which a data-test step audits; none is DATA_TESTS_NO_INPUT. */
export function stagedBatch(ctx: StepContext<'dataTests'>): WrittenObject[] {
  const { step } = ctx;
  const objects = ctx.written(step.dataset);
  if (objects.length === 0) {
    throw new SluiceError(
      'DATA_TESTS_NO_INPUT',
      `step "${step.name}": no batch of ${step.dataset} was written earlier in this run; data tests audit the batch an ingest step of the same run staged`,
    );
  }
  return objects;
}
