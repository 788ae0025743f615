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

/** SNS takes at most 256 KiB per message, attributes included; this leaves room for the subject and names. */
const MESSAGE_LIMIT_BYTES = 250 * 1024;

/**
 * The message text and attributes of an alert, within SNS's size limit: when the whole alert does not fit, the JSON
 * attribute is left out (`sluice.alert.omitted` says why), then the text is cut, so an alert is never refused for its size.
 */
export function alertMessage(alert: Alert): { message: string; attributes: Record<string, MessageAttributeValue> } {
  const size = (text: string, attributes: Record<string, MessageAttributeValue>): number =>
    Buffer.byteLength(text) +
    Object.entries(attributes).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.StringValue ?? '') + 16, 0);
  let message = formatAlert(alert);
  const attributes = alertAttributes(alert);
  if (size(message, attributes) <= MESSAGE_LIMIT_BYTES) return { message, attributes };
  const { ['sluice.alert']: whole, ...rest } = attributes;
  const omitted = {
    ...rest,
    'sluice.alert.omitted': {
      DataType: 'String',
      StringValue: `the alert as JSON is ${Buffer.byteLength(whole?.StringValue ?? '')} bytes, over what SNS takes`,
    },
  };
  const room = Math.max(1024, MESSAGE_LIMIT_BYTES - size('', omitted));
  if (Buffer.byteLength(message) > room) {
    const note = '\n… (cut to fit an SNS message; the step records hold every finding)\n';
    message =
      Buffer.from(message)
        .subarray(0, room - Buffer.byteLength(note))
        .toString('utf8')
        .replace(/\uFFFD$/, '') + note;
  }
  return { message, attributes: omitted };
}

/** Publishes one alert to an SNS topic: the text for people as the message, the facts as attributes. Returns its id. */
export async function publishAlert(topicArn: string, alert: Alert): Promise<string> {
  const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
  const client = new SNSClient({});
  const message = alertMessage(alert);
  try {
    const out = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: alertSubject(alert),
        Message: message.message,
        MessageAttributes: message.attributes,
      }),
    );
    return out.MessageId ?? '';
  } finally {
    client.destroy();
  }
}
