import { createHash } from 'node:crypto';
import { isUuid } from '../../core/identifiers.ts';

/** A name-based (version 3, MD5) UUID of a string, as Java's `UUID.nameUUIDFromBytes`; Marquez uses it for non-UUID run ids. */
export function nameUuid(text: string): string {
  const bytes = createHash('md5').update(text, 'utf8').digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x30;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A deterministic UUID over several parts (versions of jobs and datasets are content hashes). */
export function hashUuid(...parts: unknown[]): string {
  return nameUuid(JSON.stringify(parts));
}

/** The run UUID Marquez stores for an event's `runId`: itself when a UUID, else a name-based UUID of it. */
export function runUuid(runId: string): string {
  return isUuid(runId) ? runId.toLowerCase() : nameUuid(runId);
}
