import { knownDatasets } from './dataset-checks.ts';
import type { PipelineSpec } from './pipeline-schema.ts';
import { kindOf, stepReads } from './step-kinds/index.ts';

/** Problems of the triggers: what an upload starts must read the uploaded dataset; a schedule must start where it can. */
export function triggerProblems(spec: PipelineSpec): string[] {
  const problems: string[] = [];
  const [first] = spec.steps;
  const stepNames = spec.steps.map((s) => s.name);
  const scheduleNames = new Set<string>();
  spec.triggers.forEach((trigger, i) => {
    if (trigger.kind === 'upload') {
      if (!spec.datasets[trigger.dataset]) {
        problems.push(`triggers[${i}].dataset: unknown dataset ${JSON.stringify(trigger.dataset)} (datasets: ${knownDatasets(spec)})`);
      } else if (first && kindOf(first).scheduleStartProblem !== undefined && !stepReads(first, spec).includes(trigger.dataset)) {
        problems.push(
          `triggers[${i}].dataset: the first step ${JSON.stringify(first.name)} ${first.kind === 'ingest' ? 'ingests' : 'reads'} ${stepReads(
            first,
            spec,
          )
            .map((r) => JSON.stringify(r))
            .join(
              ', ',
            )}, so uploads to ${JSON.stringify(trigger.dataset)} would start a run with nothing to ${first.kind === 'ingest' ? 'ingest' : 'read'}`,
        );
      }
      return;
    }
    if (scheduleNames.has(trigger.name)) problems.push(`triggers[${i}].name: duplicate schedule name ${JSON.stringify(trigger.name)}`);
    scheduleNames.add(trigger.name);
    if (trigger.startAt !== undefined && !stepNames.includes(trigger.startAt)) {
      problems.push(`triggers[${i}].startAt: unknown step ${JSON.stringify(trigger.startAt)} (steps: ${stepNames.join(', ')})`);
    }
    const start = trigger.startAt === undefined ? first : spec.steps.find((s) => s.name === trigger.startAt);
    const problem = start && kindOf(start).scheduleStartProblem;
    if (problem) {
      const startable = spec.steps.filter((s) => kindOf(s).scheduleStartProblem === undefined).map((s) => s.name);
      problems.push(`triggers[${i}].startAt: ${problem}; start at a feature or scoring step (${startable.join(', ') || 'none'})`);
    }
  });
  return problems;
}
