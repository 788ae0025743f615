import { readFile } from 'node:fs/promises';
import { validateOpenLineageEvent } from '../test/support/openlineage-validator.ts';

/** What {@link checkLineage} found in a run's events file. */
export interface LineageCheck {
  readonly events: number;
  readonly runs: number;
  /** Words for a benchmark's text: `1,234 lineage events of 456 runs, every one valid … and every run ended`. */
  readonly summary: string;
}

/**
 * Checks every OpenLineage event a benchmark's runs wrote against the official schemas, and that every run that
 * started also ended (COMPLETE, FAIL or ABORT); fails naming the first problems otherwise.
 */
export async function checkLineage(...files: string[]): Promise<LineageCheck> {
  const problems: string[] = [];
  const open = new Map<string, string>();
  const runs = new Set<string>();
  let events = 0;
  for (const file of files) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as { eventType?: string; job: { name: string }; run: { runId: string } };
      events += 1;
      runs.add(event.run.runId);
      for (const error of validateOpenLineageEvent(event)) problems.push(`${event.job.name} ${event.eventType}: ${error}`);
      if (event.eventType === 'START') open.set(event.run.runId, event.job.name);
      else if (['COMPLETE', 'FAIL', 'ABORT'].includes(event.eventType ?? '')) open.delete(event.run.runId);
    }
  }
  for (const [run, job] of open) problems.push(`run ${run} of ${job} started and never ended`);
  if (problems.length > 0) throw new Error(`lineage check failed (${problems.length} problems):\n  ${problems.slice(0, 10).join('\n  ')}`);
  return {
    events,
    runs: runs.size,
    summary: `${events.toLocaleString('en-US')} lineage events of ${runs.size.toLocaleString('en-US')} runs, every one valid against the official OpenLineage schemas, and every run that started ended`,
  };
}
