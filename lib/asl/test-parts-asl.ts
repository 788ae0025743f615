import type { PipelineSpec, Step } from '../definition/pipeline-schema.ts';
import { ASL_STATES } from '../definition/state-names.ts';
import { kindOf } from '../definition/step-kinds/index.ts';
import { TestPartsSettingsSchema, type DataTestsStep, type TestPartsSettings } from '../definition/step-kinds/data-tests.ts';

/** Builds a step's Task state; `child` adds the parent execution, `payload` more fields, to its payload. */
export type PartTaskBuilder = (
  step: Step,
  next: string,
  options: { child: boolean; payload?: Record<string, unknown> },
) => Record<string, unknown>;

/** The names of the states of a data-test step audited in parts (a space keeps them apart from step names). */
export const TEST_PARTS_STATES = {
  /** The Choice between the single scan and the parts. */
  size: (step: string): string => `Size ${step}`,
  /** The Distributed Map of the staged files. */
  parts: (step: string): string => `Parts ${step}`,
  /** Inside a part's child execution: its input shaped as a step's, then the part's Task. */
  begin: (step: string): string => `Begin part (${step})`,
  part: (step: string): string => `Part (${step})`,
  /** The Task merging the parts' results and judging the batch. */
  merge: (step: string): string => `Merge ${step}`,
} as const;

/** A data-test step's settings for auditing in parts, with defaults; undefined when it never does. */
export function testPartsSettings(step: Step): TestPartsSettings | undefined {
  if (step.kind !== 'dataTests' || step.parts === false) return undefined;
  return TestPartsSettingsSchema.parse(step.parts ?? {});
}

/** The last step before `step` that writes its staged dataset: the Map's items are that step's outputs. */
function writerOf(spec: PipelineSpec, step: DataTestsStep): Step | undefined {
  const before = spec.steps.slice(0, spec.steps.indexOf(step));
  return before.findLast((s) =>
    kindOf(s)
      .writes(s as never, spec)
      .includes(step.dataset),
  );
}

/**
 * The states that let a data-test step audit a large batch in parts, or undefined when it cannot (parts turned off, or
 * no earlier step writes its dataset). `Size <step>` sends a batch whose writing step reported at least `minRows` rows
 * in two files or more to a Distributed Map over those files (`filesPerPart` per child, `concurrency` at once); each
 * child runs the step's Lambda as a part, then `Merge <step>` runs it as the merge and stores the step's result. A
 * smaller batch goes to the step's own Task, the single scan, unchanged.
 */
export function testPartsStates(
  spec: PipelineSpec,
  step: Step,
  next: string,
  task: PartTaskBuilder,
): { entry: string; states: Record<string, Record<string, unknown>> } | undefined {
  const settings = testPartsSettings(step);
  if (!settings || step.kind !== 'dataTests') return undefined;
  const writer = writerOf(spec, step);
  if (!writer) return undefined;
  const outputs = `$.results${member(writer.name)}.output`;
  const names = {
    size: TEST_PARTS_STATES.size(step.name),
    parts: TEST_PARTS_STATES.parts(step.name),
    begin: TEST_PARTS_STATES.begin(step.name),
    part: TEST_PARTS_STATES.part(step.name),
    merge: TEST_PARTS_STATES.merge(step.name),
  };
  const partTask = task(step, '', { child: true, payload: { testPart: { mode: 'part', 'items.$': '$.items' } } });
  const { Next: _next, Catch: _catch, ...partState } = partTask;
  return {
    entry: names.size,
    states: {
      [names.size]: {
        Type: 'Choice',
        Comment: `Audits ${step.dataset} in parts from ${settings.minRows} rows in two files or more, else in one scan`,
        Choices: [
          {
            And: [
              { Variable: `${outputs}.rowsOut`, IsPresent: true },
              { Variable: `${outputs}.rowsOut`, NumericGreaterThanEquals: settings.minRows },
              { Variable: `${outputs}.outputs[1]`, IsPresent: true },
            ],
            Next: names.parts,
          },
        ],
        Default: step.name,
      },
      [names.parts]: {
        Type: 'Map',
        Comment: `Computes the partial results of ${step.dataset}'s staged files, ${settings.filesPerPart} per child execution`,
        ItemsPath: `${outputs}.outputs`,
        ItemSelector: { 'index.$': '$$.Map.Item.Index', 'object.$': '$$.Map.Item.Value' },
        ItemBatcher: {
          MaxItemsPerBatch: settings.filesPerPart,
          BatchInput: { 'trigger.$': '$.trigger', parent: { 'executionId.$': '$$.Execution.Id' } },
        },
        MaxConcurrency: settings.concurrency,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: names.begin,
          States: {
            [names.begin]: {
              Type: 'Pass',
              Comment: 'Shapes the child input as a step expects it',
              Parameters: { 'trigger.$': '$.BatchInput.trigger', 'parent.$': '$.BatchInput.parent', 'items.$': '$.Items', results: {} },
              Next: names.part,
            },
            // A part's output is its row count: the merge reads the parts' results from S3, not from the Map's output.
            [names.part]: {
              ...partState,
              ResultSelector: { 'rows.$': '$.Payload.rowsIn' },
              ResultPath: '$.part',
              OutputPath: '$.part',
              End: true,
            },
          },
        },
        ResultPath: null,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: ASL_STATES.failed }],
        Next: names.merge,
      },
      [names.merge]: task(step, next, { child: false, payload: { testPart: { mode: 'merge' } } }),
    },
  };
}

function member(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `['${name}']`;
}
