import { gzipSync } from 'node:zlib';

/** The columns every corpus file is checked against: `id` text, `amount` number, `qty` integer, `day` date. */
export const CORPUS_HEADER = 'id,amount,qty,day';

/** One malformed upload: its bytes, its format, how many records it holds, and the code its file must fail with. */
export interface MalformedCase {
  readonly name: string;
  readonly format: 'csv' | 'jsonl' | 'parquet';
  readonly content: Buffer;
  /** Records in the file (what staged + rejected must add up to); undefined when the file fails before any is read. */
  readonly records?: number;
  /** The error code the ingest step fails with (as `Sluice.<code>`). */
  readonly code: string;
  /** Text the error message must contain. */
  readonly message: RegExp;
  /** The dataset's size limit, when the case needs a small one. */
  readonly maxBytes?: number;
}

const row = (i: number): string => `r${i},${i}.5,${i},2026-01-05`;
const rows = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => row(from + i));
const csv = (lines: readonly string[], end = '\n'): Buffer => Buffer.from(`${CORPUS_HEADER}${end}${lines.join(end)}${end}`);
const json = (i: number): string => JSON.stringify({ id: `r${i}`, amount: i + 0.5, qty: i, day: '2026-01-05' });

/**
 * Malformed files as producers and transfers really damage them, each with the file-level or row-level failure it
 * must get: the run fails (exit 1), every record is staged or rejected, and nothing is published.
 */
export function malformedCorpus(): MalformedCase[] {
  const quoted = rows(10_000);
  quoted[4_999] = 'r4999,"4999.5,4999,2026-01-05';
  const long = rows(10);
  long.splice(3, 0, `r-long,${'9'.repeat(20 * 1024 * 1024)},1,2026-01-05`);
  const jsonLong = Array.from({ length: 10 }, (_, i) => json(i));
  jsonLong.splice(4, 0, JSON.stringify({ id: 'big', amount: 1, qty: 1, day: '2026-01-05', pad: 'x'.repeat(20 * 1024 * 1024) }));
  const bomb = gzipSync(Buffer.concat([csv(rows(1)), Buffer.alloc(8 * 1024 * 1024, '0\n')]));
  return [
    {
      name: 'stray-quote.csv',
      format: 'csv',
      content: csv(quoted),
      records: 10_000,
      code: 'INGEST_MALFORMED',
      message: /10000 records: 9999 valid, 1 rejected.*UNTERMINATED QUOTE/,
    },
    {
      name: 'ragged.csv',
      format: 'csv',
      content: csv([...rows(50), 'r50,1,2', ...rows(49, 51), 'r100,1,2,2026-01-05,extra']),
      records: 101,
      code: 'INGEST_MALFORMED',
      message: /101 records: 99 valid, 2 rejected/,
    },
    {
      name: 'after-quote.csv',
      format: 'csv',
      content: csv([...rows(20), '"r20"x,1,1,2026-01-05']),
      records: 21,
      code: 'INGEST_MALFORMED',
      message: /UNQUOTED VALUE/,
    },
    {
      name: 'long-line.csv',
      format: 'csv',
      content: csv(long),
      records: 11,
      code: 'INGEST_MALFORMED',
      message: /11 records: 10 valid, 1 rejected.*RECORD TOO LONG/,
    },
    {
      name: 'long-header.csv',
      format: 'csv',
      content: Buffer.from(`${'h'.repeat(20 * 1024 * 1024)}\n${rows(3).join('\n')}\n`),
      code: 'INGEST_HEADER',
      message: /header line is 20\.0 MiB long/,
    },
    {
      name: 'long-line.jsonl',
      format: 'jsonl',
      content: Buffer.from(`${jsonLong.join('\n')}\n`),
      records: 11,
      code: 'INGEST_MALFORMED',
      message: /11 records: 10 valid, 1 rejected.*RECORD TOO LONG/,
    },
    {
      name: 'utf16.csv',
      format: 'csv',
      content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv(rows(5)).toString(), 'utf16le')]),
      code: 'INGEST_ENCODING',
      message: /UTF-16 \(little-endian\)/,
    },
    {
      name: 'utf16-nobom.csv',
      format: 'csv',
      content: Buffer.from(csv(rows(20)).toString(), 'utf16le'),
      code: 'INGEST_ENCODING',
      message: /UTF-16 \(little-endian, without a byte-order mark\)/,
    },
    {
      name: 'mixed-endings.csv',
      format: 'csv',
      content: Buffer.from(`${CORPUS_HEADER}\r\n${row(0)}\n${row(1)}\r\n${row(2)}\r${row(3)}\n`),
      records: 4,
      code: 'INGEST_MALFORMED',
      message: /lines end in 3 ways.*4 records: 4 valid, 0 rejected/,
    },
    {
      name: 'nul-bytes.csv',
      format: 'csv',
      content: Buffer.concat([csv(rows(30)), Buffer.from('r30,1\u0000,1,2026-01-05\n')]),
      records: 31,
      code: 'INGEST_MALFORMED',
      message: /CONTROL CHARACTER/,
    },
    {
      name: 'invalid-utf8.csv',
      format: 'csv',
      content: Buffer.concat([csv(rows(30)), Buffer.from('r30,1,1,2026-01-0'), Buffer.from([0xff, 0x0a])]),
      records: 31,
      code: 'INGEST_MALFORMED',
      message: /31 records: 30 valid, 1 rejected/,
    },
    {
      name: 'truncated.jsonl',
      format: 'jsonl',
      content: Buffer.from(`${Array.from({ length: 30 }, (_, i) => json(i)).join('\n')}\n{"id":"r30","amount":`),
      records: 31,
      code: 'INGEST_MALFORMED',
      message: /31 records: 30 valid, 1 rejected.*not valid JSON/,
    },
    {
      name: 'bomb.csv.gz',
      format: 'csv',
      content: bomb,
      maxBytes: 1024 * 1024,
      code: 'INGEST_TOO_LARGE',
      message: /decompresses to more than 1\.0 MiB, the limit of dataset "raw"'s maxBytes/,
    },
    {
      name: 'truncated.csv.gz',
      format: 'csv',
      content: gzipSync(csv(rows(2000))).subarray(0, 2000),
      code: 'INGEST_UNREADABLE',
      message: /cannot be decompressed as gzip/,
    },
    {
      name: 'binary.csv',
      format: 'csv',
      content: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0a]),
      code: 'INGEST_NOT_CSV',
      message: /contains NUL bytes/,
    },
    {
      name: 'wider-than-schema.csv',
      format: 'csv',
      content: csv([
        'a,1_000,1,2026-01-05',
        'b,1e-400,1,2026-01-05',
        'c,1,1_0,2026-01-05',
        'd,1,1,2026-1-5',
        'e,1,1,10000-01-01',
        'f,1,1,0000-01-01',
      ]),
      records: 6,
      code: 'INGEST_NO_VALID_ROWS',
      message: /all 6 records were rejected/,
    },
    {
      name: 'empty.csv',
      format: 'csv',
      content: Buffer.alloc(0),
      code: 'INGEST_EMPTY',
      message: /the file is empty/,
    },
    {
      name: 'truncated.parquet',
      format: 'parquet',
      content: Buffer.from('PAR1\u0015\u0004\u0015\u0010\u0015'),
      code: 'INGEST_UNREADABLE',
      message: /cannot be read as parquet/,
    },
  ];
}
