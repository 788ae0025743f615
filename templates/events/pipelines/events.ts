import { z } from 'zod';
import { definePipeline } from 'sluice';

const bucket = 'events-data';

/** App events: ingest JSON Lines, test them, and keep a per-user activity table of what passed. */
export default definePipeline({
  name: 'events',
  description: 'Lands app events, tests each batch and aggregates activity per user',
  datasets: {
    raw: {
      bucket,
      prefix: 'raw/events',
      format: 'jsonl',
      // A truncated line in an event stream is rejected on its own; the rest of the batch goes on to the data tests.
      malformedRecords: 'reject',
      schema: z.object({
        event_id: z.string(),
        user_id: z.string(),
        event_type: z.enum(['view', 'click', 'purchase']),
        occurred_at: z.iso.datetime(),
        amount: z.number().nullable(),
      }),
    },
    staged: {
      bucket,
      prefix: 'staged/events',
      format: 'parquet',
      tests: [
        { rule: 'notNull', column: 'event_id' },
        { rule: 'unique', columns: ['event_id'] },
        { rule: 'range', column: 'amount', min: 0 },
        { rule: 'rowCount', min: 10 },
      ],
    },
    rejected: { bucket, prefix: 'rejected/events', format: 'parquet' },
    published: { bucket, prefix: 'published/events', format: 'parquet' },
    quarantine: { bucket, prefix: 'quarantine/events', format: 'parquet' },
    activity: { bucket, prefix: 'activity/users', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [
    { name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' },
    { name: 'test', kind: 'dataTests', dataset: 'staged', publishTo: 'published', quarantineTo: 'quarantine' },
    {
      name: 'activity',
      kind: 'featureBuild',
      inputs: { events: 'published' },
      output: 'activity',
      sql: `
        SELECT
          user_id,
          count(*) AS events,
          count(*) FILTER (WHERE event_type = 'purchase') AS purchases,
          coalesce(sum(amount), 0) AS revenue,
          max(occurred_at) AS last_seen
        FROM events
        GROUP BY user_id`,
    },
  ],
});
