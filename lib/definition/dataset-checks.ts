import { formatPath } from '../../core/issues.ts';
import type { DatasetSpec, PipelineSpec } from './pipeline-schema.ts';
import { NUMERIC_RULES, ruleColumns, type DataTestRule } from './rules.ts';
import { semanticsOf } from './dataset-semantics.ts';
import { EVENT_TIME_TYPES } from './feature-table.ts';

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
    problems.push(...semanticsProblems(name, ds), ...featureTableProblems(name, ds), ...ingestOptionProblems(spec, name, ds));
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
  if (semantics.kind !== 'upsert' || !ds.columns || ds.featureTable) return [];
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

/**
 * A feature table is Parquet, combines its batches by key and event time (so it declares no semantics of its own),
 * and its key and event-time columns exist, distinct, the event time typed as a time.
 */
function featureTableProblems(name: string, ds: DatasetSpec): string[] {
  const table = ds.featureTable;
  if (!table) return [];
  const at = (...path: PropertyKey[]): string => formatPath(['datasets', name, 'featureTable', ...path]);
  const problems: string[] = [];
  if (ds.format !== 'parquet')
    problems.push(`${at()}: a feature table is Parquet (steps write it), got format ${JSON.stringify(ds.format)}`);
  if (ds.semantics !== undefined) {
    problems.push(
      `${formatPath(['datasets', name, 'semantics'])}: a feature table keeps the latest row per key and event time (an upsert by ${[...table.key, table.eventTime].join(', ')}); remove semantics`,
    );
  }
  if (table.key.includes(table.eventTime)) problems.push(`${at('eventTime')}: ${JSON.stringify(table.eventTime)} is also a key column`);
  const duplicate = table.key.find((k, i) => table.key.indexOf(k) !== i);
  if (duplicate !== undefined) problems.push(`${at('key')}: ${JSON.stringify(duplicate)} is listed twice`);
  if (!ds.columns) return problems;
  const columns = `(columns: ${ds.columns.map((c) => c.name).join(', ')})`;
  table.key.forEach((k, i) => {
    if (!ds.columns!.some((c) => c.name === k))
      problems.push(`${at('key', i)}: ${JSON.stringify(k)} is not a column of dataset ${JSON.stringify(name)} ${columns}`);
  });
  const eventTime = ds.columns.find((c) => c.name === table.eventTime);
  if (!eventTime)
    problems.push(`${at('eventTime')}: ${JSON.stringify(table.eventTime)} is not a column of dataset ${JSON.stringify(name)} ${columns}`);
  else if (!(EVENT_TIME_TYPES as readonly string[]).includes(eventTime.type)) {
    problems.push(
      `${at('eventTime')}: an event time is a timestamp or date column; ${JSON.stringify(eventTime.name)} is ${eventTime.type}`,
    );
  }
  return problems;
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
