import { uuidv5 } from '../../../lineage/index.ts';

/** The pipeline run's id: UUIDv5 of the execution ARN, so any step (and the status-change handler) can compute it. */
export function pipelineRunId(executionArn: string): string {
  return uuidv5(executionArn);
}

/** A step run's id: deterministic per execution, state and attempt, so retries and late FAILs are exact. */
export function stepRunId(executionArn: string, stateName: string, attempt: number): string {
  return uuidv5(`${executionArn}#${stateName}#${attempt}`);
}

/** The dataset identity DESIGN.md fixes: namespace `s3://<bucket>`, name the logical prefix. */
export function datasetIdentity(dataset: { bucket: string; prefix: string }): { namespace: string; name: string } {
  return { namespace: `s3://${dataset.bucket}`, name: dataset.prefix };
}
