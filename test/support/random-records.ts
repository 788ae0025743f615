import type { RecordScanOptions } from '../../lib/steps/ingest/record-scan-options.ts';

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Mostly plain text, with every byte the scanner treats specially: delimiters, quotes, escapes, all line ends, NUL, \x01.
const PIECES = ['a', 'bc', '12', 'é', ' ', ',', ',', ';', '"', '"', '\\', '\n', '\n', '\r\n', '\r', '\x00', '\x01', '{"k":1}'];

/** Random text records: mostly well-formed lines of `fields` fields, some damaged in every way the scanner knows. */
export function randomText(random: () => number, lines: number, fields: number): Buffer {
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    if (random() < 0.7) {
      const values = Array.from({ length: fields }, () => {
        const v = 'xyz'.slice(0, Math.floor(random() * 4)) + (random() < 0.2 ? 'é' : '');
        return random() < 0.2 ? `"${v}${random() < 0.3 ? ',\n' : ''}"` : v;
      });
      out.push(values.join(','), random() < 0.1 ? '\r\n' : '\n');
    } else {
      const n = Math.floor(random() * 12);
      for (let i = 0; i < n; i++) out.push(PIECES[Math.floor(random() * PIECES.length)]!);
      out.push('\n');
    }
  }
  if (random() < 0.3) out.pop();
  return Buffer.from(out.join(''));
}

/** Random scan options: CSV (with or without a header, doubled or backslash escapes) or JSON Lines, with small bounds. */
export function randomScanOptions(random: () => number, fields: number): RecordScanOptions {
  const bounds = { maxRecordBytes: 4 + Math.floor(random() * 60), maxRecordLines: Math.floor(random() * 3) };
  if (random() < 0.25) return { format: 'lines', header: false, ...bounds };
  const header = random() < 0.6;
  return {
    format: 'csv',
    delimiter: 0x2c,
    quote: 0x22,
    escape: random() < 0.3 ? 0x5c : 0x22,
    header,
    ...(header ? {} : { fields }),
    ...bounds,
  };
}

/** Cuts a buffer into random chunks, as a stream delivers it. */
export function randomChunks(random: () => number, data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const size = 1 + Math.floor(random() * (random() < 0.5 ? 8 : 200));
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return chunks;
}
