import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { backfillDatasets } from '../asl/backfill-asl.ts';
import { ingestsInParts } from '../asl/ingest-parts-asl.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { ingestPartsPrefix } from '../definition/storage-layout.ts';
import { grantPrefixes } from './bucket-grants.ts';
import { grantOnExecutions } from './execution-grants.ts';

/**
 * Grants the state machine what an ingest in parts needs: reading the parts list its plan wrote (the Distributed Map's
 * ItemReader, decrypting it when the buckets use a key), and starting, describing and stopping its own child
 * executions, unless the backfill grants already did (any pipeline with an upload trigger has them).
 */
export function grantIngestParts(
  stateMachine: sfn.StateMachine,
  spec: PipelineSpec,
  buckets: ReadonlyMap<string, s3.IBucket>,
  name: string,
  encryptionKey?: kms.IKey,
): void {
  const steps = spec.steps.filter((step) => ingestsInParts(spec, step));
  if (steps.length === 0) return;
  const places = steps.flatMap((step) => (step.kind === 'ingest' ? [ingestPartsPrefix(spec.datasets[step.output]!)] : []));
  grantPrefixes(stateMachine, buckets, [...new Map(places.map((p) => [`${p.bucket}/${p.prefix}`, p])).values()], ['read']);
  encryptionKey?.grantDecrypt(stateMachine);
  if (backfillDatasets(spec).length > 0) return;
  const arn = Stack.of(stateMachine).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [arn] }));
  grantOnExecutions({
    principal: stateMachine,
    nagScope: stateMachine,
    stateMachineName: name,
    actions: ['states:DescribeExecution', 'states:StopExecution'],
    separator: '/',
    reason: "A Distributed Map's child executions get generated names under the machine's own executions; nothing else matches",
  });
}
