/**
 * CloudWatch metric names a deployed pipeline's functions report and its alarms watch; the writer (a function) and
 * the reader (the construct) use these names, never literals.
 */
export const SLUICE_METRICS = {
  /** Age of the oldest event left in the lineage outbox after a replay, in seconds (embedded metric format). */
  lineageOutboxOldestAge: 'LineageOutboxOldestAgeSeconds',
} as const;
