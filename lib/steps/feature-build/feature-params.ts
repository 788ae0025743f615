import { SluiceError } from '../../../core/errors.ts';
import type { FeatureBuildStep } from '../../definition/step-kinds/index.ts';
import type { DuckDb, SqlParam } from '../../runtime/duckdb.ts';
import { serializeSql } from './column-lineage.ts';
import { featureSqlError } from './sql-errors.ts';

/**
 * The values for the `$parameters` a feature step's SQL uses: `$nominal_time` (TIMESTAMPTZ: the schedule's nominal
 * time, or the upload's event time), `$nominal_date` (its UTC date), `$batch_id`, and the step's own `params`. Values
 * are bound, never spliced into the SQL. Fails when the SQL does not parse, is not one statement, or names a
 * parameter nobody defines.
 */
export async function featureParams(
  db: DuckDb,
  step: FeatureBuildStep,
  sql: string,
  run: { readonly nominalTime: string; readonly batchId: string },
): Promise<Record<string, SqlParam>> {
  const available: Record<string, SqlParam> = {
    nominal_time: { type: 'TIMESTAMPTZ', value: run.nominalTime },
    nominal_date: { type: 'DATE', value: run.nominalTime.slice(0, 10) },
    batch_id: { type: 'VARCHAR', value: run.batchId },
  };
  for (const [name, value] of Object.entries(step.params ?? {})) {
    available[name] = {
      type: typeof value === 'boolean' ? 'BOOLEAN' : typeof value === 'string' ? 'VARCHAR' : Number.isInteger(value) ? 'BIGINT' : 'DOUBLE',
      value,
    };
  }
  const parsed = await serializeSql(db, sql);
  if (parsed.error) throw featureSqlError(step.name, new Error(parsed.error), sql, { position: parsed.position });
  if (!parsed.statements || parsed.statements.length !== 1) {
    throw new SluiceError('FEATURE_SQL', `the feature SQL must be one SELECT statement, got ${parsed.statements?.length ?? 0}`);
  }
  const used = ((parsed.statements[0] as { named_param_map?: Array<{ key: string }> }).named_param_map ?? []).map((p) => p.key);
  const unknown = used.filter((p) => !(p in available));
  if (unknown.length > 0) {
    throw new SluiceError(
      'FEATURE_SQL',
      `the feature SQL uses ${unknown.map((p) => `$${p}`).join(', ')}, which no parameter defines (parameters: ${Object.keys(available)
        .map((p) => `$${p}`)
        .join(', ')})`,
    );
  }
  return Object.fromEntries(used.map((p) => [p, available[p] as SqlParam]));
}

/** The feature SQL as the step runs it (without a trailing semicolon). */
export function featureSql(step: FeatureBuildStep): string {
  return step.sql.replace(/;\s*$/, '');
}
