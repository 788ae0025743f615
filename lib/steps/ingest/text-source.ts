import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SluiceError } from '../../../core/errors.ts';
import { bytes } from './byte-size.ts';
import type { RecordScanOptions, ScanSummary } from './record-scan-options.ts';
import { RecordScanner } from './scan-records.ts';

/** Where a scanned source's records went: the clean records, the rejected ones, and what the scan saw. */
export interface ScannedSource extends ScanSummary {
  readonly cleanFile: string;
  readonly rejectsFile: string;
  /** Bytes read, after decompression. */
  readonly bytes: number;
  /** Bytes of a UTF-8 byte-order mark skipped at the start (0 or 3). */
  readonly bom: number;
}

/** What {@link scanTextSource} needs besides the scan's own options. */
export interface TextSourceOptions {
  readonly file: string;
  readonly uri: string;
  /** Largest size of the source after decompression; a larger one fails the file. */
  readonly maxBytes: number;
  /** Which setting the limit comes from, for the message. */
  readonly limitName: string;
  readonly cleanFile: string;
  readonly rejectsFile: string;
  /**
   * A part of an uncompressed file: the records starting in `[start, end)`. The scan reads up to `maxRecordBytes` past
   * `end`, so a record is judged on the same bytes as in a scan of the whole file; a part after the first has no BOM.
   */
  readonly range?: { readonly start: number; readonly end: number };
  /** The bytes as a stream (an object read straight from S3) instead of reading `file`, which then only names them. */
  readonly stream?: () => Readable;
}

const BOMS: ReadonlyArray<[number[], string]> = [
  [[0x00, 0x00, 0xfe, 0xff], 'UTF-32 (big-endian)'],
  [[0xff, 0xfe, 0x00, 0x00], 'UTF-32 (little-endian)'],
  [[0xfe, 0xff], 'UTF-16 (big-endian)'],
  [[0xff, 0xfe], 'UTF-16 (little-endian)'],
];

/**
 * Reads a text source (gunzipped when its name ends in `.gz`) through a {@link RecordScanner}, within a size limit
 * counted after decompression, and fails the file at once when it is UTF-16 or UTF-32 rather than UTF-8.
 */
export async function scanTextSource(options: TextSourceOptions, scan: RecordScanOptions): Promise<ScannedSource> {
  const { file, uri, maxBytes } = options;
  const gzip = file.endsWith('.gz');
  const range = options.range;
  if (range && gzip) throw new SluiceError('INGEST_PART_COMPRESSED', `${uri}: a compressed object cannot be read in parts`);
  if (range && options.stream) throw new Error('a part is read from a file, not a stream');
  const source =
    options.stream?.() ??
    createReadStream(file, {
      highWaterMark: 1 << 20,
      ...(range ? { start: range.start, end: range.end + scan.maxRecordBytes + 2 } : {}),
    });
  const stream = gzip ? source.pipe(createGunzip({ chunkSize: 1 << 20 })) : source;
  // Made at the first chunk, once a byte-order mark (which the scanner does not see) is known.
  let scanner: RecordScanner | undefined;
  const open = (bom: number) =>
    new RecordScanner(range ? { ...scan, stopAt: range.end - range.start - bom } : scan, options.cleanFile, options.rejectsFile);
  let size = 0;
  let first = !range || range.start === 0;
  let bom = 0;
  try {
    for await (let chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        throw new SluiceError(
          'INGEST_TOO_LARGE',
          `${uri}: ${gzip ? 'decompresses to' : 'is'} more than ${bytes(maxBytes)}, the limit of ${options.limitName}; nothing was published (raise the limit, or split the file)`,
        );
      }
      if (first) {
        first = false;
        checkEncoding(chunk, uri);
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
          chunk = chunk.subarray(3);
          bom = 3;
        }
      }
      scanner ??= open(bom);
      await scanner.push(chunk);
    }
  } catch (error) {
    scanner?.destroy();
    source.destroy();
    if (error instanceof SluiceError) throw error;
    if (gzip) {
      throw new SluiceError('INGEST_UNREADABLE', `${uri}: cannot be decompressed as gzip: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
  const summary = await (scanner ?? open(0)).end();
  return { ...summary, cleanFile: options.cleanFile, rejectsFile: options.rejectsFile, bytes: size, bom };
}

/** Fails a file whose first bytes show UTF-16 or UTF-32 (a byte-order mark, or NUL in every other byte). */
function checkEncoding(head: Buffer, uri: string): void {
  const bom = BOMS.find(([mark]) => mark.every((b, i) => head[i] === b));
  let encoding = bom?.[1];
  if (!encoding) {
    const sample = head.subarray(0, 4096);
    let even = 0;
    let odd = 0;
    for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? even++ : odd++;
    const half = sample.length / 2;
    if (half >= 8 && odd > half * 0.6 && even === 0) encoding = 'UTF-16 (little-endian, without a byte-order mark)';
    else if (half >= 8 && even > half * 0.6 && odd === 0) encoding = 'UTF-16 (big-endian, without a byte-order mark)';
  }
  if (encoding) {
    throw new SluiceError(
      'INGEST_ENCODING',
      `${uri}: the file is ${encoding} text; expected UTF-8 (save it as UTF-8, e.g. iconv -f ${encoding.startsWith('UTF-32') ? 'UTF-32' : 'UTF-16'} -t UTF-8); nothing was published`,
    );
  }
}
