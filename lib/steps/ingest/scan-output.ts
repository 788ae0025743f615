import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

const LF = 0x0a;
/** Clean records are copied into buffers of this size, written out once full. */
const OUT_CHUNK = 4 << 20;

/**
 * Where a record scan writes: the clean records, each `<record><separator><line><separator><bytes>\n`, copied into
 * large buffers that are written out when full (the scanner's fast path writes into `buffer` at `at` itself), and the
 * rejected records as JSON lines, written in batches.
 */
export class ScanOutput {
  /** The buffer clean records are copied into, and where the next one goes. */
  buffer = Buffer.allocUnsafe(OUT_CHUNK);
  at = 0;
  readonly #full: Buffer[] = [];
  #rejectOut: string[] = [];
  readonly #clean: WriteStream;
  readonly #rejects: WriteStream;
  readonly #separator: number;

  constructor(cleanFile: string, rejectsFile: string, separator: number) {
    this.#clean = createWriteStream(cleanFile);
    this.#rejects = createWriteStream(rejectsFile);
    this.#separator = separator;
  }

  /** Makes room for at least `need` more bytes in `buffer`: a fuller one is set aside for writing. */
  room(need: number): void {
    if (this.at + need <= this.buffer.length) return;
    this.#full.push(this.buffer.subarray(0, this.at));
    this.buffer = Buffer.allocUnsafe(Math.max(OUT_CHUNK, need));
    this.at = 0;
  }

  /** Appends `<record><separator><line><separator><bytes of b[start, end)>\n`. */
  keep(record: number, line: number, b: Buffer, start: number, end: number): void {
    // Two numbers of at most 16 digits, two separators and the line end.
    this.room(end - start + 35);
    const out = this.buffer;
    let at = writeDigits(out, this.at, record);
    out[at++] = this.#separator;
    at = writeDigits(out, at, line);
    out[at++] = this.#separator;
    at += b.copy(out, at, start, end);
    out[at++] = LF;
    this.at = at;
  }

  /** Adds a rejected record's JSON line. */
  reject(entry: { record: number; line: number; reason: string; raw: string }): void {
    this.#rejectOut.push(JSON.stringify(entry));
  }

  /** Writes what is ready (every full buffer, the rejects once many); `final` writes the rest and closes both files. */
  async flush(final: boolean): Promise<void> {
    if (final && this.at > 0) {
      this.#full.push(this.buffer.subarray(0, this.at));
      this.at = 0;
    }
    for (const chunk of this.#full.splice(0)) if (!this.#clean.write(chunk)) await once(this.#clean, 'drain');
    if (this.#rejectOut.length > 0 && (final || this.#rejectOut.length > 1000)) {
      const text = `${this.#rejectOut.join('\n')}\n`;
      this.#rejectOut = [];
      if (!this.#rejects.write(text)) await once(this.#rejects, 'drain');
    }
    if (final) await Promise.all([close(this.#clean), close(this.#rejects)]);
  }

  /** Stops writing (the scan failed). */
  destroy(): void {
    this.#clean.destroy();
    this.#rejects.destroy();
  }
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** Writes a non-negative whole number's decimal digits at `at`; returns where they end. */
export function writeDigits(out: Buffer, at: number, n: number): number {
  if (n < 10) {
    out[at] = 0x30 + n;
    return at + 1;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let i = at + digits - 1; i >= at; i--) {
    out[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + digits;
}
