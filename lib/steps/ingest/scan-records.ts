import { bytes } from './byte-size.ts';
import { MAX_RAW_BYTES, type RecordScanOptions, type ScanCut, type ScanSummary } from './record-scan-options.ts';
import { ScanOutput, writeDigits } from './scan-output.ts';

// Where the scan stands in a CSV record: at a field's start, in an unquoted or quoted value, after a closing quote, or
// after an escape character inside quotes.
const START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const CLOSED = 3;
const ESCAPED = 4;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SEPARATOR = 0x01;

/** A structural problem of the current record. */
interface Problem {
  readonly reason: string;
  /** Reject only the record's first line and read on from the next (a quote that swallowed later lines). */
  readonly firstLineOnly: boolean;
}

/**
 * Splits a text stream into records with a bounded policy: a quote that is not closed within `maxRecordLines` line
 * breaks (or by the end of the file), a record longer than `maxRecordBytes`, a wrong number of fields, text after a
 * closing quote or a NUL byte rejects that record alone — a record spanning several lines is rejected as its first
 * line, and reading resumes on the next, so one stray quote never swallows the rest of a file. Kept records go to
 * the clean file as `<record>,<line>,<original bytes>\n` (LF, CRLF and CR all end records), rejected ones to the
 * rejects file as JSON lines; every record of the source is in exactly one of them.
 */
export class RecordScanner {
  readonly #o: Required<Omit<RecordScanOptions, 'fields' | 'firstRecord' | 'firstLine' | 'cutEvery' | 'stopAt'>> & {
    fields: number | undefined;
  };
  readonly #cutEvery: number;
  readonly #out: ScanOutput;
  /** The offset of the buffer's first byte in the scanned stream. */
  #consumed = 0;
  #nextCut = Infinity;
  readonly #stopAt: number;
  #stopped = false;
  readonly #cuts: ScanCut[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  /** Where the current record starts in the buffer, and where the scan stands. */
  #start = 0;
  #at = 0;
  #state = START;
  #fieldsSeen = 1;
  #fieldsSeenAtHeader = 1;
  #breaks = 0;
  #problem: Problem | undefined;
  #line = 1;
  #record = 0;
  #kept = 0;
  #rejected = 0;
  #header: string | undefined;
  #headerProblem: string | undefined;
  #lineEnds = { lf: 0, crlf: 0, cr: 0 };
  /** A record too long to hold: its first bytes, its size so far and where it started. */
  #skipping: { head: Buffer; bytes: number; line: number } | undefined;
  readonly #separatorByte: number;
  /** Where the next byte that needs the state machine (quote, CR, NUL, \x01) is in the buffer; -1 when not yet looked for. */
  #nextQuote = -1;
  #nextCr = -1;
  #nextNul = -1;
  #nextSeparator = -1;

  constructor(options: RecordScanOptions, cleanFile: string, rejectsFile: string) {
    this.#o = {
      delimiter: options.delimiter ?? 0x2c,
      quote: options.quote ?? 0x22,
      escape: options.escape ?? options.quote ?? 0x22,
      ...options,
      fields: options.fields,
    };
    this.#separatorByte = options.format === 'csv' ? this.#o.delimiter : SEPARATOR;
    this.#out = new ScanOutput(cleanFile, rejectsFile, this.#separatorByte);
    this.#record = options.firstRecord ?? 0;
    this.#line = options.firstLine ?? 1;
    this.#cutEvery = options.cutEvery ?? Infinity;
    this.#stopAt = options.stopAt ?? Infinity;
    this.#nextCut = this.#cutEvery;
  }

  /** Scans the next chunk of the source. */
  async push(chunk: Buffer): Promise<void> {
    if (this.#stopped) return;
    this.#buffer = this.#start < this.#buffer.length ? Buffer.concat([this.#buffer.subarray(this.#start), chunk]) : chunk;
    this.#consumed += this.#start;
    this.#at -= this.#start;
    this.#start = 0;
    this.#forgetStops();
    this.#scan(false);
    await this.#out.flush(false);
  }

  /** Ends the scan: the last record (even without a line end) is judged, and both files are closed. */
  async end(): Promise<ScanSummary> {
    this.#buffer = this.#buffer.subarray(this.#start);
    this.#consumed += this.#start;
    this.#at -= this.#start;
    this.#start = 0;
    this.#forgetStops();
    if (!this.#stopped) this.#scan(true);
    await this.#out.flush(true);
    return {
      ...(this.#header === undefined ? {} : { header: this.#header }),
      ...(this.#headerProblem === undefined ? {} : { headerProblem: this.#headerProblem }),
      ...(this.#o.fields === undefined ? {} : { fields: this.#o.fields }),
      kept: this.#kept,
      rejected: this.#rejected,
      lineEnds: this.#lineEnds,
      cuts: this.#cuts,
    };
  }

  #scan(eof: boolean): void {
    const b = this.#buffer;
    const n = b.length;
    const o = this.#o;
    const csv = o.format === 'csv';
    const [D, Q, E] = [o.delimiter, o.quote, o.escape];
    const doubled = E === Q;
    for (;;) {
      if (this.#skipping) {
        if (!this.#skip(b, eof)) return;
        continue;
      }
      if (this.#at === this.#start && this.#state === START) {
        if (this.#reachedStop()) return;
        if (this.#consumed + this.#at >= this.#nextCut && this.#at < n) this.#cut(this.#at);
        this.#plainRecords(b);
        if (this.#reachedStop()) return;
      }
      // The hot loop: plain bytes of the current record, on locals, until a line break, a control byte or the end.
      let at = this.#at;
      let state = this.#state;
      let fields = this.#fieldsSeen;
      let textAfterQuote = false;
      const limit = Math.min(n, this.#start + o.maxRecordBytes + 1);
      for (; at < limit; at++) {
        const c = b[at]!;
        if (c === LF || c === CR || c === NUL || (c === SEPARATOR && !csv)) break;
        if (!csv) continue;
        if (state === UNQUOTED) {
          if (c === D) {
            fields++;
            state = START;
          }
        } else if (state === START) {
          if (c === Q) state = QUOTED;
          else if (c === D) fields++;
          else state = UNQUOTED;
        } else if (state === QUOTED) {
          if (!doubled && c === E) state = ESCAPED;
          else if (c === Q) state = CLOSED;
        } else if (state === ESCAPED) state = QUOTED;
        else if (doubled && c === Q) state = QUOTED;
        else if (c === D) {
          fields++;
          state = START;
        } else {
          textAfterQuote = true;
          state = UNQUOTED;
        }
      }
      this.#at = at;
      this.#state = state;
      this.#fieldsSeen = fields;
      if (textAfterQuote) {
        this.#problem ??= { reason: 'UNQUOTED VALUE: text follows the closing quote of a field', firstLineOnly: this.#breaks > 0 };
      }
      if (at >= n) {
        if (!eof) return;
        if (at === this.#start && state === START) return;
        // End of file inside a record.
        if (state === QUOTED || state === ESCAPED) {
          this.#problem ??= {
            reason: `UNTERMINATED QUOTE: a quoted field is still open at the end of the file`,
            firstLineOnly: this.#breaks > 0,
          };
        }
        this.#endRecord(n, 0);
        continue;
      }
      if (at >= limit) {
        this.#tooLong(b);
        continue;
      }
      const c = b[at]!;
      if (c === NUL || c === SEPARATOR) {
        this.#problem ??= {
          reason: `CONTROL CHARACTER: the record contains a ${c === NUL ? 'NUL' : '\\x01'} byte (binary data, or a file in another encoding than UTF-8)`,
          firstLineOnly: false,
        };
        this.#at += 1;
        continue;
      }
      // A line break: inside a quoted field it is part of the value, else it ends the record.
      if (c === CR && at + 1 >= n && !eof) return;
      const width = c === CR && b[at + 1] === LF ? 2 : 1;
      if (csv && (state === QUOTED || state === ESCAPED)) {
        this.#breaks += 1;
        this.#at += width;
        this.#state = QUOTED;
        if (this.#breaks > o.maxRecordLines) {
          this.#problem = { reason: this.#runaway(), firstLineOnly: true };
          this.#endRecord(this.#at, 0);
        }
        continue;
      }
      this.#countEnd(b, at, width);
      this.#endRecord(at, width);
    }
  }

  /**
   * The fast path: whole lines with no byte the state machine must see (quote, CR, NUL, or \x01 in JSON Lines) are
   * found with native searches and kept directly; it stops before the first line that needs the byte-by-byte scan.
   */
  #plainRecords(b: Buffer): void {
    const o = this.#o;
    if (o.header && this.#header === undefined) return;
    const csv = o.format === 'csv';
    // In JSON Lines no byte is a delimiter.
    const D = csv ? o.delimiter : -1;
    const sep = this.#separatorByte;
    const longest = Math.min(PLAIN_ROOM, o.maxRecordBytes + 1);
    let at = this.#at;
    for (;;) {
      if (this.#consumed + at >= this.#stopAt) break;
      if (this.#consumed + at >= this.#nextCut && at < b.length) this.#cut(at);
      const end = Math.min(this.#nextStop(b, at), at + longest);
      this.#out.room(PLAIN_ROOM + 40);
      // The record is copied while it is scanned, behind its numbers; the copy counts only once the record is kept.
      const out = this.#out.buffer;
      const line = this.#line;
      let w = writeDigits(out, this.#out.at, csv ? this.#record + 1 : line);
      out[w++] = sep;
      w = writeDigits(out, w, line);
      out[w++] = sep;
      let fields = 1;
      let i = at;
      for (; i < end; i++) {
        const c = b[i]!;
        if (c === LF) break;
        if (c === D) fields++;
        out[w++] = c;
      }
      if (i >= end) break;
      if (i === at || (csv && fields !== o.fields)) {
        // A blank line or a wrong number of fields: the ordinary record end decides.
        this.#fieldsSeen = fields;
        this.#start = at;
        this.#at = i;
        this.#countEnd(b, i, 1);
        this.#endRecord(i, 1);
        at = this.#at;
        continue;
      }
      out[w++] = LF;
      this.#out.at = w;
      this.#kept += 1;
      this.#next(line);
      this.#lineEnds.lf += 1;
      this.#line += 1;
      at = i + 1;
    }
    this.#at = at;
    this.#start = at;
  }

  /** True once the next record starts at or past `stopAt`: it belongs to the next part. */
  #reachedStop(): boolean {
    if (this.#consumed + this.#at >= this.#stopAt) this.#stopped = true;
    return this.#stopped;
  }

  /** Notes that a part may start at `at`, a record's first byte (never inside the header). */
  #cut(at: number): void {
    if (this.#o.header && this.#header === undefined) return;
    const byte = this.#consumed + at;
    this.#cuts.push({ byte, record: this.#record, line: this.#line });
    this.#nextCut = byte + this.#cutEvery;
  }

  /** The first byte at or after `at` that only the state machine may read; the buffer's length when there is none. */
  #nextStop(b: Buffer, at: number): number {
    if (this.#nextCr < at) this.#nextCr = found(b.indexOf(CR, at), b.length);
    if (this.#nextNul < at) this.#nextNul = found(b.indexOf(NUL, at), b.length);
    let stop = Math.min(this.#nextCr, this.#nextNul);
    if (this.#o.format === 'csv') {
      if (this.#nextQuote < at) this.#nextQuote = found(b.indexOf(this.#o.quote, at), b.length);
      stop = Math.min(stop, this.#nextQuote);
    } else {
      if (this.#nextSeparator < at) this.#nextSeparator = found(b.indexOf(SEPARATOR, at), b.length);
      stop = Math.min(stop, this.#nextSeparator);
    }
    return stop;
  }

  #forgetStops(): void {
    this.#nextQuote = this.#nextCr = this.#nextNul = this.#nextSeparator = -1;
  }

  /** A record past the size limit: a runaway quote is cut back to its first line; anything else is skipped to its line end. */
  #tooLong(b: Buffer): void {
    if (this.#state === QUOTED && this.#breaks > 0) {
      this.#problem = { reason: this.#runaway(), firstLineOnly: true };
      this.#endRecord(this.#at, 0);
      return;
    }
    this.#skipping = {
      // Exactly the line's first bytes, whichever chunks they arrive in.
      head: Buffer.from(b.subarray(this.#start, Math.min(this.#at, this.#start + MAX_RAW_BYTES))),
      bytes: this.#at - this.#start,
      line: this.#line,
    };
    this.#resetRecord();
  }

  /** Skips the rest of an overlong line; false when the buffer ends first. */
  #skip(b: Buffer, eof: boolean): boolean {
    const skipping = this.#skipping!;
    const lf = b.indexOf(LF, this.#at);
    const cr = b.indexOf(CR, this.#at);
    const stop = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
    if (stop < 0 && !eof) {
      this.#keepHead(skipping, b, b.length);
      skipping.bytes += b.length - this.#at;
      this.#at = b.length;
      this.#start = b.length;
      return false;
    }
    const until = stop < 0 ? b.length : stop;
    this.#keepHead(skipping, b, until);
    skipping.bytes += until - this.#at;
    this.#at = until;
    this.#start = until;
    if (stop >= 0 && b[stop] === CR && stop + 1 >= b.length && !eof) return false;
    this.#finishSkip();
    if (stop < 0) return false;
    const width = b[until] === CR && b[until + 1] === LF ? 2 : 1;
    this.#countEnd(b, until, width);
    this.#line += 1;
    this.#at = until + width;
    this.#start = this.#at;
    return true;
  }

  /** Adds the skipped bytes up to `until` to an overlong record's head, up to its limit. */
  #keepHead(skipping: { head: Buffer }, b: Buffer, until: number): void {
    const room = MAX_RAW_BYTES - skipping.head.length;
    if (room > 0 && until > this.#at) {
      skipping.head = Buffer.concat([skipping.head, b.subarray(this.#at, Math.min(until, this.#at + room))]);
    }
  }

  #runaway(): string {
    return `UNTERMINATED QUOTE: a quoted field opened on line ${this.#line} is not closed within ${this.#o.maxRecordLines.toLocaleString('en-US')} line breaks or ${bytes(this.#o.maxRecordBytes)}; this line is rejected and reading resumes on the next`;
  }

  /** Ends the record that runs up to `end` (its terminator `width` bytes long), keeping or rejecting it. */
  #endRecord(end: number, width: number): void {
    const b = this.#buffer;
    const o = this.#o;
    let problem = this.#problem;
    const expected = o.fields;
    if (!problem && o.format === 'csv' && expected !== undefined && this.#fieldsSeen !== expected) {
      problem = {
        reason: `${this.#fieldsSeen > expected ? 'TOO MANY COLUMNS' : 'TOO FEW COLUMNS'}: expected ${expected} fields, found ${this.#fieldsSeen}`,
        firstLineOnly: this.#breaks > 0,
      };
    }
    if (problem?.firstLineOnly) {
      // Only the first line is this record's: the rest is read again as records of their own.
      const first = firstLineEnd(b, this.#start, end);
      this.#reject(b.subarray(this.#start, first.end), this.#line, problem.reason, first.end - this.#start);
      this.#countEnd(b, first.end, first.width);
      this.#line += 1;
      this.#at = first.end + first.width;
      this.#start = this.#at;
      this.#resetRecord();
      return;
    }
    const record = b.subarray(this.#start, end);
    const line = this.#line;
    this.#fieldsSeenAtHeader = this.#fieldsSeen;
    this.#line += this.#breaks + (width > 0 ? 1 : 0);
    this.#at = end + width;
    this.#start = this.#at;
    const blank = record.length === 0;
    this.#resetRecord();
    if (blank) return;
    if (o.header && this.#header === undefined) {
      this.#header = record.toString('utf8');
      // Every record must have as many fields as the header names.
      this.#o.fields ??= this.#fieldsSeenAtHeader;
      return;
    }
    if (problem) this.#reject(record, line, problem.reason, record.length);
    else this.#keep(record, line);
  }

  #countEnd(b: Buffer, at: number, width: number): void {
    if (width === 2) this.#lineEnds.crlf += 1;
    else if (width === 1 && b[at] === CR) this.#lineEnds.cr += 1;
    else if (width === 1) this.#lineEnds.lf += 1;
  }

  #finishSkip(): void {
    const s = this.#skipping!;
    this.#skipping = undefined;
    this.#line = s.line;
    if (this.#o.header && this.#header === undefined) {
      this.#header = s.head.toString('utf8');
      this.#headerProblem = `the header line is ${bytes(s.bytes)} long, more than the limit of ${bytes(this.#o.maxRecordBytes)}`;
      return;
    }
    this.#rejected += 1;
    this.#out.reject({
      record: this.#next(s.line),
      line: s.line,
      reason: `RECORD TOO LONG: ${bytes(s.bytes)} on one line, more than the limit of ${bytes(this.#o.maxRecordBytes)} (the first ${bytes(s.head.length)} are kept as raw)`,
      raw: s.head.toString('utf8'),
    });
  }

  #resetRecord(): void {
    this.#state = START;
    this.#fieldsSeen = 1;
    this.#breaks = 0;
    this.#problem = undefined;
  }

  /** The next record's number: its line in JSON Lines (blank lines are not records but keep their number), else a count. */
  #next(line: number): number {
    this.#record = this.#o.format === 'lines' ? line : this.#record + 1;
    return this.#record;
  }

  #keep(record: Buffer, line: number): void {
    this.#keepRange(record, 0, record.length, line);
  }

  /** Keeps `b[start, end)` as the next record, on the clean output behind its numbers. */
  #keepRange(b: Buffer, start: number, end: number, line: number): void {
    this.#kept += 1;
    this.#out.keep(this.#next(line), line, b, start, end);
  }

  #reject(record: Buffer, line: number, reason: string, size: number): void {
    if (this.#o.header && this.#header === undefined) {
      this.#header = record.toString('utf8');
      this.#headerProblem = reason;
      return;
    }
    this.#rejected += 1;
    const cut = size > MAX_RAW_BYTES;
    const raw = record.subarray(0, MAX_RAW_BYTES).toString('utf8');
    this.#out.reject({
      record: this.#next(line),
      line,
      reason: cut ? `${reason} (raw: the first ${bytes(MAX_RAW_BYTES)} of ${bytes(size)})` : reason,
      raw,
    });
  }

  /** Stops writing (the scan failed). */
  destroy(): void {
    this.#out.destroy();
  }
}

// Longest record the fast path copies while it scans; longer ones take the state machine.
const PLAIN_ROOM = 64 << 10;

/** A search's result, or `none` when it found nothing. */
function found(at: number, none: number): number {
  return at < 0 ? none : at;
}

/** The end of the first line of `b[start, end)`, and the width of its line break (0 when there is none). */
function firstLineEnd(b: Buffer, start: number, end: number): { end: number; width: number } {
  for (let i = start; i < end; i++) {
    if (b[i] === LF) return { end: i, width: 1 };
    if (b[i] === CR) return { end: i, width: b[i + 1] === LF ? 2 : 1 };
  }
  return { end, width: 0 };
}
