import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { backfillDatasets } from '../asl/backfill-asl.ts';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';
import { backfillResultsPrefix } from '../definition/storage-layout.ts';
import { grantPrefixes } from './bucket-grants.ts';

/**
 * Grants the state machine what its backfill Distributed Maps need and nothing more: listing and reading each upload
 * dataset's prefix (ItemReader) and writing its results prefix (ResultWriter); its child executions are granted once
 * for every map of the machine (grantChildExecutions).
 */
export function grantBackfill(stateMachine: sfn.StateMachine, spec: PipelineSpec, buckets: ReadonlyMap<string, s3.IBucket>): void {
  const datasets = backfillDatasets(spec);
  if (datasets.length === 0) return;
  const sources = datasets.map((ref) => ({ bucket: spec.datasets[ref]!.bucket, prefix: spec.datasets[ref]!.prefix }));
  grantPrefixes(stateMachine, buckets, sources, ['read']);
  grantPrefixes(
    stateMachine,
    buckets,
    datasets.map((ref) => backfillResultsPrefix(spec.name, spec.datasets[ref]!, ref)),
    ['write'],
  );
}
