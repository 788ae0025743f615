/** What a record scan takes (its options) and gives (its summary, cuts and rejects). */

/** How the record scanner (scan-records.ts) splits a text file into records. */
export interface RecordScanOptions {
  /** `csv`: quoted fields may hold delimiters and line breaks; `lines`: one record per line (JSON Lines). */
  readonly format: 'csv' | 'lines';
  /** CSV only: one byte each. */
  readonly delimiter?: number;
  readonly quote?: number;
  readonly escape?: number;
  /** The first record is a header (returned, not written). */
  readonly header: boolean;
  /** Fields every record must have (CSV); taken from the header when there is one. */
  readonly fields?: number;
  /** Longest record, in bytes; a longer one is rejected. */
  readonly maxRecordBytes: number;
  /** Line breaks a quoted field may hold before it counts as a runaway quote. */
  readonly maxRecordLines: number;
  /** A part of a larger file: records before it (CSV numbering), and the line its first byte is on. */
  readonly firstRecord?: number;
  readonly firstLine?: number;
  /** A part read with the bytes after it: records starting at or after this offset are the next part's, not scanned. */
  readonly stopAt?: number;
  /** Planning: note the first record start at or after every `cutEvery` bytes (see {@link ScanCut}). */
  readonly cutEvery?: number;
}

/** A record start where a file may be cut into parts: the byte offset, the records before it and its line. */
export interface ScanCut {
  readonly byte: number;
  readonly record: number;
  readonly line: number;
}

/** A record the scan set aside: its number, the line it starts on, why, and its bytes (cut when very long). */
export interface ScanReject {
  readonly record: number;
  readonly line: number;
  readonly reason: string;
  readonly raw: string;
}

/** What a finished scan saw. */
export interface ScanSummary {
  /** The header record's text (CSV with a header). */
  readonly header?: string;
  /** Why the header record itself was set aside (too long, a runaway quote). */
  readonly headerProblem?: string;
  /** Fields every record must have (CSV: from the header, or as given). */
  readonly fields?: number;
  /** Records written to the clean file. */
  readonly kept: number;
  /** Records set aside. */
  readonly rejected: number;
  /** Records ended by LF, CRLF and a lone CR. */
  readonly lineEnds: { readonly lf: number; readonly crlf: number; readonly cr: number };
  /** Where the file may be cut (with `cutEvery`), offsets counted from the first byte scanned. */
  readonly cuts: readonly ScanCut[];
}

/** Bytes of a rejected record kept as its `raw` text; the reason gives the full size. */
export const MAX_RAW_BYTES = 1 << 20;
