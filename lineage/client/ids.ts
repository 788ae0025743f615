import { createHash, randomFillSync } from 'node:crypto';
import { isUuid } from '../../core/identifiers.ts';
import { LineageError } from './errors.ts';

/** RFC 4122 namespace for fully qualified domain names. */
export const UUID_NAMESPACE_DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
/** RFC 4122 namespace for URLs (and ARNs, which are URNs): the default namespace of `uuidv5`. */
export const UUID_NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

function format(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// State that keeps ids minted in the same millisecond in ascending order (RFC 9562 §6.2, method 1).
let lastMs = 0;
let sequence = 0;

// Random bytes are drawn 4 KiB at a time: one call per id cost more than the rest of making it.
const pool = new Uint8Array(4096);
let used = pool.length;

function randomBytes16(): Uint8Array {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 16;
  return pool.slice(used - 16, used);
}

/** A new time-ordered UUID version 7 (RFC 9562), the recommended OpenLineage run id. */
export function uuidv7(): string {
  const bytes = randomBytes16();
  let ms = Date.now();
  if (ms <= lastMs) {
    // Same (or a backwards-stepped) millisecond: count up in the 12-bit rand_a field instead.
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1;
      sequence = 0;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    sequence = ((bytes[6]! & 0x07) << 8) | bytes[7]!; // random start, headroom to count up
  }
  // 48-bit big-endian milliseconds; split because bit operators are 32-bit.
  const high = Math.floor(ms / 2 ** 32);
  const low = ms >>> 0;
  bytes[0] = (high >>> 8) & 0xff;
  bytes[1] = high & 0xff;
  bytes[2] = (low >>> 24) & 0xff;
  bytes[3] = (low >>> 16) & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
  bytes[6] = 0x70 | ((sequence >>> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return format(bytes);
}

/**
 * A deterministic name-based UUID version 5 (RFC 4122 §4.3, SHA-1) of `name` in `namespace`.
 * Lets any step derive the same run id from, e.g., a Step Functions execution ARN without coordination.
 */
export function uuidv5(name: string, namespace: string = UUID_NAMESPACE_URL): string {
  if (!isUuid(namespace)) {
    throw new LineageError(
      'LINEAGE_INVALID_UUID',
      `namespace: expected a UUID like ${UUID_NAMESPACE_URL}, got ${JSON.stringify(namespace)}`,
    );
  }
  if (typeof name !== 'string') {
    throw new LineageError('LINEAGE_INVALID_UUID', `name: expected a string, got ${typeof name}`);
  }
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = new Uint8Array(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return format(bytes);
}
