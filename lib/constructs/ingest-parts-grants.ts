import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ingestsInParts } from '../asl/ingest-parts-asl.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { ingestPartsPrefix } from '../definition/storage-layout.ts';
import { grantPrefixes } from './bucket-grants.ts';

/**
 * Grants the state machine what an ingest in parts needs: reading the parts list its plan wrote (the Distributed Map's
 * ItemReader, decrypting it when the buckets use a key); its child executions are granted once for every map of the
 * machine (grantChildExecutions).
 */
export function grantIngestParts(
  stateMachine: sfn.StateMachine,
  spec: PipelineSpec,
  buckets: ReadonlyMap<string, s3.IBucket>,
  encryptionKey?: kms.IKey,
): void {
  const steps = spec.steps.filter((step) => ingestsInParts(spec, step));
  if (steps.length === 0) return;
  const places = steps.flatMap((step) => (step.kind === 'ingest' ? [ingestPartsPrefix(spec.datasets[step.output]!)] : []));
  grantPrefixes(stateMachine, buckets, [...new Map(places.map((p) => [`${p.bucket}/${p.prefix}`, p])).values()], ['read']);
  encryptionKey?.grantDecrypt(stateMachine);
}
