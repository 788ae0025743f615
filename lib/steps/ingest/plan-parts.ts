import { devNull } from 'node:os';
import type { Readable } from 'node:stream';
import { SluiceError } from '../../../core/errors.ts';
import type { RecordScanOptions } from './record-scan-options.ts';
import { scanTextSource, type ScannedSource } from './text-source.ts';

/** One byte range of an object, cut at a record start, with what a scan of it needs to number records as the whole file's. */
export interface IngestPart {
  readonly index: number;
  /** Byte offsets in the object; `end` is exclusive. */
  readonly start: number;
  readonly end: number;
  /** Records before the part (CSV numbering), and the line its first byte is on. */
  readonly firstRecord: number;
  readonly firstLine: number;
}

/** Where an object splits, and what every part's scan must know of the whole file. */
export interface PartPlan {
  readonly parts: readonly IngestPart[];
  /** The CSV header (read by the first part; every part is typed by it). */
  readonly header?: string;
  /** Fields every CSV record must have. */
  readonly fields?: number;
  /** The object's size, in bytes. */
  readonly bytes: number;
}

/**
 * Most parts one object is cut into. The gather's result lists every staged and rejects file in the execution's state
 * (at most 256 KiB, some 300 bytes a file), and the data tests' parts read that list: 400 parts, each with a rejects
 * file, stay inside it.
 */
export const MAX_INGEST_PARTS = 400;

/** A step's part size, raised for an object of `objectBytes` that would otherwise make more than {@link MAX_INGEST_PARTS} parts. */
export function partSizeFor(size: number, objectBytes: number | null | undefined): number {
  const needed = typeof objectBytes === 'number' ? Math.ceil(objectBytes / MAX_INGEST_PARTS) : 0;
  return Math.max(size, needed);
}

/** What {@link planParts} reads. */
export interface PlanOptions {
  readonly file: string;
  readonly uri: string;
  /** About how large a part should be, in bytes; parts end at the first record start past it. */
  readonly partBytes: number;
  /** Largest object planned; a larger one fails with the setting named. */
  readonly maxBytes: number;
  readonly limitName: string;
  /** The object as a stream (read straight from S3, so a large object needs no local copy) instead of reading `file`. */
  readonly stream?: () => Readable;
}

/**
 * Plans the parts of an uncompressed CSV or JSON Lines object: one counting pass of the very scanner ingest uses notes
 * the first record start past every `partBytes`, so each record (even a runaway quote or an overlong line, bounded
 * as in a single scan) lands in exactly one part, numbered as the single scan numbers it.
 */
export async function planParts(options: PlanOptions, scan: RecordScanOptions): Promise<PartPlan> {
  if (/\.(gz|zst|zstd)$/i.test(options.file)) {
    throw new SluiceError('INGEST_PART_COMPRESSED', `${options.uri}: a compressed object cannot be split into parts; it is ingested whole`);
  }
  if (!(Number.isInteger(options.partBytes) && options.partBytes > 0)) {
    throw new SluiceError('INGEST_PART_SIZE', `part size ${options.partBytes}: expected a whole number of bytes above 0`);
  }
  const scanned: ScannedSource = await scanTextSource(
    {
      file: options.file,
      uri: options.uri,
      maxBytes: options.maxBytes,
      limitName: options.limitName,
      cleanFile: devNull,
      rejectsFile: devNull,
      ...(options.stream ? { stream: options.stream } : {}),
    },
    { ...scan, cutEvery: options.partBytes },
  );
  const bytes = scanned.bytes;
  // Cuts are counted from the first byte scanned, after any byte-order mark.
  const starts = [0, ...scanned.cuts.map((c) => c.byte + scanned.bom)];
  const numbers = [{ record: scan.firstRecord ?? 0, line: scan.firstLine ?? 1 }, ...scanned.cuts];
  const parts = starts.map((start, index) => ({
    index,
    start,
    end: starts[index + 1] ?? bytes,
    firstRecord: numbers[index]!.record,
    firstLine: numbers[index]!.line,
  }));
  return {
    parts,
    ...(scanned.header === undefined ? {} : { header: scanned.header }),
    ...(scanned.fields === undefined ? {} : { fields: scanned.fields }),
    bytes,
  };
}

/** The scan options for one part: the first reads the header; the others number on from it with its field count. */
export function partScanOptions(scan: RecordScanOptions, plan: PartPlan, part: IngestPart): RecordScanOptions {
  if (part.index === 0) return scan;
  const fields = plan.fields ?? scan.fields;
  return {
    ...scan,
    header: false,
    ...(fields === undefined ? {} : { fields }),
    firstRecord: part.firstRecord,
    firstLine: part.firstLine,
  };
}
