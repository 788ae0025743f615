import type { S3rverEvent } from 's3rver';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import type { TriggerInput } from '../asl/step-invocation.ts';

/** The EventBridge "Object Created" event S3 sends, as a rule sees it. */
export interface ObjectCreatedEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Object Created';
  readonly source: 'aws.s3';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: {
    readonly version: '0';
    readonly bucket: { readonly name: string };
    readonly object: {
      readonly key: string;
      readonly size?: number;
      readonly etag?: string;
      readonly 'version-id'?: string;
      readonly sequencer?: string;
    };
    readonly 'request-id': string;
    readonly requester: string;
    readonly reason: 'PutObject' | 'POST Object' | 'CopyObject' | 'CompleteMultipartUpload';
  };
}

const REASONS: Record<string, ObjectCreatedEvent['detail']['reason']> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Post': 'POST Object',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
};

/** Turns s3rver's classic notification record into the EventBridge shape, so local and cloud triggers look alike. */
export function toObjectCreatedEvent(
  record: S3rverEvent['Records'][number],
  where: { account: string; region: string; id: string },
): ObjectCreatedEvent {
  // s3rver's records carry the key as written (S3's classic notifications would URL-encode it), as EventBridge does:
  // decoding it again would turn "a%20b.csv" into another key and fail on "100%.csv".
  const key = record.s3.object.key;
  return {
    version: '0',
    id: where.id,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: where.account,
    time: eventBridgeTime(record.eventTime),
    region: where.region,
    resources: [`arn:aws:s3:::${record.s3.bucket.name}`],
    detail: {
      version: '0',
      bucket: { name: record.s3.bucket.name },
      object: {
        key,
        ...(record.s3.object.size === undefined ? {} : { size: record.s3.object.size }),
        ...(record.s3.object.eTag ? { etag: record.s3.object.eTag.replace(/"/g, '') } : {}),
        ...(record.s3.object.sequencer ? { sequencer: record.s3.object.sequencer } : {}),
      },
      'request-id': where.id,
      requester: where.account,
      reason: REASONS[record.eventName] ?? 'PutObject',
    },
  };
}

/** EventBridge stamps events to the second (`2026-11-23T06:00:00Z`); local events are stamped alike. */
function eventBridgeTime(time: string): string {
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? time : parsed.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Matches an Object Created event against the pipeline's upload triggers, as the EventBridge rule does
 * (bucket equals, key has the dataset's prefix), and returns the state machine input it would send.
 */
export function matchUploadTrigger(spec: PipelineSpec, event: ObjectCreatedEvent): { trigger: TriggerInput } | undefined {
  for (const trigger of spec.triggers) {
    if (trigger.kind !== 'upload') continue;
    const dataset = spec.datasets[trigger.dataset];
    if (!dataset || dataset.bucket !== event.detail.bucket.name || !event.detail.object.key.startsWith(`${dataset.prefix}/`)) continue;
    return {
      trigger: {
        kind: 'upload',
        dataset: trigger.dataset,
        bucket: event.detail.bucket.name,
        key: event.detail.object.key,
        versionId: event.detail.object['version-id'] ?? null,
        etag: event.detail.object.etag ?? null,
        size: event.detail.object.size ?? null,
        time: event.time,
      },
    };
  }
  return undefined;
}
