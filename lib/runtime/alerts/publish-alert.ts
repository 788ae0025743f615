import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import type { Alert } from './alert.ts';
import { alertSubject, formatAlert } from './format-alert.ts';

/**
 * The message attributes of an alert: its facts as attributes a subscription can filter on (`sluice.status`,
 * `sluice.pipeline`, …), and the whole alert as JSON in `sluice.alert`, for machines.
 */
export function alertAttributes(alert: Alert): Record<string, MessageAttributeValue> {
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const list = (values: readonly string[]): MessageAttributeValue => ({ DataType: 'String.Array', StringValue: JSON.stringify(values) });
  return {
    'sluice.pipeline': text(alert.pipeline),
    'sluice.status': text(alert.status),
    'sluice.execution': text(alert.execution.arn),
    ...(alert.failedStep ? { 'sluice.step': text(alert.failedStep.name) } : {}),
    ...(alert.quarantined.length > 0 ? { 'sluice.quarantined': list(alert.quarantined.map((q) => q.uri)) } : {}),
    ...(alert.notUpdated.datasets.length > 0 ? { 'sluice.notUpdated.datasets': list(alert.notUpdated.datasets.map((d) => d.uri)) } : {}),
    ...(alert.notUpdated.jobs.length > 0 ? { 'sluice.notUpdated.jobs': list(alert.notUpdated.jobs) } : {}),
    'sluice.alert': text(JSON.stringify(alert)),
  };
}

/** Publishes one alert to an SNS topic: the text for people as the message, the facts as attributes. Returns its id. */
export async function publishAlert(topicArn: string, alert: Alert): Promise<string> {
  const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
  const client = new SNSClient({});
  try {
    const out = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: alertSubject(alert),
        Message: formatAlert(alert),
        MessageAttributes: alertAttributes(alert),
      }),
    );
    return out.MessageId ?? '';
  } finally {
    client.destroy();
  }
}
