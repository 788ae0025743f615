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
