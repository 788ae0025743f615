import { SluiceError } from '../../../core/errors.ts';
import { decodeStruct, encodeStruct, field, T, type List, type Struct } from './thrift-compact.ts';

/**
 * The row groups of a Parquet object, read from its footer, and the footer of a file holding only some of them: what
 * an ingest in parts needs to read a large Parquet upload row group by row group, with ranged reads of its bytes.
 *
 * The footer is Parquet's `FileMetaData` in Thrift's compact encoding. Field ids used here (parquet.thrift):
 * FileMetaData 2 schema, 3 num_rows, 4 row_groups; RowGroup 1 columns, 3 num_rows, 5 file_offset, 7 ordinal;
 * ColumnChunk 1 file_path, 2 file_offset, 3 meta_data, 4–7 page index, 8–9 column encryption;
 * ColumnMetaData 7 total_compressed_size, 9 data_page_offset, 10 index_page_offset, 11 dictionary_page_offset,
 * 14–15 bloom filter; SchemaElement 4 name, 5 num_children.
 */

const MAGIC = 'PAR1';
/** Bytes at the end of a Parquet file: the footer's length (4, little-endian) and the magic. */
export const PARQUET_TAIL_BYTES = 8;

/** Where the footer of a Parquet object of `size` bytes is, from its last 8 bytes. */
export function footerRange(tail: Uint8Array, size: number, uri: string): { start: number; end: number } {
  const magic = Buffer.from(tail.subarray(4, 8)).toString('latin1');
  if (magic === 'PARE') {
    throw new SluiceError('PARQUET_ENCRYPTED', `${uri}: the Parquet footer is encrypted; Sluice reads only unencrypted Parquet`);
  }
  if (tail.length !== PARQUET_TAIL_BYTES || magic !== MAGIC) {
    throw new SluiceError('INGEST_UNREADABLE', `${uri}: not a Parquet file (it does not end in "${MAGIC}")`);
  }
  const length = Buffer.from(tail).readUInt32LE(0);
  const end = size - PARQUET_TAIL_BYTES;
  if (length === 0 || length > end - MAGIC.length) {
    throw new SluiceError('INGEST_UNREADABLE', `${uri}: the Parquet footer length ${length} does not fit the ${size}-byte file`);
  }
  return { start: end - length, end };
}

/** One row group: its place in the file, its rows and the bytes of its column chunks. */
export interface RowGroupSpan {
  readonly index: number;
  readonly rows: number;
  readonly start: number;
  readonly end: number;
}

/** The decoded footer. */
export interface ParquetFooter {
  readonly meta: Struct;
  readonly rowGroups: readonly RowGroupSpan[];
  /** The top-level column names, as a reader names them. */
  readonly columns: readonly string[];
  /** True when the row groups lie in order, one after the other, each column chunk in this file: they can be split. */
  readonly splittable: boolean;
}

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const structs = (s: Struct, id: number): Struct[] => ((field(s, id)?.value as List | undefined)?.items ?? []) as Struct[];

/** Decodes a footer and finds its row groups' byte spans. */
export function readFooter(bytes: Uint8Array, uri: string): ParquetFooter {
  let meta: Struct;
  try {
    meta = decodeStruct(bytes);
  } catch (error) {
    throw new SluiceError('INGEST_UNREADABLE', `${uri}: ${(error as Error).message}`);
  }
  let splittable = true;
  const rowGroups = structs(meta, 4).map((group, index): RowGroupSpan => {
    let start = Infinity;
    let end = 0;
    for (const chunk of structs(group, 1)) {
      const metaData = field(chunk, 3)?.value as Struct | undefined;
      if (field(chunk, 1) || field(chunk, 8) || field(chunk, 9) || !metaData) {
        // A chunk in another file, or an encrypted one, cannot be cut out of this file's bytes.
        splittable = false;
        continue;
      }
      const data = num(field(metaData, 9)?.value);
      const dictionary = field(metaData, 11) ? num(field(metaData, 11)!.value) : 0;
      // Some writers set a dictionary offset of 0 for "none".
      const first = dictionary > 0 && dictionary < data ? dictionary : data;
      start = Math.min(start, first);
      end = Math.max(end, first + num(field(metaData, 7)?.value));
    }
    return { index, rows: num(field(group, 3)?.value), start: start === Infinity ? 0 : start, end };
  });
  for (const [i, g] of rowGroups.entries()) {
    const before = rowGroups[i - 1];
    if (g.start < MAGIC.length || g.end < g.start || (before && g.start < before.end)) splittable = false;
  }
  return { meta, rowGroups, columns: topLevelColumns(meta), splittable };
}

/** The names of the schema's root's children (the schema is a tree flattened depth first, with child counts). */
function topLevelColumns(meta: Struct): string[] {
  const schema = structs(meta, 2);
  const names: string[] = [];
  let i = 1;
  const skip = (at: number): number => {
    const children = num(field(schema[at]!, 5)?.value ?? 0);
    let next = at + 1;
    for (let c = 0; c < children && next < schema.length; c++) next = skip(next);
    return next;
  };
  while (i < schema.length) {
    const name = field(schema[i]!, 4)?.value;
    names.push(name instanceof Uint8Array ? Buffer.from(name).toString('utf8') : '');
    i = skip(i);
  }
  return names;
}

/** A part of a Parquet object: consecutive row groups, the bytes they span and the rows before them. */
export interface RowGroupPart {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly firstRecord: number;
  readonly rowGroups: { readonly first: number; readonly count: number };
}

/**
 * Groups the row groups into parts of about `partBytes` (a part ends at the first row group that takes it past the
 * size; a larger row group is a part of its own). A footer that cannot be split, or has no row group, is one part.
 */
export function planRowGroupParts(footer: ParquetFooter, partBytes: number): RowGroupPart[] {
  const groups = footer.rowGroups;
  if (!footer.splittable || groups.length === 0) {
    const start = groups.length ? Math.min(...groups.map((g) => g.start)) : MAGIC.length;
    const end = groups.length ? Math.max(...groups.map((g) => g.end)) : MAGIC.length;
    return [{ index: 0, start, end, firstRecord: 0, rowGroups: { first: 0, count: groups.length } }];
  }
  const parts: RowGroupPart[] = [];
  let first = 0;
  let records = 0;
  let partRecords = 0;
  for (const [i, g] of groups.entries()) {
    partRecords += g.rows;
    const last = i === groups.length - 1;
    if (last || g.end - groups[first]!.start >= partBytes) {
      parts.push({
        index: parts.length,
        start: groups[first]!.start,
        // Up to where the next part starts, so bytes a writer counted short are still read.
        end: last ? g.end : groups[i + 1]!.start,
        firstRecord: records,
        rowGroups: { first, count: i - first + 1 },
      });
      records += partRecords;
      partRecords = 0;
      first = i + 1;
    }
  }
  return parts;
}

/**
 * The footer of a file holding only the part's row groups, their bytes moved from `part.start` to just after the
 * leading magic: page offsets shifted, the page index and bloom filters (elsewhere in the file) left out.
 */
export function partFooter(footer: ParquetFooter, part: Pick<RowGroupPart, 'start' | 'end' | 'rowGroups'>): Uint8Array {
  const shift = BigInt(MAGIC.length - part.start);
  const inRange = (v: bigint) => v >= BigInt(part.start) && v < BigInt(part.end);
  const moved = (v: unknown) => (inRange(BigInt(v as bigint)) ? BigInt(v as bigint) + shift : undefined);
  const all = structs(footer.meta, 4);
  const kept = all.slice(part.rowGroups.first, part.rowGroups.first + part.rowGroups.count);
  const groups = kept.map((group): Struct =>
    group
      .filter((f) => f.id !== 7)
      .map((f) => {
        if (f.id === 5) return { ...f, value: moved(f.value) ?? 0n };
        if (f.id !== 1) return f;
        const list = f.value as List;
        const chunks = (list.items as Struct[]).map((chunk): Struct =>
          chunk
            .filter((c) => c.id < 4 || c.id > 7)
            .map((c) => {
              if (c.id === 2) return { ...c, value: moved(c.value) ?? 0n };
              if (c.id !== 3) return c;
              const metaData = (c.value as Struct)
                .filter((m) => m.id !== 14 && m.id !== 15 && !(m.id === 10 && moved(m.value) === undefined))
                .map((m) => ([9, 10, 11].includes(m.id) && moved(m.value) !== undefined ? { ...m, value: moved(m.value)! } : m));
              return { ...c, value: metaData };
            }),
        );
        return { ...f, value: { elementType: list.elementType, items: chunks } };
      }),
  );
  const rows = kept.reduce((n, g) => n + BigInt(num(field(g, 3)?.value)), 0n);
  const meta: Struct = footer.meta.map((f) => {
    if (f.id === 3) return { ...f, value: rows };
    if (f.id === 4) return { ...f, value: { elementType: T.STRUCT, items: groups } };
    return f;
  });
  return encodeStruct(meta);
}

/** The bytes that close a Parquet file after its row groups: the footer, its length and the magic. */
export function parquetTail(footerBytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(footerBytes.length, 0);
  return Buffer.concat([footerBytes, length, Buffer.from(MAGIC, 'latin1')]);
}

/** The magic a Parquet file starts with. */
export const PARQUET_HEAD = Buffer.from(MAGIC, 'latin1');
