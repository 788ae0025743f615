import { appendFileSync } from 'node:fs';

/** One scenario's outcome: what Sluice promises, what was tried, and how often the promise held or was broken. */
export interface Tally {
  readonly promise: string;
  readonly scenario: string;
  readonly tried: number;
  readonly held: number;
  readonly lost: number;
  readonly note?: string;
}

/** The file the scenarios append their tallies to (set by the suite's global setup). */
export const TALLY_ENV = 'FAULT_SUITE_TALLY';

/** Records a scenario's tally for the suite's table. */
export function tally(entry: Tally): void {
  const file = process.env[TALLY_ENV];
  if (file) appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** The table of tallies, as Markdown. */
export function tallyTable(entries: readonly Tally[]): string {
  const lines = ['| promise | scenario | tried | held | lost | note |', '|---|---|--:|--:|--:|---|'];
  for (const e of entries) lines.push(`| ${e.promise} | ${e.scenario} | ${e.tried} | ${e.held} | ${e.lost} | ${e.note ?? ''} |`);
  const sum = (k: 'tried' | 'held' | 'lost') => entries.reduce((n, e) => n + e[k], 0);
  lines.push(`| **all** | ${entries.length} scenarios | ${sum('tried')} | ${sum('held')} | ${sum('lost')} | |`);
  return lines.join('\n');
}
