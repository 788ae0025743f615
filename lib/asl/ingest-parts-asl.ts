import type { PipelineSpec, Step } from '../definition/pipeline-schema.ts';
import { ASL_STATES, INGEST_PART_STATES } from '../definition/state-names.ts';
import { ingestPartsOf } from '../definition/step-kinds/ingest.ts';
import { ingestPartsPrefix } from '../definition/storage-layout.ts';
import type { TaskStateBuilder } from './backfill-asl.ts';

/**
 * True for an ingest step, whose large uploads are ingested in parts: CSV and JSON Lines cut at record starts, Parquet
 * by row groups (compressed uploads take the single Task, by the size Choice).
 */
export function ingestsInParts(spec: PipelineSpec, step: Step): boolean {
  return step.kind === 'ingest' && spec.datasets[step.input] !== undefined;
}

/** The state a step's run starts at: the Choice on the object's size for an ingest that may split, else the step. */
export function stepEntry(spec: PipelineSpec, step: Step): string {
  return ingestsInParts(spec, step) ? INGEST_PART_STATES.size(step.name) : step.name;
}

/** A compressed object cannot be cut at byte offsets: it is always ingested whole. */
const COMPRESSED = ['*.gz', '*.GZ', '*.zst', '*.ZST', '*.zstd', '*.ZSTD'];

/**
 * The states of an ingest in parts: a Choice sends an upload larger than `parts.above` (and not compressed) to a plan
 * Task, which writes the parts list; a Distributed Map runs one child execution per part (the ingest Lambda on its
 * byte range); a gather Task judges the whole object and publishes, its result stored where the single Task's would be.
 * Smaller uploads go to the single Task (`single`), unchanged.
 */
export function ingestPartsStates(
  spec: PipelineSpec,
  step: Step,
  task: TaskStateBuilder,
  next: string,
): Record<string, Record<string, unknown>> {
  if (step.kind !== 'ingest' || !ingestsInParts(spec, step)) return {};
  const settings = ingestPartsOf(step);
  const names = INGEST_PART_STATES;
  const scratch = ingestPartsPrefix(spec.datasets[step.output]!);
  const withTask = (state: Record<string, unknown>, ingestTask: Record<string, unknown>): Record<string, unknown> => {
    const parameters = state['Parameters'] as { Payload: Record<string, unknown> };
    return { ...state, Parameters: { ...parameters, Payload: { ...parameters.Payload, ingestTask } } };
  };
  // The plan's result is only the parts list it writes; a part's child ends with its Task, whose failure fails the child.
  const plan = withTask(task(step, names.items(step.name), { child: false }), { mode: 'plan' });
  delete plan['ResultSelector'];
  const part = withTask(task(step, '', { child: true }), { mode: 'part', 'part.$': '$.part' });
  delete part['Catch'];
  delete part['Next'];
  return {
    [names.size(step.name)]: {
      Type: 'Choice',
      Comment: `Ingests an upload larger than ${settings.above} bytes in parts, unless it is compressed`,
      Choices: [
        {
          And: [
            { Variable: '$.trigger.size', IsPresent: true },
            { Variable: '$.trigger.size', IsNumeric: true },
            { Variable: '$.trigger.size', NumericGreaterThan: settings.above },
            ...COMPRESSED.map((pattern) => ({ Not: { Variable: '$.trigger.key', StringMatches: pattern } })),
          ],
          Next: names.plan(step.name),
        },
      ],
      Default: step.name,
    },
    [names.plan(step.name)]: {
      ...plan,
      Comment:
        spec.datasets[step.input]!.format === 'parquet'
          ? `Plans the parts of the upload (about ${settings.size} bytes each, whole row groups)`
          : `Plans the parts of the upload (about ${settings.size} bytes each, cut at record starts)`,
      ResultPath: null,
    },
    [names.items(step.name)]: {
      Type: 'Pass',
      Comment: "Where the plan wrote the parts list: the execution's folder of the scratch prefix",
      Parameters: {
        bucket: scratch.bucket,
        'key.$': `States.Format('${escapeFormat(scratch.prefix)}/{}/parts.json', $$.Execution.Name)`,
      },
      ResultPath: '$.ingestParts',
      Next: names.parts(step.name),
    },
    [names.parts(step.name)]: {
      Type: 'Map',
      Comment: `Ingests each part in its own child execution, ${settings.concurrency} at a time`,
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { Bucket: scratch.bucket, 'Key.$': '$.ingestParts.key' },
      },
      ItemSelector: {
        'trigger.$': '$.trigger',
        'results.$': '$.results',
        'part.$': '$$.Map.Item.Value',
        parent: { 'executionId.$': '$$.Execution.Id' },
      },
      MaxConcurrency: settings.concurrency,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: names.part(step.name),
        States: { [names.part(step.name)]: { ...part, ResultPath: null, End: true } },
      },
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: ASL_STATES.failed }],
      Next: names.gather(step.name),
    },
    [names.gather(step.name)]: withTask(task(step, next, { child: false }), { mode: 'gather' }),
  };
}

/** Escapes the characters States.Format treats specially. */
function escapeFormat(text: string): string {
  return text.replace(/[\\'{}]/g, (c) => `\\${c}`);
}
