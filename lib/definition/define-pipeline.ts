import { SluiceError } from '../../core/errors.ts';
import { formatIssues, formatPath } from '../../core/issues.ts';
import { columnsFromZod } from './columns.ts';
import { datasetProblems } from './dataset-checks.ts';
import { NamespaceSchema } from './names.ts';
import {
  PipelineDefinitionSchema,
  PipelineSpecSchema,
  type DatasetSpec,
  type PipelineDefinition,
  type PipelineSpec,
} from './pipeline-schema.ts';
import { stepProblems } from './step-checks.ts';
import { kindOf } from './step-kinds/index.ts';
import { triggerProblems } from './trigger-checks.ts';

/** Raised when a pipeline definition is invalid; `details` lists every problem with its path. */
export class PipelineDefinitionError extends SluiceError {
  /** The compiled spec when only references between its parts are wrong, so checks of the rest can still run. */
  readonly spec: PipelineSpec | undefined;

  constructor(pipelineName: string, problems: string[], spec?: PipelineSpec) {
    super('SPEC_INVALID', `Pipeline definition ${pipelineName} is invalid:\n  ${problems.join('\n  ')}`, { details: problems });
    this.spec = spec;
  }
}

/** Default lineage job namespace, as DESIGN.md fixes it. */
export const DEFAULT_NAMESPACE = 'sluice';

/**
 * Validates a pipeline definition and compiles it to its plain-JSON spec.
 * Throws {@link PipelineDefinitionError} listing every problem, each with its path (`steps[2].sql: required`).
 */
export function definePipeline(definition: PipelineDefinition): PipelineSpec {
  const label = pipelineLabel(definition);
  const parsed = PipelineDefinitionSchema.safeParse(definition, { reportInput: true });
  if (!parsed.success) throw new PipelineDefinitionError(label, formatIssues(parsed.error));
  const problems: string[] = [];
  const datasets: Record<string, DatasetSpec> = {};
  for (const [name, { schema, ...dataset }] of Object.entries(parsed.data.datasets)) {
    if (schema === undefined) {
      datasets[name] = dataset;
      continue;
    }
    const { columns, problems: columnProblems } = columnsFromZod(schema);
    for (const [path, message] of columnProblems) {
      problems.push(`${formatPath(['datasets', name, 'schema', ...(path ? [path] : [])])}: ${message}`);
    }
    datasets[name] = { ...dataset, columns };
  }
  const spec = {
    ...parsed.data,
    // The job namespace follows OpenLineage integrations: explicit, else OPENLINEAGE_NAMESPACE, else "sluice".
    namespace: parsed.data.namespace ?? process.env.OPENLINEAGE_NAMESPACE ?? DEFAULT_NAMESPACE,
    datasets,
  };
  propagateColumns(spec);
  const namespace = NamespaceSchema.safeParse(spec.namespace);
  if (!namespace.success) problems.push(...formatIssues(namespace.error, { prefix: ['namespace'] }));
  problems.push(...crossReferenceProblems(spec));
  if (problems.length > 0) throw new PipelineDefinitionError(label, problems, spec);
  return spec;
}

/** Validates an already compiled spec (for instance one read back from JSON). */
export function parsePipelineSpec(value: unknown): PipelineSpec {
  const parsed = PipelineSpecSchema.safeParse(value, { reportInput: true });
  const label = pipelineLabel(value);
  if (!parsed.success) throw new PipelineDefinitionError(label, formatIssues(parsed.error));
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw new PipelineDefinitionError(label, problems);
  return parsed.data;
}

/**
 * Gives datasets without a schema the columns their producing step keeps (each kind says which: ingest writes its
 * input's columns, data tests publish or quarantine the tested batch unchanged), and likewise its semantics, so a
 * snapshot declared where uploads arrive is the snapshot readers see (a feature table keeps its own). Rules on staged
 * data are then checked too.
 */
function propagateColumns(spec: PipelineSpec): void {
  for (const step of spec.steps) {
    for (const [to, from] of kindOf(step).passesColumns?.(step) ?? []) {
      const target = spec.datasets[to];
      const source = spec.datasets[from];
      if (!target || !source) continue;
      spec.datasets[to] = {
        ...target,
        ...(!target.columns && source.columns ? { columns: source.columns } : {}),
        ...(target.semantics === undefined && !target.featureTable && source.semantics !== undefined
          ? { semantics: source.semantics }
          : {}),
      };
    }
  }
}

function pipelineLabel(value: unknown): string {
  const name = (value as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? JSON.stringify(name) : '(unnamed)';
}

/** The checks a schema cannot express: names that must refer to each other. */
function crossReferenceProblems(spec: PipelineSpec): string[] {
  return [...datasetProblems(spec), ...stepProblems(spec), ...triggerProblems(spec)];
}
