import { facets, runEvent, type Facet, type InputDataset, type RunEvent } from '../../../lineage/index.ts';
import type { PipelineSpec } from '../../definition/pipeline-schema.ts';
import type { ExecutionTrigger } from '../../asl/step-invocation.ts';
import { datasetIdentity, pipelineRunId, stepRunId } from './run-ids.ts';

/** The states of a pipeline run that lineage records. */
export type PipelineRunEventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';

/**
 * An event of the pipeline run itself (job `<pipeline>`, run id from the execution ARN). Emitted from the
 * execution's status changes: by the local runner here, by the status-change function in AWS.
 */
export function pipelineRunEvent(
  spec: PipelineSpec,
  eventType: PipelineRunEventType,
  execution: { arn: string; trigger: ExecutionTrigger; error?: { name: string; message: string } },
): RunEvent {
  const runFacets: Record<string, Facet> = { processing_engine: facets.processingEngineRunFacet() };
  if (execution.trigger.kind === 'schedule') {
    runFacets.nominalTime = facets.nominalTimeRunFacet({ nominalStartTime: execution.trigger.nominalTime });
  }
  if (execution.error) {
    runFacets.errorMessage = facets.errorMessageRunFacet({
      message: `${execution.error.name}: ${execution.error.message}`,
      programmingLanguage: 'typescript',
    });
  }
  return runEvent({
    eventType,
    run: { runId: pipelineRunId(execution.arn), facets: runFacets },
    job: {
      namespace: spec.namespace,
      name: spec.name,
      facets: { jobType: facets.jobTypeJobFacet({ processingType: 'BATCH', integration: 'SLUICE', jobType: 'PIPELINE' }) },
    },
    inputs: triggerInputs(spec, execution.trigger),
    outputs: [],
  });
}

/** The triggering upload as an input dataset of the run, with the object's version. */
function triggerInputs(spec: PipelineSpec, trigger: ExecutionTrigger): InputDataset[] {
  if (trigger.kind !== 'upload') return [];
  const dataset = Object.values(spec.datasets).find((d) => d.bucket === trigger.bucket && trigger.key.startsWith(`${d.prefix}/`));
  if (!dataset) return [];
  const identity = datasetIdentity(dataset);
  const version = trigger.versionId ?? trigger.etag;
  return [
    {
      ...identity,
      facets: {
        dataSource: facets.dataSourceDatasetFacet({ name: identity.namespace, uri: identity.namespace }),
        ...(version ? { version: facets.datasetVersionDatasetFacet({ datasetVersion: version }) } : {}),
      },
    } as InputDataset,
  ];
}

/**
 * The terminal event of a step run its handler could not finish itself (timed out, killed, aborted), with the
 * same deterministic run id the handler used for its START and the parent facets pointing at the pipeline run.
 */
export function closedStepRunEvent(
  pipeline: { name: string; namespace: string },
  executionArn: string,
  open: { state: string; attempt: number; eventType: 'FAIL' | 'ABORT'; reason: string; execution?: string },
): RunEvent {
  const parentJob = { namespace: pipeline.namespace, name: pipeline.name };
  const parentRun = { runId: pipelineRunId(executionArn) };
  return runEvent({
    eventType: open.eventType,
    run: {
      // A Distributed Map's child run has the child execution's id; its parent is still the pipeline run.
      runId: stepRunId(open.execution ?? executionArn, open.state, open.attempt),
      facets: {
        parent: facets.parentRunFacet({ job: parentJob, run: parentRun, root: { job: parentJob, run: parentRun } }),
        processing_engine: facets.processingEngineRunFacet(),
        errorMessage: facets.errorMessageRunFacet({ message: open.reason, programmingLanguage: 'typescript' }),
      },
    },
    job: {
      namespace: pipeline.namespace,
      name: `${pipeline.name}.${open.state}`,
      facets: { jobType: facets.jobTypeJobFacet({ processingType: 'BATCH', integration: 'SLUICE', jobType: 'TASK' }) },
    },
    inputs: [],
    outputs: [],
  });
}
