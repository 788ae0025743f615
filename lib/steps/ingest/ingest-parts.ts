import { SLUICE_ENV } from '../../../core/env.ts';
import { SluiceError } from '../../../core/errors.ts';
import type { IngestPartItem, IngestTask, RejectionReason, WrittenObject } from '../../asl/step-invocation.ts';
import { extraColumnsOf, malformedRecordsOf, maxBytesOf, maxRejectedFractionOf } from '../../definition/dataset-semantics.ts';
import { ingestPartsOf } from '../../definition/step-kinds/ingest.ts';
import { executionName, ingestPartsPrefix } from '../../definition/storage-layout.ts';
import { batchKey, batchPartition, writtenObject } from '../../runtime/batch.ts';
import { parquetFields } from '../../runtime/duckdb.ts';
import { datasetIdentity } from '../../runtime/lineage/run-ids.ts';
import { ingestInputFacet } from '../../runtime/lineage/ingest-facet.ts';
import { passThroughLineage } from '../../runtime/lineage/pass-through-lineage.ts';
import type { PinnedObject } from '../../runtime/object-store.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import { alignStaged, hasLayout, stagedLayout, type StagedField } from './align-parts.ts';
import { columnContract, partColumns, rejectionVerdict } from './ingest-contract.ts';
import { planParquetParts, readParquetPart } from '../../runtime/parquet/ranged-read.ts';
import { MAX_INGEST_PARTS, partSizeFor, planParts } from './plan-parts.ts';
import { MAX_RECORD_BYTES, MAX_RECORD_LINES, openSource, parseCsvHeader, structureOf, tooLarge, type LineEnds } from './read-source.ts';
import { rejectionReasons } from './rejection-reasons.ts';
import { collectRejected, reasonLines, typedColumns, typeRecords, writeRejects, writeStaged } from './typed-records.ts';

/** What one part reports to the gather: its counts, the objects it left in the scratch area, every rejection reason. */
interface PartSummary {
  readonly index: number;
  readonly valid: number;
  readonly rejected: number;
  readonly malformed: number;
  readonly lineEnds: LineEnds;
  /** JSON Lines: the keys its records have, in order of first appearance, and how many records were objects. */
  readonly columns: readonly string[];
  readonly objects: number;
  readonly staged?: StoredPart;
  readonly rejects?: StoredPart;
  readonly fields: ReadonlyArray<{ name: string; type: string }>;
  readonly rejectsFields: ReadonlyArray<{ name: string; type: string }>;
  readonly rejections: readonly RejectionReason[];
  readonly bytes: number;
}

interface StoredPart {
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
}

type IngestContext = StepContext<'ingest'>;

/** Runs one task of an ingest in parts: plan the parts, ingest one, or gather them into the staged batch. */
export function ingestTask(ctx: IngestContext, task: IngestTask): Promise<StepOutcome> {
  if (task.mode === 'plan') return planTask(ctx);
  if (task.mode === 'part') return partTask(ctx, task.part);
  return gatherTask(ctx);
}

function upload(ctx: IngestContext) {
  const trigger = ctx.invocation.trigger;
  if (trigger.kind !== 'upload') {
    throw new SluiceError(
      'INGEST_NO_UPLOAD',
      `step "${ctx.step.name}" ingests an uploaded object, but the run was started by schedule "${trigger.name}"`,
    );
  }
  return { trigger, uri: `s3://${trigger.bucket}/${trigger.key}`, pinned: { versionId: trigger.versionId, etag: trigger.etag } };
}

/** The scratch folder of this execution's parts (a part runs in a child execution: its parent's). */
function scratchFolder(ctx: IngestContext): { bucket: string; prefix: string } {
  const place = ingestPartsPrefix(ctx.dataset(ctx.step.output));
  const execution = ctx.invocation.parent?.executionId ?? ctx.invocation.execution.id;
  return { bucket: place.bucket, prefix: `${place.prefix}/${executionName(execution)}` };
}

/** The key of the parts list the Distributed Map reads. */
export function partsListKey(stagedPrefix: string, execution: string): string {
  return `${stagedPrefix}/${executionName(execution)}/parts.json`;
}

function partName(index: number): string {
  return `part-${String(index).padStart(5, '0')}`;
}

/** The step's part size, raised for an object that would make more than {@link MAX_INGEST_PARTS} parts. */
function partBytes(ctx: IngestContext, objectBytes: number | null | undefined): number {
  const { size } = ingestPartsOf(ctx.step);
  const used = partSizeFor(size, objectBytes);
  if (used > size)
    ctx.log.info('part size raised to keep the parts within the state machine', { partsSize: size, used, maxParts: MAX_INGEST_PARTS });
  return used;
}

/** Plan: one counting pass over the pinned version finds the parts; the header is checked as the single path checks it. */
async function planTask(ctx: IngestContext): Promise<StepOutcome> {
  const { trigger, uri, pinned } = upload(ctx);
  const source = ctx.dataset(ctx.step.input);
  const object = { bucket: trigger.bucket, key: trigger.key, ...pinned };
  const version = trigger.versionId ?? trigger.etag ?? undefined;
  ctx.lineage.input(ctx.step.input, { ...(version ? { version } : {}), fileCount: 1 });
  if (source.format === 'parquet') return planParquet(ctx, object, uri, trigger.size);
  // Under a local run the embedded S3's own file is read in place; in AWS the object streams through, never stored.
  const local = ctx.env[SLUICE_ENV.embeddedS3Dir] ? (await ctx.store.read(object, ctx.scratch('source'))).path : undefined;
  const limit = maxBytesOf(source, ctx.step.input);
  const csv = source.format === 'csv';
  const dialect = { delimiter: source.csv?.delimiter ?? ',', quote: source.csv?.quote ?? '"', header: source.csv?.header ?? true };
  const declared = (source.columns ?? []).map((c) => c.name);
  const plan = await planParts(
    {
      file: local ?? trigger.key,
      uri,
      partBytes: partBytes(ctx, trigger.size),
      maxBytes: limit.bytes,
      limitName: limit.name,
      ...(local ? {} : { stream: () => ctx.store.openStream(object) }),
    },
    csv
      ? {
          format: 'csv',
          delimiter: dialect.delimiter.charCodeAt(0),
          quote: dialect.quote.charCodeAt(0),
          escape: (source.csv?.escape ?? dialect.quote).charCodeAt(0),
          header: dialect.header,
          ...(dialect.header ? {} : { fields: declared.length }),
          maxRecordBytes: MAX_RECORD_BYTES,
          maxRecordLines: MAX_RECORD_LINES,
        }
      : { format: 'lines', header: false, maxRecordBytes: MAX_RECORD_BYTES, maxRecordLines: 0 },
  );
  // A CSV's columns are the header's in every part: a header or contract problem fails here, as in one piece.
  if (csv && dialect.header) {
    if (plan.header === undefined) throw new SluiceError('INGEST_EMPTY', `${uri}: the file is empty; expected a CSV header line`);
    columnContract(source, ctx.step.input, { columns: parseCsvHeader(plan.header, uri, dialect) }, uri);
  }
  const items: IngestPartItem[] = plan.parts.map((p) => ({
    ...p,
    count: plan.parts.length,
    ...(plan.header === undefined ? {} : { header: plan.header }),
    ...(plan.fields === undefined ? {} : { fields: plan.fields }),
  }));
  return writePlan(ctx, items, plan.bytes);
}

/** Plan of a Parquet upload: its footer (two ranged GETs) gives the row groups, grouped into parts, and the columns. */
async function planParquet(ctx: IngestContext, object: PinnedObject, uri: string, size: number | null | undefined): Promise<StepOutcome> {
  if (typeof size !== 'number')
    throw new SluiceError('INGEST_PART_SIZE', `${uri}: the upload event has no size to find the Parquet footer by`);
  const source = ctx.dataset(ctx.step.input);
  const limit = maxBytesOf(source, ctx.step.input);
  if (size > limit.bytes) throw tooLarge(uri, 'is', { maxBytes: limit.bytes, limitName: limit.name });
  const plan = await planParquetParts(ctx.store, object, size, partBytes(ctx, size), ctx.scratch);
  columnContract(source, ctx.step.input, { columns: [...plan.columns] }, uri);
  const items: IngestPartItem[] = plan.parts.map((p) => ({ ...p, firstLine: 1, count: plan.parts.length }));
  ctx.log.info('parquet row groups planned', { rowGroups: plan.parts.reduce((n, p) => n + p.rowGroups.count, 0), rows: plan.rows });
  return writePlan(ctx, items, size);
}

/** Writes the parts list the Distributed Map reads. */
async function writePlan(ctx: IngestContext, items: IngestPartItem[], bytes: number): Promise<StepOutcome> {
  const folder = scratchFolder(ctx);
  await ctx.store.putText(folder.bucket, `${folder.prefix}/parts.json`, JSON.stringify(items));
  ctx.lineage.input(ctx.step.input, { bytes });
  ctx.log.info('ingest planned in parts', { parts: items.length, bytes });
  return { rowsIn: 0, rowsOut: 0, outputs: [] };
}

/** Part: the records starting in its byte range, typed and rejected exactly as in one piece, left in the scratch folder. */
async function partTask(ctx: IngestContext, part: IngestPartItem): Promise<StepOutcome> {
  const { trigger, uri, pinned } = upload(ctx);
  const source = ctx.dataset(ctx.step.input);
  const object = { bucket: trigger.bucket, key: trigger.key, ...pinned };
  const file =
    part.rowGroups && part.footer
      ? await readParquetPart(ctx.store, object, { ...part, rowGroups: part.rowGroups, footer: part.footer }, ctx.scratch)
      : await ctx.store.readRange(
          object,
          // The scan reads up to one longest record past the end, to judge the last record on the same bytes.
          { start: part.start, end: part.end + MAX_RECORD_BYTES + 3 },
          ctx.scratch('source'),
        );
  const db = await ctx.duckdb();
  await db.run(`SET TimeZone = 'UTC'`);
  const limit = maxBytesOf(source, ctx.step.input);
  const loaded = await openSource(db, file, source, uri, {
    scratch: ctx.scratch,
    maxBytes: limit.bytes,
    limitName: limit.name,
    part: { ...part, ...(part.index === 0 ? { header: undefined } : {}) },
  });
  // JSON Lines: which fields the records have is judged over the whole object, by the gather.
  const columns =
    source.format === 'jsonl' ? partColumns(source, loaded.columns) : columnContract(source, ctx.step.input, loaded, uri).columns;
  const typings = typedColumns(columns);
  await typeRecords(db, typings, uri, source.format);
  const malformed = await loaded.finish();
  const counts = await collectRejected(db, loaded.record);
  const rejected = counts.invalid + malformed;
  const folder = scratchFolder(ctx);
  const name = partName(part.index);
  const store = async (local: string, key: string, rows: number): Promise<StoredPart> => {
    const written = await ctx.store.upload(folder.bucket, `${folder.prefix}/${key}`, local);
    return { key: written.key, rows, bytes: written.size };
  };
  const stagedFile = ctx.scratch('staged.parquet');
  await writeStaged(db, typings, stagedFile);
  const staged = counts.valid > 0 ? await store(stagedFile, `${name}.parquet`, counts.valid) : undefined;
  const rejectsFile = ctx.scratch('rejected.parquet');
  let rejects: StoredPart | undefined;
  if (rejected > 0) {
    await writeRejects(db, rejectsFile);
    rejects = await store(rejectsFile, `${name}-rejected.parquet`, rejected);
  }
  const objects =
    source.format === 'jsonl'
      ? Number(((await db.all(`SELECT count(*) AS n FROM lines WHERE __kind = 'OBJECT'`)) as [{ n: number }])[0].n)
      : 0;
  const summary: PartSummary = {
    index: part.index,
    valid: counts.valid,
    rejected,
    malformed,
    lineEnds: loaded.lineEnds ?? { lf: 0, crlf: 0, cr: 0 },
    columns: loaded.columns,
    objects,
    ...(staged ? { staged } : {}),
    ...(rejects ? { rejects } : {}),
    fields: await parquetFields(db, stagedFile),
    rejectsFields: rejects ? await parquetFields(db, rejectsFile) : [],
    rejections: await rejectionReasons(db, loaded.record, Infinity),
    bytes: part.end - part.start,
  };
  await ctx.store.putText(folder.bucket, `${folder.prefix}/${name}.json`, JSON.stringify(summary));
  ctx.lineage.input(ctx.step.input, { rowCount: counts.valid + rejected });
  ctx.log.info('ingest part done', { part: part.index, of: part.count, valid: counts.valid, rejected });
  return { rowsIn: counts.valid + rejected, rowsOut: counts.valid, rejectedRows: rejected, outputs: [] };
}

/** Gather: judges the whole object as one ingest does, then publishes the parts as one staged batch and one rejects batch. */
async function gatherTask(ctx: IngestContext): Promise<StepOutcome> {
  const { step } = ctx;
  const { trigger, uri } = upload(ctx);
  const source = ctx.dataset(step.input);
  const folder = scratchFolder(ctx);
  const items = JSON.parse(await ctx.store.getText(folder.bucket, `${folder.prefix}/parts.json`)) as IngestPartItem[];
  const parts: PartSummary[] = [];
  for (const item of items) {
    parts.push(JSON.parse(await ctx.store.getText(folder.bucket, `${folder.prefix}/${partName(item.index)}.json`)) as PartSummary);
  }
  const sum = (f: (p: PartSummary) => number) => parts.reduce((n, p) => n + f(p), 0);
  const valid = sum((p) => p.valid);
  const rejected = sum((p) => p.rejected);
  const malformed = sum((p) => p.malformed);
  const rowsIn = valid + rejected;
  const lineEnds = { lf: sum((p) => p.lineEnds.lf), crlf: sum((p) => p.lineEnds.crlf), cr: sum((p) => p.lineEnds.cr) };
  const columns = [...new Set(parts.flatMap((p) => p.columns))];
  const contract = columnContract(
    source,
    step.input,
    { columns, columnless: source.format === 'jsonl' && sum((p) => p.objects) === 0 },
    uri,
  );
  const version = trigger.versionId ?? trigger.etag ?? undefined;
  const maxRejected = maxRejectedFractionOf(source);
  ctx.lineage.input(step.input, {
    ...(version ? { version } : {}),
    bytes: trigger.size ?? items.reduce((n, i) => Math.max(n, i.end), 0),
    fileCount: 1,
    rowCount: rowsIn,
    inputFacets: {
      sluice_ingest: ingestInputFacet({
        sourceColumns: columns,
        extraColumns: contract.extra,
        extraColumnsPolicy: extraColumnsOf(source),
        rejectedRows: rejected,
        maxRejectedFraction: maxRejected,
      }),
    },
  });

  const outputs: WrittenObject[] = [];
  // A part's file is copied into the batch as it is, or, when its columns are not the batch's `layout`, rewritten
  // there with them.
  const publish = async (
    ref: string,
    stored: ReadonlyArray<{ file: StoredPart; fields?: readonly StagedField[] }>,
    fileName: (i: number) => string,
    layout?: readonly StagedField[],
  ) => {
    const dataset = ctx.dataset(ref);
    const objects: WrittenObject[] = [];
    for (const [i, { file, fields }] of stored.entries()) {
      const to = { bucket: dataset.bucket, key: batchKey(dataset, ctx.batchId, fileName(i)) };
      let copied;
      if (layout && fields && !hasLayout(fields, layout)) {
        const from = await ctx.store.read({ bucket: folder.bucket, key: file.key }, ctx.scratch(`part-${i}.parquet`));
        const aligned = ctx.scratch(`aligned-${i}.parquet`);
        await alignStaged(await ctx.duckdb(), from.path, fields, layout, aligned);
        copied = await ctx.store.upload(to.bucket, to.key, aligned);
      } else copied = await ctx.store.copy({ bucket: folder.bucket, key: file.key, size: file.bytes }, to);
      objects.push(writtenObject(ref, copied, file.rows));
    }
    return objects;
  };
  const rejectedParts = parts.flatMap((p) => (p.rejects ? [{ part: p, stored: p.rejects }] : []));
  if (rejected > 0) {
    const objects = await publish(
      step.rejects,
      rejectedParts.map((r) => ({ file: r.stored })),
      (i) => `rejected-${partName(rejectedParts[i]!.part.index)}.parquet`,
    );
    const fields = rejectedParts[0]!.part.rejectsFields;
    await ctx.recordBatch(step.rejects, objects, fields);
    ctx.lineage.output(step.rejects, outputObservation(objects, fields, ctx.batchId));
    outputs.push(...objects);
  } else ctx.lineage.dropOutput(step.rejects);
  const rejections = mergeReasons(parts.flatMap((p) => p.rejections));
  ctx.record({ rowsIn, rejectedRows: rejected, rejections });
  // One file is named as the single path names its file; several by their batch's folder.
  const rejectsAt =
    outputs.length === 1
      ? `s3://${outputs[0]!.bucket}/${outputs[0]!.key}`
      : outputs[0]
        ? `s3://${outputs[0].bucket}/${outputs[0].key.slice(0, outputs[0].key.lastIndexOf('/') + 1)}`
        : undefined;
  const { structure } = structureOf(lineEnds);
  const verdict = rejectionVerdict({
    rowsIn,
    rejected,
    malformed,
    ...(structure ? { structure } : {}),
    malformedPolicy: malformedRecordsOf(source),
    maxRejected,
    dataset: step.input,
    uri,
    rejectsAt,
    reasons: reasonLines(rejections),
  });
  if (verdict) {
    ctx.lineage.dropOutput(step.output);
    throw verdict;
  }
  const stagedParts = parts.flatMap((p) => (p.staged ? [{ part: p, stored: p.staged }] : []));
  // JSON Lines parts may have found different keys: a part without the whole object's columns, in its order, is
  // rewritten with them (the others, and every CSV or Parquet part, are copied as they are).
  const fields = stagedLayout(
    contract.columns.map((c) => c.name),
    parts.map((p) => p.fields),
  );
  const aligned = stagedParts.filter((s) => !hasLayout(s.part.fields, fields)).length;
  if (aligned > 0) ctx.log.info("staged parts rewritten with the object's columns", { parts: aligned, columns: fields.length });
  const staged = await publish(
    step.output,
    stagedParts.map((s) => ({ file: s.stored, fields: s.part.fields })),
    (i) => `${partName(stagedParts[i]!.part.index)}.parquet`,
    fields,
  );
  await ctx.recordBatch(step.output, staged, fields);
  ctx.lineage.output(step.output, {
    ...outputObservation(staged, fields, ctx.batchId),
    facets: {
      columnLineage: passThroughLineage(
        datasetIdentity(source),
        contract.columns.map((c) => c.name),
        'TRANSFORMATION',
      ),
    },
  });
  ctx.log.info('ingest parts gathered', { parts: parts.length, valid, rejected });
  return { rowsIn, rowsOut: valid, rejectedRows: rejected, outputs: [...staged, ...outputs] };
}

function outputObservation(objects: readonly WrittenObject[], fields: ReadonlyArray<{ name: string; type: string }>, batchId: string) {
  return {
    fields: [...fields],
    rowCount: objects.reduce((n, o) => n + o.rows, 0),
    bytes: objects.reduce((n, o) => n + o.bytes, 0),
    fileCount: objects.length,
    partition: batchPartition(batchId),
  };
}

/** Every part's reasons merged as one scan counts them: rows summed, the first record and its value kept, the 5 most frequent. */
export function mergeReasons(reasons: readonly RejectionReason[]): RejectionReason[] {
  const merged = new Map<string, RejectionReason>();
  for (const r of reasons) {
    const key = JSON.stringify([r.column, r.reason]);
    const seen = merged.get(key);
    if (!seen) merged.set(key, r);
    else merged.set(key, { ...(seen.firstRow <= r.firstRow ? seen : r), rows: seen.rows + r.rows });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...merged.values()]
    .sort(
      (a, b) =>
        b.rows - a.rows ||
        a.firstRow - b.firstRow ||
        (a.column === null ? (b.column === null ? 0 : 1) : b.column === null ? -1 : cmp(a.column, b.column)) ||
        cmp(a.reason, b.reason),
    )
    .slice(0, 5);
}
