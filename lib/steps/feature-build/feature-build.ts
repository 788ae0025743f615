import { SluiceError } from '../../../core/errors.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { resolveInputObjects } from '../../runtime/batch.ts';
import { ident, literal, parquetFields, type SqlParam } from '../../runtime/duckdb.ts';
import type { ObjectVersion } from '../../runtime/object-store.ts';
import { withinWindow } from '../../runtime/partition-window.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import { featureColumnLineage, serializeSql, type LineageInput } from './column-lineage.ts';
import { featureSqlError } from './sql-errors.ts';
import { applyTransform, loadTransform } from './transform.ts';

/**
 * Feature build: each named input becomes a DuckDB view over its published Parquet objects (only the last N
 * days of partitions for a windowed input), the user's SQL runs over those views with typed `$parameters`,
 * an optional TypeScript transform reshapes the result, and it is written as the output dataset's batch
 * with its column lineage.
 */
export async function featureBuild(ctx: StepContext<'featureBuild'>): Promise<StepOutcome> {
  const { step, invocation } = ctx;
  const db = await ctx.duckdb();
  const nominalTime = new Date(
    invocation.trigger.kind === 'schedule' ? invocation.trigger.nominalTime : (invocation.trigger.time ?? invocation.execution.startTime),
  ).toISOString();
  let rowsIn = 0;
  const lineageInputs = new Map<string, LineageInput>();
  for (const [alias, ref] of Object.entries(step.inputs)) {
    const dataset = ctx.dataset(ref);
    const objects = await inputObjects(ctx, ref, step.windows?.[alias]?.days, nominalTime);
    if (objects.length === 0) {
      const window = step.windows?.[alias] ? ` in the ${step.windows[alias].days} days up to ${nominalTime}` : '';
      throw new SluiceError(
        'FEATURE_NO_INPUT',
        `input ${alias} has no published objects under s3://${dataset.bucket}/${dataset.prefix}/${window}`,
      );
    }
    const files = await ctx.download(objects, alias);
    await db.run(`CREATE VIEW ${ident(alias)} AS SELECT * FROM read_parquet([${files.map(literal).join(', ')}], union_by_name = true)`);
    const [{ n }] = (await db.all(`SELECT count(*) AS n FROM ${ident(alias)}`)) as [{ n: number }];
    rowsIn += n;
    const fields = await parquetFields(db, files[0] as string);
    lineageInputs.set(alias, { ...datasetIdentity(dataset), columns: fields.map((f) => f.name) });
    ctx.lineage.input(ref, {
      version: objects.length === 1 ? objects[0]?.etag : undefined,
      fields,
      rowCount: n,
      bytes: objects.reduce((s, o) => s + o.size, 0),
      fileCount: objects.length,
    });
  }

  const sql = step.sql.replace(/;\s*$/, '');
  const params = await boundParams(ctx, sql, nominalTime);
  const file = ctx.scratch('features.parquet');
  try {
    await db.prepare(sql);
  } catch (error) {
    throw featureSqlError(step.name, error, sql);
  }
  const copy = (from: string) => `COPY (${from}) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`;
  try {
    if (step.transform) {
      await db.run(`CREATE TABLE __features AS\n${sql}`, params);
    } else {
      await db.run(copy(`\n${sql}\n`), params);
    }
  } catch (error) {
    throw featureSqlError(step.name, error, sql, { lineOffset: 1 });
  }
  if (step.transform) {
    const transform = await loadTransform(step.name, step.transform);
    await applyTransform(db, transform, '__features', ctx.scratch('transformed.json'), {
      step: step.name,
      batchId: ctx.batchId,
      nominalTime,
    });
    await db.run(copy('SELECT * FROM __features'));
  }
  const [{ n: rowsOut }] = (await db.all(`SELECT count(*) AS n FROM read_parquet(${literal(file)})`)) as [{ n: number }];
  const outputColumns = (await parquetFields(db, file)).map((f) => f.name);
  const lineage =
    step.transform && !step.columnLineage
      ? { unsupported: 'a TypeScript transform reshapes the SQL result' }
      : await featureColumnLineage(db, { sql, step: step.name, inputs: lineageInputs, outputColumns, declared: step.columnLineage });
  const written = await ctx.writeBatch(step.output, file, rowsOut);
  if ('facet' in lineage) ctx.lineage.output(step.output, { facets: { columnLineage: lineage.facet } });
  else
    process.stderr.write(
      `sluice: step "${step.name}": no column lineage (${lineage.unsupported}); declare it with the step's columnLineage option\n`,
    );
  return { rowsIn, rowsOut, outputs: [written] };
}

/** An input's objects: those this execution wrote, plus, for a windowed input, every partition of the window. */
async function inputObjects(
  ctx: StepContext<'featureBuild'>,
  ref: string,
  days: number | undefined,
  nominalTime: string,
): Promise<ObjectVersion[]> {
  const resolved = await resolveInputObjects(ctx.invocation, ref, ctx.store);
  if (days === undefined) return resolved;
  const dataset = ctx.dataset(ref);
  const listed = (await ctx.store.list(dataset.bucket, dataset.prefix)).filter((o) => o.key.endsWith('.parquet'));
  const writtenNow = Object.values(ctx.invocation.results).flatMap((r) =>
    r.output.outputs.filter((o) => o.dataset === ref).map((o) => o.key),
  );
  const keys = new Set(writtenNow);
  return [...resolved.filter((o) => keys.has(o.key)), ...withinWindow(listed, nominalTime, days).filter((o) => !keys.has(o.key))];
}

/**
 * The values for the `$parameters` the SQL uses: `$nominal_time` (TIMESTAMPTZ: the schedule's nominal time, or
 * the upload's event time), `$nominal_date` (its UTC date), `$batch_id`, and the step's own `params`. Values are
 * bound, never spliced into the SQL; a parameter the SQL names but nobody defines is an error.
 */
async function boundParams(ctx: StepContext<'featureBuild'>, sql: string, nominalTime: string): Promise<Record<string, SqlParam>> {
  const available: Record<string, SqlParam> = {
    nominal_time: { type: 'TIMESTAMPTZ', value: nominalTime },
    nominal_date: { type: 'DATE', value: nominalTime.slice(0, 10) },
    batch_id: { type: 'VARCHAR', value: ctx.batchId },
  };
  for (const [name, value] of Object.entries(ctx.step.params ?? {})) {
    available[name] = {
      type: typeof value === 'boolean' ? 'BOOLEAN' : typeof value === 'string' ? 'VARCHAR' : Number.isInteger(value) ? 'BIGINT' : 'DOUBLE',
      value,
    };
  }
  const parsed = await serializeSql(await ctx.duckdb(), sql);
  if (parsed.error) throw featureSqlError(ctx.step.name, new Error(parsed.error), sql, { position: parsed.position });
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
