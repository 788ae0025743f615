import { isSluiceError } from '../../../core/errors.ts';
import type { FeatureBuildStep } from '../../definition/step-kinds/index.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { featureTableFieldProblems } from '../../runtime/feature-table-read.ts';
import { BATCH_COLUMN } from '../../runtime/table-read.ts';
import { emptyTable, firstLine, type CheckContext, type Field } from '../check-context.ts';
import { featureColumnLineage, type LineageInput } from './column-lineage.ts';
import { featureParams, featureSql } from './feature-params.ts';
import { featureSqlError } from './sql-errors.ts';

/**
 * Binds a feature step's SQL with DuckDB against empty tables of its inputs' columns (types included, and the
 * `batch` column every input gets), with its parameters, and runs it: any parser, binder or type error is reported
 * at `steps[i].sql`. The result's columns become the known columns of the output for the checks of later steps.
 */
export async function checkFeatureSql(step: FeatureBuildStep, index: number, context: CheckContext): Promise<void> {
  const at = (...path: PropertyKey[]): PropertyKey[] => ['steps', index, ...path];
  const unknown = Object.entries(step.inputs).filter(([, ref]) => !context.columns(ref));
  if (unknown.length > 0) {
    context.notChecked(
      at('sql'),
      `the SQL is not bound before the run: ${unknown.map(([alias, ref]) => `input ${alias}: ${context.unknownColumns(ref)}`).join('; ')}`,
    );
    return;
  }
  const db = await context.duckdb();
  const inputs = new Map<string, LineageInput>();
  for (const [alias, ref] of Object.entries(step.inputs)) {
    const fields = context.columns(ref)!;
    await emptyTable(db, alias, fields, BATCH_COLUMN);
    inputs.set(alias, { ...datasetIdentity(context.spec.datasets[ref]!), columns: [...fields.map((f) => f.name), BATCH_COLUMN] });
  }
  const sql = featureSql(step);
  let result: { types: Record<string, string> };
  try {
    const params = await featureParams(db, step, sql, { nominalTime: new Date().toISOString(), batchId: 'check' });
    try {
      result = await db.columns(sql, params);
    } catch (error) {
      throw featureSqlError(step.name, error, sql);
    }
  } catch (error) {
    context.problem(at('sql'), isSluiceError(error) ? error.message : firstLine(error));
    return;
  }
  const fields: Field[] = Object.entries(result.types).map(([name, type]) => ({ name, type }));
  const output = context.spec.datasets[step.output];
  const lacking = (output?.columns ?? []).filter((c) => !fields.some((f) => f.name === c.name)).map((c) => c.name);
  if (lacking.length > 0) {
    context.problem(
      at('sql'),
      `the result lacks ${lacking.join(', ')}, which dataset ${JSON.stringify(step.output)} declares (result columns: ${fields.map((f) => f.name).join(', ')})`,
    );
  }
  if (output?.featureTable && !step.transform) {
    for (const problem of featureTableFieldProblems(output.featureTable, fields)) {
      context.problem(at('sql'), `the result does not fit feature table ${JSON.stringify(step.output)}: ${problem}`);
    }
  }
  if (step.transform) {
    context.notChecked(at('transform'), `the columns of ${JSON.stringify(step.output)} are known only once the transform has run`);
    return;
  }
  context.produces(step.output, fields);
  try {
    const lineage = await featureColumnLineage(db, {
      sql,
      step: step.name,
      inputs,
      outputColumns: fields.map((f) => f.name),
      declared: step.columnLineage,
    });
    if ('unsupported' in lineage) {
      context.notChecked(
        at('columnLineage'),
        `column lineage is not derived from this SQL (${lineage.unsupported}); declare it with columnLineage`,
      );
    }
  } catch (error) {
    context.problem(at('columnLineage'), firstLine(error));
  }
}
