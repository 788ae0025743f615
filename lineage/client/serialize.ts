import type { LineageEvent } from './event.ts';

/** Copies a JSON-like value without `null`/`undefined` anywhere (object members and list items), like the Python client. */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(dropNulls);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v !== null && v !== undefined) out[key] = dropNulls(v);
    }
    return out;
  }
  return value;
}

/** Serialises an event to one line of JSON, nulls dropped. */
export function serializeEvent(event: LineageEvent): string {
  return JSON.stringify(dropNulls(event));
}
