import { isSluiceError } from '../../../core/errors.ts';
import { parseLineageEvent } from '../parse-event.ts';
import type { LineageEmitter } from '../safe-emitter.ts';
import type { LineageOutbox } from './outbox.ts';

/** An entry that stays in the outbox, and why. */
export type KeptEntry = { entry: string; reason: string };

/** Outcome of {@link replayOutbox}. */
export type ReplayReport = {
  /** Entries delivered and removed, in order. */
  delivered: string[];
  /** Entries the backend or the client rejected (invalid JSON or event, a 4xx answer); kept for a later look. */
  rejected: KeptEntry[];
  /** Entries not tried because the backend stopped answering; `stoppedBy` says why. */
  notTried: number;
  /** Entries another replay was sending at the same time (claimed), left to it. */
  skipped: number;
  /** The failure that stopped the replay, if one did. */
  stoppedBy?: string;
};

/** Options of {@link replayOutbox}. */
export type ReplayOptions = {
  /** Told after each entry, e.g. for progress output. */
  onEntry?: (entry: string, outcome: 'delivered' | 'rejected', reason?: string) => void;
  /** Stops the replay between entries. */
  signal?: AbortSignal;
};

const oneLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();

/**
 * Re-sends the outbox's entries, oldest first, through `emitter` (e.g. an OpenLineageClient, whose `emit` rejects on
 * failure) and removes each one only after it was delivered, so a second replay sends nothing twice. An entry that
 * is rejected for good is kept and skipped; a failure that may pass later (connection refused, 5xx, timeout) stops
 * the replay so the rest keeps its order.
 */
export async function replayOutbox(outbox: LineageOutbox, emitter: LineageEmitter, options: ReplayOptions = {}): Promise<ReplayReport> {
  const entries = await outbox.list();
  const report: ReplayReport = { delivered: [], rejected: [], notTried: 0, skipped: 0 };
  for (const [i, entry] of entries.entries()) {
    if (options.signal?.aborted) {
      report.notTried = entries.length - i;
      report.stoppedBy = 'aborted';
      break;
    }
    // A claim makes this replay the only one sending the entry; another replay may be on it already.
    if (outbox.claim && !(await outbox.claim(entry))) {
      report.skipped += 1;
      continue;
    }
    const release = async () => {
      await outbox.release?.(entry);
    };
    let event;
    try {
      event = parseLineageEvent(JSON.parse(await outbox.read(entry)));
    } catch (error) {
      const reason = `not a valid OpenLineage event: ${oneLine(error)}`;
      await release();
      report.rejected.push({ entry, reason });
      options.onEntry?.(entry, 'rejected', reason);
      continue;
    }
    try {
      await emitter.emit(event, { signal: options.signal });
    } catch (error) {
      const reason = oneLine(error);
      await release();
      if (isSluiceError(error) && error.retryable === false) {
        report.rejected.push({ entry, reason });
        options.onEntry?.(entry, 'rejected', reason);
        continue;
      }
      report.notTried = entries.length - i;
      report.stoppedBy = options.signal?.aborted ? 'aborted' : reason;
      break;
    }
    await outbox.remove(entry);
    report.delivered.push(entry);
    options.onEntry?.(entry, 'delivered');
  }
  return report;
}
