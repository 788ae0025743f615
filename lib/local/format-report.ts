import { STEP_KINDS } from '../definition/step-kinds/index.ts';
import type { StepRecord } from '../runtime/step-record.ts';
import type { RunProgress, RunReport, StepReport } from './run-local.ts';

/** How each step status reads in the table: a step the trigger does not run is "skipped", one an earlier failure stopped "-". */
const STATUS_TEXT: Record<StepReport['status'], string> = { SUCCEEDED: 'ok', FAILED: 'FAILED', NOT_RUN: '-', SKIPPED: 'skipped' };

/** What a step reported, from its record (succeeded or failed) or, without one, from what it handed on. */
function found(s: StepReport): Partial<StepRecord> | undefined {
  return s.record ?? s.result;
}

/** Lays out rows of cells in columns, right-aligning the columns `right` names. */
function columns(rows: readonly string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * Renders a run report for people: a per-step table (rows in, out and rejected, tests ok/fail/warn), the top rejection
 * reasons by column, each rule that failed or warned with its values, every location written and what it is, where
 * lineage and logs went, and for a failed run (or one with warned rules) the alert AWS would publish.
 */
export function formatRunReport(report: RunReport): string {
  const header = ['step', 'kind', 'status', 'rows in', 'rows out', 'rejected', 'tests ok/fail/warn', 'time'];
  const rows = report.steps.map((s) => {
    const r = found(s);
    const fills: readonly string[] = STEP_KINDS[s.kind].report;
    return [
      s.step,
      s.kind,
      STATUS_TEXT[s.status],
      r?.rowsIn !== undefined ? count(r.rowsIn) : '',
      r?.rowsOut !== undefined ? count(r.rowsOut) : '',
      fills.includes('rejected') && r?.rejectedRows !== undefined ? count(r.rejectedRows) : '',
      fills.includes('tests') && r?.tests ? `${r.tests.passed}/${r.tests.failed}/${r.tests.warned}` : '',
      s.attempts > 0 ? `${(s.durationMs / 1000).toFixed(2)} s${s.attempts > 1 ? ` (${s.attempts} tries)` : ''}` : '',
    ];
  });
  const table = columns(
    [header, header.map((h, i) => '-'.repeat(Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))), ...rows],
    new Set([3, 4, 5]),
  );
  const out = [
    `${report.pipeline}: ${report.status === 'SUCCEEDED' ? 'succeeded' : 'FAILED'} in ${(report.durationMs / 1000).toFixed(2)} s`,
    `  trigger    ${triggerText(report.trigger)}`,
    `  execution  ${report.executionArn}`,
    `  run id     ${report.runId}`,
    '',
    ...table,
    '',
    ...(report.backfill ? backfillLines(report.backfill) : []),
  ];
  for (const s of report.steps) {
    const r = found(s);
    if (r?.rejections?.length) {
      const total =
        r.rejectedRows !== undefined ? `${count(r.rejectedRows)}${r.rowsIn !== undefined ? ` of ${count(r.rowsIn)}` : ''} records; ` : '';
      out.push(`rejected by ${s.step} (${total}top reasons by column):`);
      const lines = r.rejections.map((x) => [
        `  ${x.column ?? '(unreadable record)'}`,
        x.reason,
        `${count(x.rows)} record${x.rows === 1 ? '' : 's'}`,
        `first at record ${x.firstRow}${x.example ? `: ${x.example}` : ''}`,
      ]);
      out.push(...columns(lines, new Set([2])), '');
    }
    if (r?.rules?.length) {
      out.push(`rules of ${s.step} that did not hold:`);
      const lines = r.rules.map((x) => [
        `  ${x.severity === 'error' ? 'FAILED' : 'WARNED'}`,
        `${x.name}${x.column && !x.name.includes(x.column) ? ` on ${x.column}` : ''}`,
        `expected ${x.expected}, got ${x.actual}`,
      ]);
      out.push(...columns(lines), '');
    }
  }
  const written = report.steps.flatMap((s) => (found(s)?.outputs ?? []).map((o) => ({ o, attachments: found(s)?.attachments ?? [] })));
  if (written.length > 0) {
    out.push('written:');
    const lines: string[][] = [];
    for (const { o, attachments } of written) {
      lines.push([`  ${o.role ?? 'written'}`, o.dataset, `s3://${o.bucket}/${o.key}`, `${count(o.rows)} row${o.rows === 1 ? '' : 's'}`]);
      if (o.role === 'quarantined') for (const a of attachments) lines.push(['', '', `s3://${a.bucket}/${a.key}`, a.what]);
    }
    out.push(...columns(lines));
  }
  out.push(`objects:  ${report.s3Directory} (embedded S3)`, `lineage:  ${report.lineage}`, `logs:     ${report.logs}`);
  // A failed run ends with its alert, which carries the error's findings; the error's first line names it.
  if (report.error) {
    const lines = report.error.message.split('\n');
    out.push('', `error: ${report.error.name}`, ...(report.alert ? lines.slice(0, 1) : lines).map((l) => `  ${l}`));
  }
  if (report.alert) out.push('', ...report.alert.text.trimEnd().split('\n'));
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

/** How to call the CLI where this code runs: from a checkout of Sluice (sources) through npm, else the installed bin. */
const CLI = import.meta.url.endsWith('.ts') ? 'npm run sluice --' : 'npx sluice';

/** The lines saying where a run's lineage was recorded and how to explore it, when it went to the state directory's catalog. */
export function formatCatalogHint(report: RunReport): string {
  if (!report.catalog) return '';
  const dir = /^[\w./-]+$/.test(report.stateDir) ? report.stateDir : JSON.stringify(report.stateDir);
  return [
    `catalog:  ${report.catalog.db} (+${report.catalog.imported} events)`,
    `explore:  ${CLI} lineage serve --state-dir ${dir}`,
    `          ${CLI} trace ${report.runId} --state-dir ${dir}`,
    `          ${CLI} ls --state-dir ${dir}`,
    '',
  ].join('\n');
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
