import { describe, expect, it } from 'vitest';
import { matchUploadTrigger, toObjectCreatedEvent } from '../../lib/local/object-created-event.ts';
import churn from '../../examples/churn/pipeline.ts';

const record = (bucket: string, key: string, eventName = 'ObjectCreated:Put') => ({
  eventName,
  eventTime: '2026-11-23T10:00:00.000Z',
  s3: { bucket: { name: bucket }, object: { key, size: 12, eTag: '"abc123"', sequencer: '1' } },
});

describe('object-created events', () => {
  it('turns an s3rver notification into the EventBridge Object Created shape, keeping the key as written', () => {
    const event = toObjectCreatedEvent(record('churn-data', 'raw/customers/my+file%3D1.csv', 'ObjectCreated:Post'), {
      account: '000000000000',
      region: 'us-east-1',
      id: 'e1',
    });
    expect(event).toMatchObject({
      'detail-type': 'Object Created',
      source: 'aws.s3',
      resources: ['arn:aws:s3:::churn-data'],
      detail: {
        bucket: { name: 'churn-data' },
        object: { key: 'raw/customers/my+file%3D1.csv', size: 12, etag: 'abc123' },
        reason: 'POST Object',
      },
    });
  });

  it.each([
    ['churn-data', 'raw/customers/a.csv', true],
    ['churn-data', 'raw/customers/nested/a.csv', true],
    ['churn-data', 'raw/customersX/a.csv', false],
    ['churn-data', 'staged/customers/a.parquet', false],
    ['other-bucket', 'raw/customers/a.csv', false],
  ])('matches s3://%s/%s against the upload trigger: %s', (bucket, key, matches) => {
    const event = toObjectCreatedEvent(record(bucket, key), { account: '0', region: 'us-east-1', id: 'e' });
    const input = matchUploadTrigger(churn, event);
    expect(input !== undefined).toBe(matches);
    if (input) expect(input.trigger).toMatchObject({ kind: 'upload', bucket, key, etag: 'abc123', size: 12 });
  });
});
