import { SluiceError } from '../../../core/errors.ts';

/**
 * A generic reader and writer of Thrift's compact protocol, the encoding of a Parquet footer. Values keep their wire
 * types, so a structure decoded and encoded again gives the same bytes, and a field this code does not know survives
 * a rewrite untouched.
 */

/** Compact-protocol type ids. */
export const T = {
  TRUE: 1,
  FALSE: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
  UUID: 13,
} as const;

/** A field of a struct: its id, wire type and value. */
export interface Field {
  readonly id: number;
  readonly type: number;
  value: Value;
}

/** A struct: its fields in wire order. */
export type Struct = Field[];

/** A list or set: the element type and the elements. */
export interface List {
  readonly elementType: number;
  readonly items: Value[];
}

/** A map: key and value types, and the entries. */
export interface ThriftMap {
  readonly keyType: number;
  readonly valueType: number;
  readonly entries: Array<[Value, Value]>;
}

/** A decoded value: booleans, integers (64-bit ones as bigint), doubles, bytes, lists, maps and structs. */
export type Value = boolean | number | bigint | Uint8Array | List | ThriftMap | Struct;

function malformed(what: string, at: number): SluiceError {
  return new SluiceError('PARQUET_FOOTER', `the Parquet footer is not valid Thrift: ${what} at byte ${at}`);
}

/** Reads compact-protocol values from a buffer. */
class Reader {
  #at = 0;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get at(): number {
    return this.#at;
  }

  byte(): number {
    if (this.#at >= this.#bytes.length) throw malformed('unexpected end', this.#at);
    return this.#bytes[this.#at++]!;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw malformed('a varint longer than 10 bytes', this.#at);
  }

  zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  take(length: number): Uint8Array {
    if (length < 0 || this.#at + length > this.#bytes.length) throw malformed(`a length of ${length} past the end`, this.#at);
    const out = this.#bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    return out;
  }

  value(type: number, depth: number): Value {
    if (depth > 64) throw malformed('nesting deeper than 64', this.#at);
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        // Inside a list, set or map a boolean is one byte of its own (1 is true).
        return this.byte() === T.TRUE;
      case T.I8:
        return (this.byte() << 24) >> 24;
      case T.I16:
      case T.I32:
        return Number(this.zigzag());
      case T.I64:
        return this.zigzag();
      case T.DOUBLE:
        return Buffer.from(this.take(8)).readDoubleLE(0);
      case T.BINARY:
        return this.take(Number(this.varint()));
      case T.UUID:
        return this.take(16);
      case T.LIST:
      case T.SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? Number(this.varint()) : header >> 4;
        const elementType = header & 0x0f;
        const items: Value[] = [];
        for (let i = 0; i < size; i++) items.push(this.value(elementType, depth + 1));
        return { elementType, items };
      }
      case T.MAP: {
        const size = Number(this.varint());
        if (size === 0) return { keyType: 0, valueType: 0, entries: [] };
        const types = this.byte();
        const entries: Array<[Value, Value]> = [];
        for (let i = 0; i < size; i++) entries.push([this.value(types >> 4, depth + 1), this.value(types & 0x0f, depth + 1)]);
        return { keyType: types >> 4, valueType: types & 0x0f, entries };
      }
      case T.STRUCT:
        return this.struct(depth + 1);
      default:
        throw malformed(`unknown type ${type}`, this.#at);
    }
  }

  struct(depth = 0): Struct {
    const fields: Struct = [];
    let last = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return fields;
      const type = header & 0x0f;
      const delta = header >> 4;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      // A boolean field carries its value in its type.
      const value = type === T.TRUE || type === T.FALSE ? type === T.TRUE : this.value(type, depth);
      fields.push({ id, type, value });
    }
  }
}

/** Writes compact-protocol values. */
class Writer {
  readonly #chunks: number[] = [];

  bytes(): Uint8Array {
    return Uint8Array.from(this.#chunks);
  }

  byte(b: number): void {
    this.#chunks.push(b & 0xff);
  }

  varint(n: bigint): void {
    let v = n;
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.byte(v === 0n ? low : low | 0x80);
    } while (v !== 0n);
  }

  zigzag(n: bigint, bits: bigint): void {
    this.varint(BigInt.asUintN(Number(bits), (n << 1n) ^ (n >> (bits - 1n))));
  }

  raw(bytes: Uint8Array): void {
    for (const b of bytes) this.#chunks.push(b);
  }

  value(type: number, value: Value): void {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        this.byte(value === true ? T.TRUE : T.FALSE);
        return;
      case T.I8:
        this.byte(Number(value));
        return;
      case T.I16:
      case T.I32:
        this.zigzag(BigInt(value as number), 32n);
        return;
      case T.I64:
        this.zigzag(BigInt(value as bigint), 64n);
        return;
      case T.DOUBLE: {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(value as number, 0);
        this.raw(b);
        return;
      }
      case T.BINARY:
        this.varint(BigInt((value as Uint8Array).length));
        this.raw(value as Uint8Array);
        return;
      case T.UUID:
        this.raw(value as Uint8Array);
        return;
      case T.LIST:
      case T.SET: {
        const list = value as List;
        if (list.items.length < 15) this.byte((list.items.length << 4) | list.elementType);
        else {
          this.byte(0xf0 | list.elementType);
          this.varint(BigInt(list.items.length));
        }
        for (const item of list.items) this.value(list.elementType, item);
        return;
      }
      case T.MAP: {
        const map = value as ThriftMap;
        this.varint(BigInt(map.entries.length));
        if (map.entries.length === 0) return;
        this.byte((map.keyType << 4) | map.valueType);
        for (const [k, v] of map.entries) {
          this.value(map.keyType, k);
          this.value(map.valueType, v);
        }
        return;
      }
      case T.STRUCT:
        this.struct(value as Struct);
        return;
      default:
        throw new SluiceError('PARQUET_FOOTER', `cannot write Thrift type ${type}`);
    }
  }

  struct(fields: Struct): void {
    let last = 0;
    for (const field of fields) {
      const type = field.type === T.TRUE || field.type === T.FALSE ? (field.value === true ? T.TRUE : T.FALSE) : field.type;
      const delta = field.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag(BigInt(field.id), 16n);
      }
      last = field.id;
      if (type !== T.TRUE && type !== T.FALSE) this.value(type, field.value);
    }
    this.byte(0);
  }
}

/** Decodes one struct from `bytes`; fails when anything is left over or missing. */
export function decodeStruct(bytes: Uint8Array): Struct {
  const reader = new Reader(bytes);
  const struct = reader.struct();
  if (reader.at !== bytes.length) throw malformed(`${bytes.length - reader.at} bytes after the structure`, reader.at);
  return struct;
}

/** Encodes a struct. */
export function encodeStruct(struct: Struct): Uint8Array {
  const writer = new Writer();
  writer.struct(struct);
  return writer.bytes();
}

/** The field `id` of a struct, if present. */
export function field(struct: Struct, id: number): Field | undefined {
  return struct.find((f) => f.id === id);
}
