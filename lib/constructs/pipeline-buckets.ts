import { Duration, RemovalPolicy, Validations, type CfnResource } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SCRATCH_PREFIXES } from '../definition/storage-layout.ts';

/** Key prefix of the durable lineage outbox in the outbox bucket. */
export const LINEAGE_OUTBOX_PREFIX = '_lineage/outbox/';

/** Settings of {@link PipelineBuckets}. */
export interface PipelineBucketsProps {
  /** Physical bucket names, in order. */
  readonly names: readonly string[];
  /** Dataset prefixes that hold quarantined batches, per bucket. */
  readonly quarantinePrefixes: ReadonlyMap<string, readonly string[]>;
  /** The bucket that keeps the lineage outbox. */
  readonly outboxBucket: string;
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly quarantineRetention: Duration;
  readonly lineageOutboxRetention: Duration;
  readonly noncurrentVersionRetention: Duration;
  readonly accessLogRetention: Duration;
  readonly scratchRetention: Duration;
}

/**
 * The pipeline's buckets: encrypted, public access blocked, TLS only, versioned, access-logged, sending
 * EventBridge notifications, with lifecycle rules for quarantine, the lineage outbox, the Distributed Maps' scratch
 * prefixes and old versions.
 */
export class PipelineBuckets extends Construct {
  /** The bucket receiving the server access logs of the others. */
  readonly accessLogs: s3.Bucket;
  /** Each bucket by its physical name. */
  readonly buckets: ReadonlyMap<string, s3.Bucket>;

  constructor(scope: Construct, id: string, props: PipelineBucketsProps) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Server access log delivery does not support SSE-KMS targets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: props.accessLogRetention }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would log its own log deliveries forever',
    });

    const buckets = new Map<string, s3.Bucket>();
    props.names.forEach((name, i) => {
      const quarantine = props.quarantinePrefixes.get(name) ?? [];
      const lifecycleRules: s3.LifecycleRule[] = [
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: props.noncurrentVersionRetention },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...quarantine.map((prefix, j) => ({ id: `expire-quarantine-${j}`, prefix: `${prefix}/`, expiration: props.quarantineRetention })),
        ...SCRATCH_PREFIXES.map((prefix) => ({
          id: `expire-${prefix.slice(prefix.lastIndexOf('/') + 1)}`,
          prefix: `${prefix}/`,
          expiration: props.scratchRetention,
        })),
        ...(name === props.outboxBucket
          ? [{ id: 'expire-lineage-outbox', prefix: LINEAGE_OUTBOX_PREFIX, expiration: props.lineageOutboxRetention }]
          : []),
      ];
      const bucket = new s3.Bucket(this, `Bucket${i}`, {
        bucketName: name,
        encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
        ...(props.encryptionKey ? { encryptionKey: props.encryptionKey, bucketKeyEnabled: true } : {}),
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${name}/`,
        removalPolicy: props.removalPolicy,
        lifecycleRules,
      });
      // EventBridge delivery set on the resource itself: CloudFormation supports it, so no notifications custom resource.
      (bucket.node.defaultChild as CfnResource).addPropertyOverride(
        'NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled',
        true,
      );
      buckets.set(name, bucket);
    });
    this.buckets = buckets;
  }
}
