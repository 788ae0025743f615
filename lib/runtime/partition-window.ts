import type { ObjectVersion } from './object-store.ts';

const SCHEDULED_BATCH = /\/batch=[A-Za-z][A-Za-z0-9_-]*-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\//;

/**
 * The time a batch partition stands for. A scheduled run's batch id ends with its nominal time
 * (`batch=nightly-20261123T060000`), which is used as is; any other batch (an upload) is dated by when its
 * object was written, as the object store's listing reports it.
 */
export function partitionTime(object: ObjectVersion): Date | undefined {
  const m = SCHEDULED_BATCH.exec(object.key);
  if (m) return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return object.lastModified;
}

/**
 * The objects of the last `days` days before the nominal time: partition time in (nominal − days, nominal].
 * Objects with no known time are left out, never silently included.
 */
export function withinWindow(objects: readonly ObjectVersion[], nominalTime: string, days: number): ObjectVersion[] {
  const end = Date.parse(nominalTime);
  const start = end - days * 86_400_000;
  return objects.filter((o) => {
    const t = partitionTime(o)?.getTime();
    return t !== undefined && t > start && t <= end;
  });
}
