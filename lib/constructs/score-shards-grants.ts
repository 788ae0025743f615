import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { scoreShardsPrefix } from '../definition/storage-layout.ts';
import { grantPrefixes } from './bucket-grants.ts';

/**
 * Grants the state machine what its scoring steps' shard maps need and nothing more: reading each step's work prefix
 * (the ItemReader's items file) and writing there (the ResultWriter); its child executions are granted once for every
 * map of the machine (grantChildExecutions).
 */
export function grantScoreShards(stateMachine: sfn.StateMachine, spec: PipelineSpec, buckets: ReadonlyMap<string, s3.IBucket>): void {
  const work = spec.steps.flatMap((step) =>
    step.kind === 'batchScore' && spec.datasets[step.output]
      ? [{ bucket: spec.datasets[step.output]!.bucket, prefix: scoreShardsPrefix(step.name) }]
      : [],
  );
  if (work.length === 0) return;
  grantPrefixes(stateMachine, buckets, work, ['read', 'write']);
}
