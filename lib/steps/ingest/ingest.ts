import { basename } from 'node:path';
import { SluiceError } from '../../../core/errors.ts';
import { extraColumnsOf, malformedRecordsOf, maxBytesOf, maxRejectedFractionOf } from '../../definition/dataset-semantics.ts';
import { ident, literal } from '../../runtime/duckdb.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import type { WrittenObject } from '../../asl/step-invocation.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { ingestInputFacet } from '../../runtime/lineage/ingest-facet.ts';
import { passThroughLineage } from '../../runtime/lineage/pass-through-lineage.ts';
import { columnContract, rejectionVerdict } from './ingest-contract.ts';
import { openSource, unreadable } from './read-source.ts';
import { columnTyping } from './typing-sql.ts';
import { problemList, rejectionReasons } from './rejection-reasons.ts';

/**
 * Ingest: the triggering object → typed Parquet in the staging dataset; records that cannot be parsed or typed
 * → the rejects dataset with their record number, columns and reason. The raw object is only read. A file with no
 * records, no valid record, too many rejected ones or a declared column it lacks fails the step and stages nothing
 * (rejected rows are still kept); every record of the file is either staged or rejected.
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
  // Exactly the version whose upload started this run: a later upload to the same key starts its own run. A compressed
  // object is recognised by its name's extension, which the embedded S3's own file lacks: it is downloaded.
  const pinned = { versionId: trigger.versionId, etag: trigger.etag };
  const { path: local, version } = /\.(gz|zst|zstd)$/i.test(trigger.key)
    ? { path: scratch, version: await ctx.store.download(trigger.bucket, trigger.key, scratch, pinned) }
    : await ctx.store.read({ bucket: trigger.bucket, key: trigger.key, ...pinned }, scratch);
  const sourceVersion = version.versionId ?? version.etag;
  ctx.lineage.input(step.input, { version: sourceVersion, bytes: version.size, fileCount: 1 });

  const db = await ctx.duckdb();
  await db.run(`SET TimeZone = 'UTC'`);
  const limit = maxBytesOf(source, step.input);
  const loaded = await openSource(db, local, source, sourceUri, { scratch: ctx.scratch, maxBytes: limit.bytes, limitName: limit.name });
  const contract = columnContract(source, step.input, loaded, sourceUri);
  const typings = contract.columns.map((c, i) => ({ name: c.name, ...columnTyping(c, `__p${i}`) }));
  // One scan: each column typed and its problem computed once; raw text is kept only for rejected rows.
  const described = (await db.all(`SELECT column_name FROM (DESCRIBE raw)`)).map((r) => String(r.column_name));
  const rawColumns = described.filter((c) => c !== '__record' && c !== '__line');
  const rawJson =
    rawColumns.length > 0 ? `to_json(struct_pack(${rawColumns.map((c) => `${ident(c)} := ${ident(c)}`).join(', ')}))::VARCHAR` : 'NULL';
  const problems = typings.map((t, i) => t.problem(`__v${i}`));
  try {
    // Innermost: each value's text trimmed once (every test of it reads the result); then typed once; then whether the
    // row fits, a cheap boolean; reasons, columns and raw text are built only for the rows that do not fit (CASE
    // evaluates a branch only for the rows that take it).
    await db.run(`CREATE TABLE checked AS
      SELECT __record, __line,
        ${typings.map((t, i) => `__v${i} AS ${ident(t.name)}`).join(',\n        ')},
        CASE WHEN __fits THEN '' ELSE concat_ws('; ', ${problems.join(', ')}) END AS __reason,
        CASE WHEN NOT __fits THEN concat_ws(',', ${typings.map((t, i) => `CASE WHEN ${problems[i]} IS NOT NULL THEN ${literal(t.name)} END`).join(', ')}) END AS __columns,
        CASE WHEN NOT __fits THEN ${rawJson} END AS __raw,
        CASE WHEN NOT __fits THEN ${problemList(
          typings.map((t) => t.name),
          problems,
        )} END AS __problems
      FROM (
        SELECT *, ${typings.map((t, i) => t.fits(`__v${i}`)).join(' AND ') || 'true'} AS __fits
        FROM (SELECT *, ${typings.map((t, i) => `${t.value} AS __v${i}`).join(', ')}
          FROM (SELECT *, ${typings.map((t, i) => `${t.present} AS __p${i}`).join(', ') || 'NULL AS __p'} FROM raw)))`);
  } catch (error) {
    throw unreadable(sourceUri, source.format, error);
  }
  const structural = await loaded.finish();
  // Record numbers are whole numbers whichever reader counted them (a parser's line arithmetic would make them DOUBLE).
  await db.run(`CREATE TABLE rejects AS
      SELECT CAST(${loaded.record} AS BIGINT) AS source_row, CAST(__line AS BIGINT) AS source_line, __columns AS "column", __reason AS reason, __raw AS raw
      FROM checked WHERE __reason <> ''
      UNION ALL
      SELECT CAST(__record AS BIGINT), CAST(__line AS BIGINT), NULL, __reason, __raw FROM raw_rejects`);
  const [counts] = (await db.all(
    `SELECT count(*) FILTER (WHERE __reason = '') AS valid, count(*) FILTER (WHERE __reason <> '') AS invalid FROM checked`,
  )) as [{ valid: number; invalid: number }];
  const rejected = counts.invalid + structural;
  const rowsIn = counts.valid + rejected;
  const maxRejected = maxRejectedFractionOf(source);
  ctx.lineage.input(step.input, {
    rowCount: rowsIn,
    inputFacets: {
      sluice_ingest: ingestInputFacet({
        sourceColumns: loaded.columns,
        extraColumns: contract.extra,
        extraColumnsPolicy: extraColumnsOf(source),
        rejectedRows: rejected,
        maxRejectedFraction: maxRejected,
      }),
    },
  });

  const outputs: WrittenObject[] = [];
  if (rejected > 0) {
    const rejectsFile = ctx.scratch('rejected.parquet');
    await db.run(
      `COPY (SELECT * FROM rejects ORDER BY source_row, source_line) TO ${literal(rejectsFile)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    outputs.push(await ctx.writeBatch(step.rejects, rejectsFile, rejected, 'rejected.parquet'));
  } else ctx.lineage.dropOutput(step.rejects);
  const rejections = await rejectionReasons(db, loaded.record);
  ctx.record({ rowsIn, rejectedRows: rejected, rejections });
  const reasons = rejections
    .slice(0, 3)
    .map(
      (r) =>
        `${r.column ? `${r.column}: ` : ''}${r.reason} (${r.rows} row${r.rows === 1 ? '' : 's'}, first at record ${r.firstRow}${r.example ? `: ${r.example}` : ''})`,
    );
  const rejectsAt = outputs[0] ? `s3://${outputs[0].bucket}/${outputs[0].key}` : undefined;
  const verdict = rejectionVerdict({
    rowsIn,
    rejected,
    malformed: structural,
    ...(loaded.structure ? { structure: loaded.structure } : {}),
    malformedPolicy: malformedRecordsOf(source),
    maxRejected,
    dataset: step.input,
    uri: sourceUri,
    rejectsAt,
    reasons,
  });
  if (verdict) {
    ctx.lineage.dropOutput(step.output);
    throw verdict;
  }

  const stagedFile = ctx.scratch('staged.parquet');
  await db.run(`COPY (SELECT ${typings.map((t) => ident(t.name)).join(', ')} FROM checked WHERE __reason = '')
    TO ${literal(stagedFile)} (FORMAT parquet, COMPRESSION zstd)`);
  outputs.unshift(await ctx.writeBatch(step.output, stagedFile, counts.valid));
  ctx.lineage.output(step.output, {
    facets: {
      columnLineage: passThroughLineage(
        datasetIdentity(source),
        typings.map((t) => t.name),
        'TRANSFORMATION',
      ),
    },
  });
  return { rowsIn, rowsOut: counts.valid, rejectedRows: rejected, outputs };
}
