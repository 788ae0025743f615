import { formatPath } from '../../core/issues.ts';
import type { DatasetSpec, PipelineSpec } from './pipeline-schema.ts';
import { NUMERIC_RULES, ruleColumns, type DataTestRule } from './rules.ts';
import { semanticsOf } from './dataset-semantics.ts';

/** The datasets a spec names, listed for messages (`"raw", "staged"`). */
export function knownDatasets(spec: PipelineSpec): string {
  const names = Object.keys(spec.datasets);
  return names.length ? names.map((n) => JSON.stringify(n)).join(', ') : 'none';
}

/** Problems of each dataset on its own and between datasets: CSV options, rule columns and types, overlapping prefixes. */
export function datasetProblems(spec: PipelineSpec): string[] {
  const problems: string[] = [];
  const entries = Object.entries(spec.datasets);
  for (const [name, ds] of entries) {
    if (ds.csv && ds.format !== 'csv') problems.push(`datasets.${name}.csv: CSV options given for a ${ds.format} dataset`);
    if (ds.csv?.header === false && !ds.columns) {
      problems.push(`datasets.${name}.csv.header: a CSV without a header line needs a schema to name its columns`);
    }
    ds.tests?.forEach((rule, i) => problems.push(...ruleProblems(spec, name, ds, rule, i)));
    problems.push(...semanticsProblems(name, ds), ...ingestOptionProblems(spec, name, ds));
    for (const [other, ods] of entries) {
      if (other <= name || ods.bucket !== ds.bucket) continue;
      if (`${ods.prefix}/`.startsWith(`${ds.prefix}/`) || `${ds.prefix}/`.startsWith(`${ods.prefix}/`)) {
        problems.push(
          `datasets.${other}.prefix: "${ods.prefix}" overlaps dataset ${JSON.stringify(name)} ("${ds.prefix}") in bucket ${ds.bucket}; a dataset's objects must not share a prefix with another's`,
        );
      }
    }
  }
  return problems;
}

/** An upsert's key and ordering columns must be columns of the dataset. */
function semanticsProblems(name: string, ds: DatasetSpec): string[] {
  const semantics = semanticsOf(ds);
  if (semantics.kind !== 'upsert' || !ds.columns) return [];
  const missing = (column: string, path: readonly PropertyKey[]): string[] =>
    ds.columns!.some((c) => c.name === column)
      ? []
      : [
          `${formatPath(['datasets', name, 'semantics', 'upsert', ...path])}: ${JSON.stringify(column)} is not a column of dataset ${JSON.stringify(name)} (columns: ${ds.columns!.map((c) => c.name).join(', ')})`,
        ];
  return [
    ...semantics.key.flatMap((column, i) => missing(column, ['key', i])),
    ...(semantics.orderBy ? missing(semantics.orderBy, ['orderBy']) : []),
  ];
}

/** maxRejectedFraction, extraColumns, malformedRecords and maxBytes say how uploads are ingested, so they belong on a dataset uploads arrive in. */
function ingestOptionProblems(spec: PipelineSpec, name: string, ds: DatasetSpec): string[] {
  const uploaded = spec.triggers.some((t) => t.kind === 'upload' && t.dataset === name);
  const problems: string[] = [];
  for (const option of ['maxRejectedFraction', 'extraColumns', 'malformedRecords', 'maxBytes'] as const) {
    if (ds[option] !== undefined && !uploaded) {
      problems.push(
        `datasets.${name}.${option}: applies to a dataset that uploads arrive in (an upload trigger's dataset, read by ingest); ${JSON.stringify(name)} is not one`,
      );
    }
  }
  if (ds.extraColumns !== undefined && uploaded && !ds.columns) {
    problems.push(`datasets.${name}.extraColumns: needs a schema, which says which columns are declared; without one every column is kept`);
  }
  return problems;
}

/** A rule's columns must exist and have a type the rule can judge; a referential rule's target must exist. */
function ruleProblems(spec: PipelineSpec, name: string, ds: DatasetSpec, rule: DataTestRule, i: number): string[] {
  const problems: string[] = [];
  const path = (key: string): string => formatPath(['datasets', name, 'tests', i, key]);
  const typed = 'column' in rule ? ds.columns?.find((c) => c.name === rule.column) : undefined;
  if (typed && NUMERIC_RULES.has(rule.rule) && typed.type !== 'number' && typed.type !== 'integer') {
    problems.push(`${path('column')}: a ${rule.rule} rule needs a number or integer column; "${typed.name}" is ${typed.type}`);
  }
  if (typed && rule.rule === 'freshness' && typed.type !== 'timestamp' && typed.type !== 'date') {
    problems.push(`${path('column')}: a freshness rule needs a timestamp or date column; "${typed.name}" is ${typed.type}`);
  }
  if (rule.rule === 'referential') {
    const target = spec.datasets[rule.dataset];
    const refColumn = rule.referencedColumn ?? rule.column;
    if (!target) problems.push(`${path('dataset')}: unknown dataset ${JSON.stringify(rule.dataset)} (datasets: ${knownDatasets(spec)})`);
    else if (target.columns && !target.columns.some((c) => c.name === refColumn)) {
      problems.push(`${path('referencedColumn')}: "${refColumn}" is not a column of dataset "${rule.dataset}"`);
    }
  }
  for (const column of ruleColumns(rule)) {
    if (ds.columns && !ds.columns.some((c) => c.name === column)) {
      problems.push(
        `${path(rule.rule === 'unique' ? 'columns' : 'column')}: ${JSON.stringify(column)} is not a column of dataset ${JSON.stringify(name)} (columns: ${ds.columns.map((c) => c.name).join(', ')})`,
      );
    }
  }
  return problems;
}
