import { basename } from 'node:path';
import { SluiceError } from '../../../core/errors.ts';
import { extraColumnsOf, malformedRecordsOf, maxBytesOf, maxRejectedFractionOf } from '../../definition/dataset-semantics.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import type { WrittenObject } from '../../asl/step-invocation.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { ingestInputFacet } from '../../runtime/lineage/ingest-facet.ts';
import { passThroughLineage } from '../../runtime/lineage/pass-through-lineage.ts';
import { columnContract, rejectionVerdict } from './ingest-contract.ts';
import { ingestTask } from './ingest-parts.ts';
import { openSource } from './read-source.ts';
import { rejectionReasons } from './rejection-reasons.ts';
import { collectRejected, reasonLines, typedColumns, typeRecords, writeRejects, writeStaged } from './typed-records.ts';

/**
 * Ingest: the triggering object → typed Parquet in the staging dataset; records that cannot be parsed or typed
 * → the rejects dataset with their record number, columns and reason. The raw object is only read. A file with no
 * records, no valid record, too many rejected ones or a declared column it lacks fails the step and stages nothing
 * (rejected rows are still kept); every record of the file is either staged or rejected.
 */
export async function ingest(ctx: StepContext<'ingest'>): Promise<StepOutcome> {
  const { step, invocation } = ctx;
  if (invocation.ingestTask) return ingestTask(ctx, invocation.ingestTask);
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
  const typings = typedColumns(contract.columns);
  await typeRecords(db, typings, sourceUri, source.format);
  const structural = await loaded.finish();
  const counts = await collectRejected(db, loaded.record);
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
    await writeRejects(db, rejectsFile);
    outputs.push(await ctx.writeBatch(step.rejects, rejectsFile, rejected, 'rejected.parquet'));
  } else ctx.lineage.dropOutput(step.rejects);
  const rejections = await rejectionReasons(db, loaded.record);
  ctx.record({ rowsIn, rejectedRows: rejected, rejections });
  const reasons = reasonLines(rejections);
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
  await writeStaged(db, typings, stagedFile);
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
