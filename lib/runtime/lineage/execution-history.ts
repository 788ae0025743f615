import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** Reads an execution's whole history, oldest first (the SDK is loaded on first use, only for ended runs). */
export async function executionHistory(executionArn: string): Promise<HistoryEvent[]> {
  const { SFNClient, GetExecutionHistoryCommand } = await import('@aws-sdk/client-sfn');
  const client = new SFNClient({});
  const events: HistoryEvent[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: false }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } finally {
    client.destroy();
  }
  return events;
}

/** A child execution of a Distributed Map run that ended without succeeding. */
export interface EndedChild {
  readonly executionArn: string;
  readonly status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
}

/** The child executions of a map run that failed, timed out or were aborted (at most `limit` of them). */
export async function endedChildren(mapRunArn: string, limit: number): Promise<EndedChild[]> {
  const { SFNClient, ListExecutionsCommand } = await import('@aws-sdk/client-sfn');
  const client = new SFNClient({});
  const found: EndedChild[] = [];
  try {
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED'] as const) {
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListExecutionsCommand({ mapRunArn, statusFilter: status, maxResults: 1000, nextToken }));
        for (const e of page.executions ?? [])
          if (e.executionArn && found.length < limit) found.push({ executionArn: e.executionArn, status });
        nextToken = found.length < limit ? page.nextToken : undefined;
      } while (nextToken);
    }
  } finally {
    client.destroy();
  }
  return found;
}
