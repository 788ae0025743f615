import { STEP_KINDS } from '../definition/step-kinds/index.ts';
import type { RunProgress, RunReport, StepReport } from './run-local.ts';

/** How each step status reads in the table: a step the trigger does not run is "skipped", one an earlier failure stopped "-". */
const STATUS_TEXT: Record<StepReport['status'], string> = { SUCCEEDED: 'ok', FAILED: 'FAILED', NOT_RUN: '-', SKIPPED: 'skipped' };

/** Renders a run report for people: a per-step table, where outputs and lineage went, and why a run failed. */
export function formatRunReport(report: RunReport): string {
  const header = ['step', 'kind', 'status', 'rows in', 'rows out', 'rejected', 'tests ok/fail/warn', 'time'];
  const rows = report.steps.map((s) => {
    const r = s.result;
    const fills: readonly string[] = STEP_KINDS[s.kind].report;
    return [
      s.step,
      s.kind,
      STATUS_TEXT[s.status],
      r ? count(r.rowsIn) : '',
      r ? count(r.rowsOut) : '',
      fills.includes('rejected') && r?.rejectedRows !== undefined ? count(r.rejectedRows) : '',
      fills.includes('tests') && r?.tests ? `${r.tests.passed}/${r.tests.failed}/${r.tests.warned}` : '',
      s.attempts > 0 ? `${(s.durationMs / 1000).toFixed(2)} s${s.attempts > 1 ? ` (${s.attempts} tries)` : ''}` : '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i >= 3 && i <= 5 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [
    `${report.pipeline}: ${report.status === 'SUCCEEDED' ? 'succeeded' : 'FAILED'} in ${(report.durationMs / 1000).toFixed(2)} s`,
    `  trigger    ${triggerText(report.trigger)}`,
    `  execution  ${report.executionArn}`,
    `  run id     ${report.runId}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...(report.backfill ? backfillLines(report.backfill) : []),
  ];
  const written = report.steps.flatMap((s) => s.result?.outputs ?? []);
  if (written.length > 0) {
    const width = Math.max(...written.map((o) => o.dataset.length));
    out.push('outputs:');
    for (const o of written) out.push(`  ${o.dataset.padEnd(width)}  s3://${o.bucket}/${o.key} (${count(o.rows)} rows)`);
  }
  out.push(`objects:  ${report.s3Directory} (embedded S3)`, `lineage:  ${report.lineage}`);
  if (report.error) out.push('', `error: ${report.error.name}`, ...report.error.message.split('\n').map((l) => `  ${l}`));
  return `${out.join('\n')}\n`;
}

function triggerText(trigger: RunReport['trigger']): string {
  if (trigger.kind === 'upload') return `upload to ${trigger.dataset}: s3://${trigger.bucket}/${trigger.key}`;
  if (trigger.kind === 'schedule') return `schedule ${trigger.name} at ${trigger.nominalTime}`;
  return `backfill of ${trigger.dataset} under ${trigger.prefix} (${trigger.concurrency} at once, ${trigger.objectsPerChild} per child, ${trigger.toleratedFailurePercentage}% tolerated)`;
}

/** A backfill's summary and each object that did not pass, with its reason. */
function backfillLines(b: NonNullable<RunReport['backfill']>): string[] {
  const lines = [
    `backfill: ${count(b.objects)} objects in ${count(b.children)} child executions: ${count(b.passed)} passed, ${count(b.quarantined)} quarantined, ${count(b.failed)} failed${b.notRun ? `, ${count(b.notRun)} not run` : ''}`,
    `  rows     ${count(b.rowsIn)} read, ${count(b.rejectedRows)} rejected, ${count(b.rowsPublished)} published (objects that passed${b.passedUncounted ? `, but for ${count(b.passedUncounted)} in children that failed later` : ''})`,
    `  results  s3://${b.manifest.bucket}/${b.manifest.key}`,
  ];
  const bad = b.perObject.filter((o) => o.status === 'QUARANTINED' || o.status === 'FAILED');
  for (const o of bad.slice(0, 20))
    lines.push(`  ${o.status.toLowerCase().padEnd(11)} ${o.key}: ${(o.error?.message ?? '').split('\n')[0]}`);
  if (bad.length > 20) lines.push(`  … and ${bad.length - 20} more (--json lists every object)`);
  return [...lines, ''];
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The line saying where a run's lineage was recorded and how to explore it, when it went to the state directory's catalog. */
export function formatCatalogHint(report: RunReport): string {
  if (!report.catalog) return '';
  return `catalog:  ${report.catalog.db} (+${report.catalog.imported} events; explore with: npx sluice lineage serve --state-dir ${report.stateDir})\n`;
}

/** Writes a run's progress as lines on stderr, so stdout stays the report. */
export function printProgress(event: RunProgress): void {
  if (event.type === 'checked') {
    const skipped = event.notChecked.length;
    process.stderr.write(
      `✓ checked before the run${skipped ? ` (${skipped} check${skipped === 1 ? '' : 's'} could not run; sluice validate lists them)` : ''}\n`,
    );
  } else if (event.type === 'triggered') {
    const t = event.trigger;
    const what =
      t.kind === 'upload' ? `s3://${t.bucket}/${t.key}` : t.kind === 'schedule' ? `schedule ${t.name}` : `backfill of ${t.prefix}`;
    process.stderr.write(`▸ ${what} started ${event.executionArn.split(':').pop()}\n`);
  } else if (event.type === 'map-run') {
    const p = event.progress;
    const done = p.succeeded + p.failed;
    // About twenty lines for a whole map run, however many children it has.
    if (!p.manifest && (done === p.children || done % Math.max(1, Math.ceil(p.children / 20)) === 0)) {
      process.stderr.write(`  ${p.state}: ${done}/${p.children} child executions done (${p.failed} failed)\n`);
    }
  } else if (event.type === 'step-start') {
    process.stderr.write(`  ${event.step}${event.attempt > 0 ? ` (retry ${event.attempt})` : ''} …\n`);
  } else {
    const a = event.attempt;
    process.stderr.write(`  ${a.state} ${a.error ? 'failed' : 'done'} in ${(a.durationMs / 1000).toFixed(2)} s\n`);
  }
}
