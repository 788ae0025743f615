import { formatPath } from '../../core/issues.ts';
import { knownDatasets } from './dataset-checks.ts';
import type { DatasetSpec, PipelineSpec } from './pipeline-schema.ts';
import { ASL_STATES } from './state-names.ts';
import { kindOf, stepReads, type StepCheck } from './step-kinds/index.ts';

/** Problems of the steps: duplicate and reserved names, and each kind's own reference checks. */
export function stepProblems(spec: PipelineSpec): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const reserved: readonly string[] = Object.values(ASL_STATES);
  spec.steps.forEach((step, i) => {
    if (names.has(step.name)) problems.push(`steps[${i}].name: duplicate step name ${JSON.stringify(step.name)}`);
    names.add(step.name);
    if (reserved.includes(step.name)) {
      problems.push(`steps[${i}].name: ${JSON.stringify(step.name)} is reserved for a state Sluice adds (${reserved.join(', ')})`);
    }
    kindOf(step).check(step, stepCheck(spec, ['steps', i], problems));
  });
  problems.push(...orderProblems(spec));
  return problems;
}

/** Steps run in the order they are listed, so a step must come after every step that writes what it reads. */
function orderProblems(spec: PipelineSpec): string[] {
  const problems: string[] = [];
  spec.steps.forEach((step, i) => {
    for (const ref of stepReads(step, spec)) {
      spec.steps.forEach((writer, j) => {
        if (j > i && kindOf(writer).writes(writer, spec).includes(ref)) {
          problems.push(
            `steps[${i}]: step ${JSON.stringify(step.name)} reads ${JSON.stringify(ref)}, which step ${JSON.stringify(writer.name)} (steps[${j}]) writes after it; list steps in the order data flows`,
          );
        }
      });
    }
  });
  return problems;
}

/** The lookups a kind's checks use, reporting problems under the step's path. */
function stepCheck(spec: PipelineSpec, at: readonly PropertyKey[], problems: string[]): StepCheck {
  const problem = (path: readonly PropertyKey[], message: string): void => {
    problems.push(`${formatPath([...at, ...path])}: ${message}`);
  };
  const dataset = (path: readonly PropertyKey[], ref: string): DatasetSpec | undefined => {
    const found = spec.datasets[ref];
    if (!found) problem(path, `unknown dataset ${JSON.stringify(ref)} (datasets: ${knownDatasets(spec)})`);
    return found;
  };
  return {
    spec,
    problem,
    dataset,
    parquet(path, ref, why) {
      const found = dataset(path, ref);
      if (found && found.format !== 'parquet') {
        problem(path, `dataset ${JSON.stringify(ref)} must have format "parquet" (${why}), got ${JSON.stringify(found.format)}`);
      }
    },
    column(path, ref, column) {
      const columns = spec.datasets[ref]?.columns;
      if (columns && !columns.some((c) => c.name === column)) {
        problem(
          path,
          `${JSON.stringify(column)} is not a column of dataset ${JSON.stringify(ref)} (columns: ${columns.map((c) => c.name).join(', ')})`,
        );
      }
    },
  };
}
