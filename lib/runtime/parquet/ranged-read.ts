import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SluiceError } from '../../../core/errors.ts';
import type { ObjectStore, PinnedObject } from '../object-store.ts';
import {
  footerRange,
  partFooter,
  PARQUET_HEAD,
  PARQUET_TAIL_BYTES,
  parquetTail,
  planRowGroupParts,
  readFooter,
  type ParquetFooter,
  type RowGroupPart,
} from './row-groups.ts';

/** The part of a Parquet upload a child ingests: its row groups and their bytes, and where the footer is. */
export interface ParquetPartRef {
  readonly start: number;
  readonly end: number;
  readonly rowGroups: { readonly first: number; readonly count: number };
  readonly footer: { readonly start: number; readonly end: number };
}

/** Reads bytes `[start, end)` of an object version with a ranged GET (in place under a local run). */
async function readBytes(store: ObjectStore, object: PinnedObject, range: { start: number; end: number }, file: string): Promise<Buffer> {
  const path = await store.readRange(object, range, file);
  const handle = await open(path, 'r');
  try {
    const out = Buffer.alloc(range.end - range.start);
    const { bytesRead } = await handle.read(out, 0, out.length, range.start);
    if (bytesRead !== out.length) {
      throw new SluiceError(
        'INGEST_UNREADABLE',
        `s3://${object.bucket}/${object.key}: ${bytesRead} of ${out.length} bytes at ${range.start}`,
      );
    }
    return out;
  } finally {
    await handle.close();
  }
}

/** The footer of a Parquet object of `size` bytes, read with two ranged GETs (the tail, then the footer). */
export async function fetchFooter(
  store: ObjectStore,
  object: PinnedObject,
  size: number,
  scratch: (name: string) => string,
): Promise<{ footer: ParquetFooter; range: { start: number; end: number } }> {
  const uri = `s3://${object.bucket}/${object.key}`;
  if (size < PARQUET_HEAD.length + PARQUET_TAIL_BYTES) {
    throw new SluiceError('INGEST_UNREADABLE', `${uri}: ${size} bytes is too small for a Parquet file`);
  }
  const tail = await readBytes(store, object, { start: size - PARQUET_TAIL_BYTES, end: size }, scratch('parquet-tail'));
  const range = footerRange(tail, size, uri);
  const bytes = await readBytes(store, object, range, scratch('parquet-footer'));
  return { footer: readFooter(bytes, uri), range };
}

/**
 * Plans a Parquet upload's parts from its footer alone: consecutive row groups of about `partBytes`, numbered by the
 * rows before them. Returns the top-level columns too, so the plan checks them as the single path would.
 */
export async function planParquetParts(
  store: ObjectStore,
  object: PinnedObject,
  size: number,
  partBytes: number,
  scratch: (name: string) => string,
): Promise<{ parts: Array<RowGroupPart & { footer: { start: number; end: number } }>; columns: readonly string[]; rows: number }> {
  const { footer, range } = await fetchFooter(store, object, size, scratch);
  const parts = planRowGroupParts(footer, partBytes).map((p) => ({ ...p, footer: range }));
  return { parts, columns: footer.columns, rows: footer.rowGroups.reduce((n, g) => n + g.rows, 0) };
}

/**
 * A local Parquet file of one part: the magic, the bytes of its row groups (one ranged GET) and a footer describing
 * only them. Any Parquet reader reads it as those row groups of the upload.
 */
export async function readParquetPart(
  store: ObjectStore,
  object: PinnedObject,
  part: ParquetPartRef,
  scratch: (name: string) => string,
  read?: ParquetFooter,
): Promise<string> {
  const uri = `s3://${object.bucket}/${object.key}`;
  const footer = read ?? readFooter(await readBytes(store, object, part.footer, scratch('parquet-footer')), uri);
  const groups = footer.rowGroups.length;
  if (part.rowGroups.first + part.rowGroups.count > groups) {
    throw new SluiceError('INGEST_UNREADABLE', `${uri}: the part names row groups the footer does not have (${groups})`);
  }
  const source = await store.readRange(object, { start: part.start, end: part.end }, scratch('parquet-row-groups'));
  const file = scratch('part.parquet');
  const body = part.end > part.start ? createReadStream(source, { start: part.start, end: part.end - 1 }) : Readable.from([] as Buffer[]);
  await pipeline(async function* () {
    yield PARQUET_HEAD;
    yield* body;
    yield parquetTail(partFooter(footer, part));
  }, createWriteStream(file));
  return file;
}

/**
 * A local Parquet file of rows `[from, to)` of a Parquet object, which must be whole row groups: the footer (two ranged
 * GETs) says which row groups those are and where their bytes are, and one more ranged GET fetches them.
 */
export async function readRowRange(
  store: ObjectStore,
  object: PinnedObject,
  size: number,
  rows: { readonly from: number; readonly to: number },
  scratch: (name: string) => string,
): Promise<string> {
  const uri = `s3://${object.bucket}/${object.key}`;
  const { footer, range } = await fetchFooter(store, object, size, scratch);
  // The row groups that lie within the rows, each with the file's row number it starts at.
  let firstRow = 0;
  const groups = footer.rowGroups.filter((group) => {
    const starts = firstRow;
    firstRow += group.rows;
    return starts >= rows.from && starts + group.rows <= rows.to;
  });
  const held = groups.reduce((n, g) => n + g.rows, 0);
  const contiguous = groups.every((g, k) => k === 0 || g.index === groups[k - 1]!.index + 1);
  if (!footer.splittable) {
    throw new SluiceError('PARQUET_UNSPLITTABLE', `${uri}: its column chunks are not laid out row group after row group`);
  }
  if (held !== rows.to - rows.from || !contiguous) {
    throw new SluiceError(
      'STORE_OBJECT_CHANGED',
      `${uri}: rows ${rows.from}–${rows.to} are not whole row groups of this file; it is not the file that was planned`,
    );
  }
  const part = {
    start: groups[0]?.start ?? PARQUET_HEAD.length,
    end: groups.at(-1)?.end ?? PARQUET_HEAD.length,
    rowGroups: { first: groups[0]?.index ?? 0, count: groups.length },
    footer: range,
  };
  return readParquetPart(store, object, part, scratch, footer);
}
