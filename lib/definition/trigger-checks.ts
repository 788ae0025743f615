import { knownDatasets } from './dataset-checks.ts';
import type { PipelineSpec } from './pipeline-schema.ts';
import { planSteps } from './run-plans.ts';
import { kindOf, stepFeeds } from './step-kinds/index.ts';

/**
 * Problems of the triggers: an upload watches a dataset files arrive in (no step writes it) and an ingest step reads;
 * a schedule starts at a step that can start without an upload; and every step is run by some trigger.
 */
export function triggerProblems(spec: PipelineSpec): string[] {
  const problems: string[] = [];
  const stepNames = spec.steps.map((s) => s.name);
  const uploads = new Map<string, number>();
  const scheduleNames = new Set<string>();
  spec.triggers.forEach((trigger, i) => {
    if (trigger.kind === 'upload') {
      const ref = trigger.dataset;
      const at = `triggers[${i}].dataset`;
      const writer = spec.steps.find((s) => kindOf(s).writes(s, spec).includes(ref));
      const readers = spec.steps.filter((s) => stepFeeds(s, spec).includes(ref));
      if (!spec.datasets[ref]) problems.push(`${at}: unknown dataset ${JSON.stringify(ref)} (datasets: ${knownDatasets(spec)})`);
      else if (uploads.has(ref))
        problems.push(`${at}: triggers[${uploads.get(ref)}] already starts runs on uploads to ${JSON.stringify(ref)}`);
      else if (writer) {
        problems.push(
          `${at}: step ${JSON.stringify(writer.name)} writes ${JSON.stringify(ref)}; an upload trigger watches a dataset that files arrive in, not one the pipeline writes`,
        );
      } else if (readers.length === 0) {
        problems.push(
          `${at}: no step reads ${JSON.stringify(ref)}, so an upload would start a run with nothing to do; add an ingest step with input ${JSON.stringify(ref)}`,
        );
      }
      uploads.set(ref, uploads.get(ref) ?? i);
      for (const reader of readers) {
        if (kindOf(reader).readsUploads) continue;
        problems.push(
          `steps[${spec.steps.indexOf(reader)}]: ${JSON.stringify(ref)} receives uploads (triggers[${i}]), which only an ingest step reads; ingest it into a staged dataset and read what the data tests publish`,
        );
      }
      return;
    }
    if (scheduleNames.has(trigger.name)) problems.push(`triggers[${i}].name: duplicate schedule name ${JSON.stringify(trigger.name)}`);
    scheduleNames.add(trigger.name);
    if (trigger.startAt !== undefined && !stepNames.includes(trigger.startAt)) {
      problems.push(`triggers[${i}].startAt: unknown step ${JSON.stringify(trigger.startAt)} (steps: ${stepNames.join(', ')})`);
    }
    const start = trigger.startAt === undefined ? spec.steps[0] : spec.steps.find((s) => s.name === trigger.startAt);
    const problem = start && kindOf(start).scheduleStartProblem;
    if (problem) {
      const startable = spec.steps.filter((s) => kindOf(s).scheduleStartProblem === undefined).map((s) => s.name);
      problems.push(`triggers[${i}].startAt: ${problem}; start at a feature or scoring step (${startable.join(', ') || 'none'})`);
    }
  });
  if (problems.length > 0) return problems;
  const planned = new Set(spec.triggers.flatMap((t) => planSteps(spec, t)));
  spec.steps.forEach((step, i) => {
    if (!planned.has(step.name)) {
      problems.push(
        `steps[${i}]: no trigger runs step ${JSON.stringify(step.name)}: no upload or schedule produces what it reads (${stepFeeds(step, spec).join(', ')}); add a trigger or start a schedule at it`,
      );
    }
  });
  return problems;
}
