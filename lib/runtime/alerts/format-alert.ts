import type { TriggerInput } from '../../asl/step-invocation.ts';
import type { Alert, RootCause } from './alert.ts';

const count = (n: number): string => n.toLocaleString('en-US');
const plural = (n: number, word: string): string => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** The alert's one-line subject (at most 100 printable ASCII characters, as an SNS subject must be). */
export function alertSubject(alert: Alert): string {
  const where = alert.failedStep ? ` at ${alert.failedStep.name}` : '';
  const first = alert.rootCauses[0];
  const failedRules = first?.rules.filter((r) => r.severity === 'error').length ?? 0;
  const warnedRules = alert.rootCauses.flatMap((c) => c.rules).filter((r) => r.severity === 'warn').length;
  const why =
    alert.status === 'WARNED'
      ? `${plural(warnedRules, 'rule')} warned`
      : failedRules > 0
        ? `${plural(failedRules, 'data test')} failed${alert.quarantined.length > 0 ? ', batch quarantined' : ''}`
        : (first?.error?.code ?? first?.error?.name ?? alert.status);
  const text = `Sluice ${alert.pipeline}: ${alert.status === 'WARNED' ? 'succeeded with warnings' : alert.status}${where}: ${why}`;
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}

function trigger(t: TriggerInput | undefined): string {
  if (!t) return 'none (the execution input has no "trigger")';
  return t.kind === 'upload' ? `upload to ${t.dataset}: s3://${t.bucket}/${t.key}` : `schedule ${t.name} at ${t.nominalTime}`;
}

function cause(c: RootCause): string[] {
  const out: string[] = [];
  const batch = c.batch ? ` batch ${c.batch}${c.rows !== undefined ? ` (${plural(c.rows, 'row')})` : ''}` : '';
  if (c.status === 'NOT_FINISHED' && c.step === '(execution)')
    out.push(`  the execution failed before any step: ${c.error?.message ?? ''}`);
  else if (c.status === 'NOT_FINISHED') out.push(`  step ${c.step} (${c.kind}) did not finish${c.error ? `: ${c.error.message}` : ''}`);
  else if (c.rules.length > 0) out.push(`  step ${c.step} (${c.kind}) checked${batch}:`);
  else if (c.error) out.push(`  step ${c.step} (${c.kind}) failed on${batch}: ${c.error.message.split('\n')[0]}`);
  for (const r of c.rules) {
    out.push(
      `    ${r.severity === 'error' ? 'FAILED' : 'WARNED'} ${r.name}${r.column ? ` on ${r.column}` : ''}: expected ${r.expected}, got ${r.actual}`,
    );
  }
  if (c.rejected) {
    const of = c.rejected.of !== undefined ? ` of ${count(c.rejected.of)}` : '';
    out.push(
      `  step ${c.step} (${c.kind}) rejected ${count(c.rejected.rows)}${of} records${c.rejected.from ? ` of ${c.rejected.from}` : ''}:`,
    );
    for (const r of c.rejected.reasons) {
      const example = r.example ? `: ${r.example}` : '';
      out.push(`    ${r.column ? `${r.column}: ` : ''}${r.reason}: ${plural(r.rows, 'record')} (first at record ${r.firstRow}${example})`);
    }
  }
  if (c.error && c.rules.length > 0 && c.status === 'FAILED' && c.error.code !== 'DATA_TESTS_FAILED')
    out.push(`    error: ${c.error.message}`);
  return out;
}

/** The alert as text: what broke and why, what was set aside, what this run did not update, and where to look. */
export function formatAlert(alert: Alert): string {
  const out = [alertSubject(alert), ''];
  const head =
    alert.status === 'WARNED'
      ? `The run succeeded, but rules with severity "warn" did not hold.`
      : `The run ${alert.status === 'FAILED' ? 'failed' : `ended ${alert.status}`}${alert.failedStep ? ` at step ${alert.failedStep.name} (${alert.failedStep.kind})` : ''}.`;
  out.push(head, '', 'Root-cause candidates (nearest first):');
  if (alert.rootCauses.length === 0) out.push('  none recorded by the steps (see the execution history)');
  for (const c of alert.rootCauses) out.push(...cause(c));
  if (alert.quarantined.length > 0) {
    out.push('', 'Quarantined (kept aside, not published):');
    for (const q of alert.quarantined) {
      out.push(`  ${q.uri} (${plural(q.rows, 'row')} of ${q.dataset})`);
      for (const a of q.attachments) out.push(`    ${a.key.slice(a.key.lastIndexOf('/') + 1)}: ${a.what}`);
    }
  }
  if (alert.notUpdated.datasets.length + alert.notUpdated.jobs.length > 0) {
    out.push('', 'Not updated by this run (blast radius):');
    if (alert.notUpdated.datasets.length > 0)
      out.push(`  datasets: ${alert.notUpdated.datasets.map((d) => `${d.ref} (${d.uri})`).join(', ')}`);
    if (alert.notUpdated.jobs.length > 0) out.push(`  jobs: ${alert.notUpdated.jobs.join(', ')}`);
  }
  if (alert.catalogDownstream) {
    const { jobs, note } = alert.catalogDownstream;
    out.push(`  downstream in the lineage catalog: ${jobs.length > 0 ? jobs.join(', ') : 'no other jobs'}${note ? ` (${note})` : ''}`);
  }
  out.push('', `Execution: ${alert.execution.arn}`, `Run id:    ${alert.execution.runId}`, `Trigger:   ${trigger(alert.trigger)}`);
  if (alert.lineageUrl) out.push(`Lineage:   ${alert.lineageUrl}`);
  return `${out.join('\n')}\n`;
}
