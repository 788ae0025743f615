import { SluiceError } from '../../core/errors.ts';
import { columnsFromZod } from './columns.ts';
import { ASL_STATES } from '../asl/compile-asl.ts';
import { formatIssues, formatPath } from '../../core/issues.ts';
import { NamespaceSchema } from './names.ts';
import {
  PipelineDefinitionSchema,
  PipelineSpecSchema,
  type DatasetSpec,
  type PipelineDefinition,
  type PipelineSpec,
  type Step,
} from './pipeline-schema.ts';
import { NUMERIC_RULES, ruleColumns } from './rules.ts';

/** Raised when a pipeline definition is invalid; `details` lists every problem with its path. */
export class PipelineDefinitionError extends SluiceError {
  constructor(pipelineName: string, problems: string[]) {
    super('SPEC_INVALID', `Pipeline definition ${pipelineName} is invalid:\n  ${problems.join('\n  ')}`, { details: problems });
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
  const parsed = PipelineDefinitionSchema.safeParse(definition);
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
  if (problems.length > 0) throw new PipelineDefinitionError(label, problems);
  return spec;
}

/** Validates an already compiled spec (for instance one read back from JSON). */
export function parsePipelineSpec(value: unknown): PipelineSpec {
  const parsed = PipelineSpecSchema.safeParse(value);
  const label = pipelineLabel(value);
  if (!parsed.success) throw new PipelineDefinitionError(label, formatIssues(parsed.error));
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw new PipelineDefinitionError(label, problems);
  return parsed.data;
}

/**
 * Gives datasets without a schema the columns their producing step keeps: ingest writes its input's columns,
 * data tests publish or quarantine the tested batch unchanged. Rules on staged data are then checked too.
 */
function propagateColumns(spec: PipelineSpec): void {
  const inherit = (to: string, from: string): void => {
    const target = spec.datasets[to];
    const columns = spec.datasets[from]?.columns;
    if (target && !target.columns && columns) spec.datasets[to] = { ...target, columns };
  };
  for (const step of spec.steps) {
    if (step.kind === 'ingest') inherit(step.output, step.input);
    if (step.kind === 'dataTests') {
      inherit(step.publishTo, step.dataset);
      inherit(step.quarantineTo, step.dataset);
    }
  }
}

function pipelineLabel(value: unknown): string {
  const name = (value as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? JSON.stringify(name) : '(unnamed)';
}

/** The checks a schema cannot express: names that must refer to each other. */
function crossReferenceProblems(spec: PipelineSpec): string[] {
  const problems: string[] = [];
  const datasetNames = Object.keys(spec.datasets);
  const known = datasetNames.length ? datasetNames.map((n) => JSON.stringify(n)).join(', ') : 'none';
  const dataset = (path: PropertyKey[], ref: string): DatasetSpec | undefined => {
    const found = spec.datasets[ref];
    if (!found) problems.push(`${formatPath(path)}: unknown dataset ${JSON.stringify(ref)} (datasets: ${known})`);
    return found;
  };
  const requireParquet = (path: PropertyKey[], ref: string, why: string): void => {
    const found = dataset(path, ref);
    if (found && found.format !== 'parquet') {
      problems.push(
        `${formatPath(path)}: dataset ${JSON.stringify(ref)} must have format "parquet" (${why}), got ${JSON.stringify(found.format)}`,
      );
    }
  };
  const requireColumn = (path: PropertyKey[], ref: string, column: string): void => {
    const columns = spec.datasets[ref]?.columns;
    if (columns && !columns.some((c) => c.name === column)) {
      problems.push(
        `${formatPath(path)}: ${JSON.stringify(column)} is not a column of dataset ${JSON.stringify(ref)} (columns: ${columns.map((c) => c.name).join(', ')})`,
      );
    }
  };

  for (const [name, ds] of Object.entries(spec.datasets)) {
    if (ds.csv && ds.format !== 'csv') problems.push(`datasets.${name}.csv: CSV options given for a ${ds.format} dataset`);
    if (ds.csv?.header === false && !ds.columns) {
      problems.push(`datasets.${name}.csv.header: a CSV without a header line needs a schema to name its columns`);
    }
    ds.tests?.forEach((rule, i) => {
      const typed = 'column' in rule ? ds.columns?.find((c) => c.name === rule.column) : undefined;
      const at = formatPath(['datasets', name, 'tests', i, 'column']);
      if (typed && NUMERIC_RULES.has(rule.rule) && typed.type !== 'number' && typed.type !== 'integer') {
        problems.push(`${at}: a ${rule.rule} rule needs a number or integer column; "${typed.name}" is ${typed.type}`);
      }
      if (typed && rule.rule === 'freshness' && typed.type !== 'timestamp' && typed.type !== 'date') {
        problems.push(`${at}: a freshness rule needs a timestamp or date column; "${typed.name}" is ${typed.type}`);
      }
      if (rule.rule === 'referential') {
        const target = spec.datasets[rule.dataset];
        const refColumn = rule.referencedColumn ?? rule.column;
        if (!target)
          problems.push(
            `${formatPath(['datasets', name, 'tests', i, 'dataset'])}: unknown dataset ${JSON.stringify(rule.dataset)} (datasets: ${known})`,
          );
        else if (target.columns && !target.columns.some((c) => c.name === refColumn)) {
          problems.push(
            `${formatPath(['datasets', name, 'tests', i, 'referencedColumn'])}: "${refColumn}" is not a column of dataset "${rule.dataset}"`,
          );
        }
      }
      for (const column of ruleColumns(rule)) {
        const key = rule.rule === 'unique' ? 'columns' : 'column';
        if (ds.columns && !ds.columns.some((c) => c.name === column)) {
          problems.push(
            `${formatPath(['datasets', name, 'tests', i, key])}: ${JSON.stringify(column)} is not a column of dataset ${JSON.stringify(name)} (columns: ${ds.columns.map((c) => c.name).join(', ')})`,
          );
        }
      }
    });
    for (const [other, ods] of Object.entries(spec.datasets)) {
      if (other <= name || ods.bucket !== ds.bucket) continue;
      if (`${ods.prefix}/`.startsWith(`${ds.prefix}/`) || `${ds.prefix}/`.startsWith(`${ods.prefix}/`)) {
        problems.push(
          `datasets.${other}.prefix: "${ods.prefix}" overlaps dataset ${JSON.stringify(name)} ("${ds.prefix}") in bucket ${ds.bucket}; a dataset's objects must not share a prefix with another's`,
        );
      }
    }
  }

  const stepNames = new Set<string>();
  spec.steps.forEach((step, i) => {
    if (stepNames.has(step.name)) problems.push(`steps[${i}].name: duplicate step name ${JSON.stringify(step.name)}`);
    stepNames.add(step.name);
    if ((Object.values(ASL_STATES) as string[]).includes(step.name)) {
      problems.push(
        `steps[${i}].name: ${JSON.stringify(step.name)} is reserved for a state Sluice adds (${Object.values(ASL_STATES).join(', ')})`,
      );
    }
    switch (step.kind) {
      case 'ingest':
        dataset(['steps', i, 'input'], step.input);
        requireParquet(['steps', i, 'output'], step.output, 'ingest writes Parquet');
        requireParquet(['steps', i, 'rejects'], step.rejects, 'ingest writes rejected rows as Parquet');
        break;
      case 'dataTests':
        requireParquet(['steps', i, 'dataset'], step.dataset, 'data tests read staged Parquet');
        requireParquet(['steps', i, 'publishTo'], step.publishTo, 'published batches are Parquet');
        requireParquet(['steps', i, 'quarantineTo'], step.quarantineTo, 'quarantined batches are Parquet');
        break;
      case 'featureBuild':
        for (const [alias, ref] of Object.entries(step.inputs)) dataset(['steps', i, 'inputs', alias], ref);
        requireParquet(['steps', i, 'output'], step.output, 'feature builds write Parquet');
        problems.push(...featureBuildProblems(spec, step, i));
        break;
      case 'batchScore':
        if (dataset(['steps', i, 'input'], step.input)) requireColumn(['steps', i, 'entityKey'], step.input, step.entityKey);
        requireParquet(['steps', i, 'output'], step.output, 'predictions are Parquet');
        break;
    }
  });

  const [first] = spec.steps;
  const scheduleNames = new Set<string>();
  spec.triggers.forEach((trigger, i) => {
    if (trigger.kind === 'upload') {
      dataset(['triggers', i, 'dataset'], trigger.dataset);
      if (first?.kind === 'ingest' && first.input !== trigger.dataset) {
        problems.push(
          `triggers[${i}].dataset: the first step ${JSON.stringify(first.name)} ingests ${JSON.stringify(first.input)}, so uploads to ${JSON.stringify(trigger.dataset)} would start a run with nothing to ingest`,
        );
      }
      return;
    }
    if (scheduleNames.has(trigger.name)) problems.push(`triggers[${i}].name: duplicate schedule name ${JSON.stringify(trigger.name)}`);
    scheduleNames.add(trigger.name);
    if (trigger.startAt !== undefined && !stepNames.has(trigger.startAt)) {
      problems.push(`triggers[${i}].startAt: unknown step ${JSON.stringify(trigger.startAt)} (steps: ${[...stepNames].join(', ')})`);
    }
    const start = trigger.startAt === undefined ? first : spec.steps.find((s) => s.name === trigger.startAt);
    if (start?.kind === 'ingest' || start?.kind === 'dataTests') {
      const later = spec.steps.filter((s) => s.kind === 'featureBuild' || s.kind === 'batchScore').map((s) => s.name);
      problems.push(
        `triggers[${i}].startAt: a schedule has no uploaded batch to ${start.kind === 'ingest' ? 'ingest' : 'audit'}; start at a feature or scoring step (${later.join(', ') || 'none'})`,
      );
    }
  });
  return problems;
}

/** Parameters every feature build binds, so user params must not take their names. */
export const BUILT_IN_FEATURE_PARAMS = ['nominal_time', 'nominal_date', 'batch_id'] as const;

/** The cross-references of a feature build: windows, params and declared lineage name its inputs and their columns. */
function featureBuildProblems(spec: PipelineSpec, step: Extract<Step, { kind: 'featureBuild' }>, index: number): string[] {
  const problems: string[] = [];
  const aliases = Object.keys(step.inputs);
  const path = (...p: PropertyKey[]) => formatPath(['steps', index, ...p]);
  for (const alias of Object.keys(step.windows ?? {})) {
    if (!aliases.includes(alias))
      problems.push(`${path('windows', alias)}: ${JSON.stringify(alias)} is not an input of this step (inputs: ${aliases.join(', ')})`);
  }
  for (const name of Object.keys(step.params ?? {})) {
    if ((BUILT_IN_FEATURE_PARAMS as readonly string[]).includes(name)) {
      problems.push(`${path('params', name)}: $${name} is bound by Sluice (${BUILT_IN_FEATURE_PARAMS.map((p) => `$${p}`).join(', ')})`);
    }
  }
  const checkSource = (from: string, at: PropertyKey[]): void => {
    const alias = from.slice(0, from.indexOf('.'));
    const column = from.slice(from.indexOf('.') + 1);
    const ref = step.inputs[alias];
    if (ref === undefined) {
      problems.push(`${path(...at)}: ${JSON.stringify(alias)} is not an input of this step (inputs: ${aliases.join(', ')})`);
      return;
    }
    const columns = spec.datasets[ref]?.columns;
    if (columns && !columns.some((c) => c.name === column)) {
      problems.push(
        `${path(...at)}: ${JSON.stringify(column)} is not a column of input ${alias} (columns: ${columns.map((c) => c.name).join(', ')})`,
      );
    }
  };
  for (const [field, sources] of Object.entries(step.columnLineage?.fields ?? {})) {
    sources.forEach((s, j) => checkSource(s.from, ['columnLineage', 'fields', field, j, 'from']));
  }
  step.columnLineage?.dataset?.forEach((s, j) => checkSource(s.from, ['columnLineage', 'dataset', j, 'from']));
  return problems;
}
