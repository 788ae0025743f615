import { basename } from 'node:path';
import { SluiceError } from '../../../core/errors.ts';
import { ident, literal } from '../../runtime/duckdb.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import type { WrittenObject } from '../../asl/step-invocation.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { passThroughLineage } from '../../runtime/lineage/pass-through-lineage.ts';
import { openSource, unreadable } from './read-source.ts';
import { columnTyping } from './typing-sql.ts';

/**
 * Ingest: the triggering object → typed Parquet in the staging dataset; records that cannot be parsed or typed
 * → the rejects dataset with their record number, columns and reason. The raw object is only read.
 */
export async function ingest(ctx: StepContext<'ingest'>): Promise<StepOutcome> {
  const { step, invocation } = ctx;
  const trigger = invocation.trigger;
  if (trigger.kind !== 'upload') {
    throw new SluiceError(
      'INGEST_NO_UPLOAD',
      `step "${step.name}" ingests an uploaded object, but the run was started by schedule "${trigger.name}"`,
    );
  }
  const source = ctx.dataset(step.input);
  const sourceUri = `s3://${trigger.bucket}/${trigger.key}`;
  const scratch = ctx.scratch(`source-${basename(trigger.key).replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  // A compressed object is recognised by its name's extension, which the embedded S3's own file lacks: it is downloaded.
  const { path: local, version } = /\.(gz|zst|zstd)$/i.test(trigger.key)
    ? { path: scratch, version: await ctx.store.download(trigger.bucket, trigger.key, scratch) }
    : await ctx.store.read({ bucket: trigger.bucket, key: trigger.key, ...(trigger.etag ? { etag: trigger.etag } : {}) }, scratch);
  const sourceVersion = version.versionId ?? version.etag;
  ctx.lineage.input(step.input, { version: sourceVersion, bytes: version.size, fileCount: 1 });

  const db = await ctx.duckdb();
  await db.run(`SET TimeZone = 'UTC'`);
  const loaded = await openSource(db, local, source, sourceUri);
  const columns = source.columns;
  if (columns) {
    const missing = columns.filter((c) => !loaded.columns.includes(c.name)).map((c) => c.name);
    if (missing.length > 0) {
      throw new SluiceError(
        'INGEST_COLUMNS_MISSING',
        `${sourceUri}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (found: ${loaded.columns.join(', ') || 'none'})`,
      );
    }
  }
  const typings = (columns ?? loaded.columns.map((name) => ({ name, type: 'string' as const, nullable: true }))).map((c) => ({
    name: c.name,
    ...columnTyping(c),
  }));
  // One scan: each column typed and its problem computed once; raw text is kept only for rejected rows.
  const rawJson = `to_json(struct_pack(${loaded.columns.map((c) => `${ident(c)} := ${ident(c)}`).join(', ')}))::VARCHAR`;
  const problems = typings.map((_, i) => `__p${i}`);
  try {
    // Innermost: each value typed once; then its problem from the typed value; outermost: the row's verdict.
    await db.run(`CREATE TABLE checked AS
      SELECT * EXCLUDE (${problems.join(', ')}),
        concat_ws('; ', ${problems.join(', ')}) AS __reason,
        concat_ws(',', ${typings.map((t, i) => `CASE WHEN __p${i} IS NOT NULL THEN ${literal(t.name)} END`).join(', ')}) AS __columns
      FROM (
        SELECT __record,
          ${typings.map((t, i) => `__v${i} AS ${ident(t.name)}`).join(',\n          ')},
          ${typings.map((t, i) => `${t.problem(`__v${i}`)} AS __p${i}`).join(',\n          ')},
          CASE WHEN ${typings.map((t, i) => `${t.problem(`__v${i}`)} IS NOT NULL`).join(' OR ') || 'false'} THEN ${rawJson} END AS __raw
        FROM (SELECT *, ${typings.map((t, i) => `${t.value} AS __v${i}`).join(', ')} FROM raw))`);
  } catch (error) {
    throw unreadable(sourceUri, source.format, error);
  }
  const structural = await loaded.finish();

  const stagedFile = ctx.scratch('staged.parquet');
  await db.run(`COPY (SELECT ${typings.map((t) => ident(t.name)).join(', ')} FROM checked WHERE __reason = '')
    TO ${literal(stagedFile)} (FORMAT parquet, COMPRESSION zstd)`);
  const rejectsFile = ctx.scratch('rejected.parquet');
  await db.run(`COPY (
      SELECT __record AS source_row, __columns AS "column", __reason AS reason, __raw AS raw FROM checked WHERE __reason <> ''
      UNION ALL
      SELECT __record, NULL, __reason, __raw FROM raw_rejects
      ORDER BY source_row
    ) TO ${literal(rejectsFile)} (FORMAT parquet, COMPRESSION zstd)`);
  const [counts] = (await db.all(
    `SELECT count(*) FILTER (WHERE __reason = '') AS valid, count(*) FILTER (WHERE __reason <> '') AS invalid FROM checked`,
  )) as [{ valid: number; invalid: number }];
  const rejected = counts.invalid + structural;
  const rowsIn = counts.valid + rejected;

  const outputs: WrittenObject[] = [await ctx.writeBatch(step.output, stagedFile, counts.valid)];
  ctx.lineage.output(step.output, {
    facets: {
      columnLineage: passThroughLineage(
        datasetIdentity(source),
        typings.map((t) => t.name),
        'TRANSFORMATION',
      ),
    },
  });
  if (rejected > 0) outputs.push(await ctx.writeBatch(step.rejects, rejectsFile, rejected, 'rejected.parquet'));
  else ctx.lineage.dropOutput(step.rejects);
  ctx.lineage.input(step.input, { rowCount: rowsIn });
  return { rowsIn, rowsOut: counts.valid, rejectedRows: rejected, outputs };
}
