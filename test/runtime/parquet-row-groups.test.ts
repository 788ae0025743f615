import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDb, type DuckDb } from '../../lib/runtime/duckdb.ts';
import { footerRange, PARQUET_HEAD, parquetTail, partFooter, planRowGroupParts, readFooter } from '../../lib/runtime/parquet/row-groups.ts';
import { decodeStruct, encodeStruct, T, type Struct, type Value } from '../../lib/runtime/parquet/thrift-compact.ts';

/** A seeded generator, so a failure can be reproduced from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A random struct of every compact-protocol type, nested up to `depth`. */
function randomStruct(r: () => number, depth: number): Struct {
  const fields: Struct = [];
  let id = 0;
  const count = Math.floor(r() * 8);
  for (let i = 0; i < count; i++) {
    // Ids that step by 1 to 15 use the short header; larger steps and a negative id the long one.
    id += r() < 0.8 ? 1 + Math.floor(r() * 15) : 16 + Math.floor(r() * 300);
    const type = pickType(r, depth);
    fields.push({ id, type, value: type === T.TRUE || type === T.FALSE ? type === T.TRUE : randomValue(r, type, depth) });
  }
  return fields;
}

function pickType(r: () => number, depth: number): number {
  const types: number[] = [T.TRUE, T.FALSE, T.I8, T.I16, T.I32, T.I64, T.DOUBLE, T.BINARY, T.UUID];
  if (depth > 0) types.push(T.LIST, T.SET, T.MAP, T.STRUCT);
  return types[Math.floor(r() * types.length)]!;
}

function randomValue(r: () => number, type: number, depth: number): Value {
  const sign = r() < 0.5 ? -1 : 1;
  switch (type) {
    case T.TRUE:
    case T.FALSE:
      return r() < 0.5;
    case T.I8:
      return Math.floor(r() * 256) - 128;
    case T.I16:
      return Math.floor(r() * 65536) - 32768;
    case T.I32:
      return r() < 0.1 ? (sign < 0 ? -(2 ** 31) : 2 ** 31 - 1) : sign * Math.floor(r() * 2 ** 31);
    case T.I64:
      return r() < 0.1 ? (sign < 0 ? -(2n ** 63n) : 2n ** 63n - 1n) : BigInt(sign) * BigInt(Math.floor(r() * 2 ** 53));
    case T.DOUBLE:
      return sign * r() * 1e12;
    case T.BINARY:
      return Uint8Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 256));
    case T.UUID:
      return Uint8Array.from({ length: 16 }, () => Math.floor(r() * 256));
    case T.LIST:
    case T.SET: {
      const elementType = pickType(r, depth - 1);
      const n = r() < 0.2 ? 15 + Math.floor(r() * 30) : Math.floor(r() * 5);
      return { elementType, items: Array.from({ length: n }, () => randomValue(r, elementType, depth - 1)) };
    }
    case T.MAP: {
      const n = Math.floor(r() * 4);
      if (n === 0) return { keyType: 0, valueType: 0, entries: [] };
      const keyType = T.BINARY;
      const valueType = pickType(r, depth - 1);
      return {
        keyType,
        valueType,
        entries: Array.from({ length: n }, () => [randomValue(r, keyType, 0), randomValue(r, valueType, depth - 1)] as [Value, Value]),
      };
    }
    default:
      return randomStruct(r, depth - 1);
  }
}

/** Booleans inside collections decode as booleans; everything else keeps its value. */
const json = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? [...x] : x));

describe('Thrift compact protocol', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: random structures of every type encode and decode back to themselves`, () => {
      const r = random(seed);
      for (let i = 0; i < 50; i++) {
        const struct = randomStruct(r, 3);
        const bytes = encodeStruct(struct);
        const back = decodeStruct(bytes);
        expect(json(back)).toBe(json(struct));
        expect(Buffer.from(encodeStruct(back)).equals(Buffer.from(bytes))).toBe(true);
      }
    });
  }

  it('names a malformed structure and where it breaks', () => {
    const bytes = encodeStruct([{ id: 1, type: T.BINARY, value: new Uint8Array(10) }]);
    expect(() => decodeStruct(bytes.subarray(0, 5))).toThrow(/not valid Thrift: a length of 10 past the end at byte 2/);
    expect(() => decodeStruct(Uint8Array.from([0x1f, 0]))).toThrow(/unknown type 15 at byte 1/);
    expect(() => decodeStruct(Uint8Array.from([0, 0]))).toThrow(/1 bytes after the structure/);
  });
});

describe('a Parquet file split by row groups', () => {
  let dir: string;
  let db: DuckDb;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-row-groups-'));
    db = await openDuckDb();
  });
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const footerOf = (file: string) => {
    const bytes = readFileSync(file);
    const range = footerRange(bytes.subarray(bytes.length - 8), bytes.length, file);
    return { bytes, footerBytes: bytes.subarray(range.start, range.end), footer: readFooter(bytes.subarray(range.start, range.end), file) };
  };

  /** Every row in file order, as text. */
  const rows = async (files: string[]) =>
    (await db.all(`SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) `)).map((r) => json(r));

  const cases: Array<[string, () => Promise<string>]> = [
    [
      "DuckDB's writer (snappy, nulls, lists, structs, decimals)",
      async () => {
        const file = join(dir, 'duckdb.parquet');
        await db.run(`COPY (SELECT i AS id, i * 1.5 AS x, 'v' || (i % 17) AS s, [i, i * 2] AS l, {'a': i, 'b': 'x' || i} AS st,
            CASE WHEN i % 5 = 0 THEN NULL ELSE i END AS n, (i / 7)::DECIMAL(18, 3) AS d, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS t
          FROM range(30000) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 4096)`);
        return file;
      },
    ],
    [
      "DuckDB's writer with zstd and dictionaries",
      async () => {
        const file = join(dir, 'duckdb-zstd.parquet');
        await db.run(`COPY (SELECT i % 3 AS k, 'label ' || (i % 5) AS label, random() AS r FROM range(20000) t(i))
          TO '${file}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)`);
        return file;
      },
    ],
    [
      "Arrow's writer (page index, dictionaries, zstd)",
      async () => new URL('../fixtures/parquet/arrow-row-groups.parquet', import.meta.url).pathname,
    ],
  ];

  for (const [name, make] of cases) {
    it(`${name}: the footer re-encodes to its own bytes, and the parts read back as the whole file's rows`, async () => {
      const file = await make();
      const { bytes, footerBytes, footer } = footerOf(file);
      expect(Buffer.from(encodeStruct(footer.meta)).equals(footerBytes)).toBe(true);
      expect(footer.splittable).toBe(true);
      expect(footer.rowGroups.length).toBeGreaterThan(4);
      const described = await db.all(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`);
      expect(footer.columns).toEqual(described.map((d) => d.column_name));
      const whole = await rows([file]);
      for (const size of [1, footer.rowGroups[1]!.end - footer.rowGroups[0]!.start + 1, bytes.length]) {
        const parts = planRowGroupParts(footer, size);
        const files: string[] = [];
        for (const part of parts) {
          const out = join(dir, `part-${size}-${part.index}.parquet`);
          writeFileSync(out, Buffer.concat([PARQUET_HEAD, bytes.subarray(part.start, part.end), parquetTail(partFooter(footer, part))]));
          files.push(out);
          const read = await db.all(`SELECT count(*) AS n FROM read_parquet('${out}')`);
          const expected = footer.rowGroups.slice(part.rowGroups.first, part.rowGroups.first + part.rowGroups.count);
          expect(Number(read[0]!.n)).toBe(expected.reduce((n, g) => n + g.rows, 0));
          expect(part.firstRecord).toBe(footer.rowGroups.slice(0, part.rowGroups.first).reduce((n, g) => n + g.rows, 0));
        }
        // A part ends with the row group that takes it to the size: every part but the last reaches it, none without
        // its last row group does, so one row group per part at size 1 and the whole file at its own size.
        for (const part of parts) {
          const groups = footer.rowGroups.slice(part.rowGroups.first, part.rowGroups.first + part.rowGroups.count);
          if (part.index < parts.length - 1) expect(groups.at(-1)!.end - groups[0]!.start).toBeGreaterThanOrEqual(size);
          if (groups.length > 1) expect(groups.at(-2)!.end - groups[0]!.start).toBeLessThan(size);
        }
        if (size === 1) expect(parts.length).toBe(footer.rowGroups.length);
        if (size === bytes.length) expect(parts.length).toBe(1);
        else expect(parts.length).toBeGreaterThan(1);
        expect(await rows(files)).toEqual(whole);
      }
    });
  }

  it('a footer whose chunks cannot be cut out (a column in another file) is one part of every row group', async () => {
    const file = join(dir, 'duckdb.parquet');
    const { footerBytes } = footerOf(file);
    const meta = decodeStruct(footerBytes);
    const groups = meta.find((f) => f.id === 4)!.value as { items: Struct[] };
    const chunks = groups.items[1]!.find((f) => f.id === 1)!.value as { items: Struct[] };
    chunks.items[0]!.unshift({ id: 1, type: T.BINARY, value: Buffer.from('elsewhere.parquet') });
    const footer = readFooter(encodeStruct(meta), file);
    expect(footer.splittable).toBe(false);
    const parts = planRowGroupParts(footer, 1);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.rowGroups).toEqual({ first: 0, count: footer.rowGroups.length });
  });

  it('names what is wrong with a file that is not Parquet, encrypted, or cut short', () => {
    const csv = Buffer.from('id,amount\n1,2\n');
    expect(() => footerRange(csv.subarray(csv.length - 8), csv.length, 's3://b/k.parquet')).toThrow(
      's3://b/k.parquet: not a Parquet file (it does not end in "PAR1")',
    );
    const encrypted = Buffer.from([1, 0, 0, 0, ...Buffer.from('PARE')]);
    expect(() => footerRange(encrypted, 100, 's3://b/k.parquet')).toThrow(/footer is encrypted/);
    const long = Buffer.from([200, 0, 0, 0, ...Buffer.from('PAR1')]);
    expect(() => footerRange(long, 100, 's3://b/k.parquet')).toThrow('the Parquet footer length 200 does not fit the 100-byte file');
    const { footerBytes } = footerOf(join(dir, 'duckdb.parquet'));
    expect(() => readFooter(footerBytes.subarray(0, footerBytes.length - 10), 's3://b/k.parquet')).toThrow(
      /s3:\/\/b\/k.parquet: the Parquet footer is not valid Thrift/,
    );
  });
});
