// The dashboard's charts, as Marquez 0.51 answers them (`/stats/*`): the last 24 UTC hours or the last 7 local days,
// oldest first. Marquez counts earlier buckets from a view refreshed once an hour; these are counted live.
import type { CatalogStore } from './catalog-store.ts';
import { HttpError } from './http-body.ts';
import type { ReadHandler } from './read-routes.ts';
import { marquezTime, storedTime } from './times.ts';
import type { IntervalStats, LineageEventStats, StatsPeriod } from '../marquez/api.ts';

const HOUR = 3_600_000;

/** `period`: DAY or WEEK, in any case and with spaces around it, as Marquez's parameter converter reads it. */
function period(q: URLSearchParams): StatsPeriod {
  const raw = q.get('period');
  if (raw === null || raw.trim() === '') throw new HttpError(400, 'period: required, DAY or WEEK');
  const p = raw.trim().toUpperCase();
  if (p !== 'DAY' && p !== 'WEEK') throw new HttpError(400, `period: expected DAY or WEEK, got ${JSON.stringify(raw.slice(0, 40))}`);
  return p;
}

/** `timezone` for WEEK: an IANA name (`Europe/Berlin`, `UTC`); a `+` the browser did not encode arrives as a space. */
function timezone(q: URLSearchParams): string {
  const raw = q.get('timezone');
  if (raw === null || raw.trim() === '')
    throw new HttpError(400, 'timezone: required for period WEEK, an IANA time zone such as Europe/Berlin');
  const zone = raw.trim().replace(/ /g, '+');
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new HttpError(400, `timezone: expected an IANA time zone such as Europe/Berlin or UTC, got ${JSON.stringify(raw.slice(0, 60))}`);
  }
}

/** The local calendar date of an instant in a zone, `YYYY-MM-DD`. */
function localDate(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** The instant local midnight of `date` falls on in `zone` (the first instant of that local date). */
function localMidnight(date: string, zone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`);
  const offsetAt = (ms: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(ms);
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - ms;
  };
  let guess = wall - offsetAt(wall);
  guess = wall - offsetAt(guess);
  // Where midnight does not exist (a DST change at 00:00), the day starts at the first instant that is that date.
  while (localDate(guess, zone) !== date) guess += 15 * 60_000;
  return guess;
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const stored = (ms: number) => storedTime(new Date(ms).toISOString())!;

/** Buckets: their instant bounds (stored form) and the labels Marquez gives them. */
type Buckets = { bounds: string[]; labels: Array<{ startInterval: string; endInterval: string }> };

// DAY: the current UTC hour and the 23 before it. WEEK: today in the zone and the 6 days before it, each labelled with
// its local midnight written as if it were UTC, as Marquez does (the UI draws the date of that label in UTC).
function buckets(p: StatsPeriod, zone: string, now = Date.now()): Buckets {
  if (p === 'DAY') {
    const first = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
    const starts = Array.from({ length: 25 }, (_, i) => first + i * HOUR);
    return {
      bounds: starts.map(stored),
      labels: starts.slice(0, 24).map((s) => ({ startInterval: marquezTime(stored(s)), endInterval: marquezTime(stored(s + HOUR)) })),
    };
  }
  const first = addDays(localDate(now, zone), -6);
  const days = Array.from({ length: 8 }, (_, i) => addDays(first, i));
  return {
    bounds: days.map((d) => stored(localMidnight(d, zone))),
    labels: days.slice(0, 7).map((d, i) => ({ startInterval: `${d}T00:00:00Z`, endInterval: `${days[i + 1]}T00:00:00Z` })),
  };
}

/** `CASE` that names the bucket a stored time falls in (0-based), or NULL outside them; bounds bound in order. */
function bucketCase(column: string, n: number): string {
  const whens = Array.from({ length: n }, (_, i) => `WHEN ${column} < ?${i + 2} THEN ${i}`).join(' ');
  return `CASE WHEN ${column} < ?1 THEN NULL ${whens} ELSE NULL END`;
}

function lineageEvents(store: CatalogStore, q: URLSearchParams): LineageEventStats[] {
  const p = period(q);
  const b = buckets(p, p === 'WEEK' ? timezone(q) : 'UTC');
  const n = b.labels.length;
  const counts = b.labels.map(() => ({ fail: 0, start: 0, complete: 0, abort: 0 }));
  for (const r of store.all<{ bucket: number; event_type: string; n: number }>(
    `SELECT ${bucketCase('event_time', n)} AS bucket, event_type, count(*) AS n FROM lineage_events
     WHERE event_time >= ?1 AND event_time < ?${n + 1} AND event_type IN ('START', 'COMPLETE', 'FAIL', 'ABORT') GROUP BY bucket, event_type`,
    ...b.bounds,
  )) {
    const key = r.event_type.toLowerCase() as 'fail' | 'start' | 'complete' | 'abort';
    counts[r.bucket]![key] = r.n;
  }
  return b.labels.map((l, i) => ({ ...l, ...counts[i]! }));
}

// How many rows existed by the end of each bucket, deleted ones included (a running total, as Marquez's charts show).
function created(table: 'jobs' | 'datasets' | 'sources'): ReadHandler {
  return (store, _p, q): IntervalStats[] => {
    const p = period(q);
    const b = buckets(p, p === 'WEEK' ? timezone(q) : 'UTC');
    const n = b.labels.length;
    const before = store.get<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE created_at < ?`, b.bounds[0]!)!.n;
    const per = new Array<number>(n).fill(0);
    for (const r of store.all<{ bucket: number; n: number }>(
      `SELECT ${bucketCase('created_at', n)} AS bucket, count(*) AS n FROM ${table}
       WHERE created_at >= ?1 AND created_at < ?${n + 1} GROUP BY bucket`,
      ...b.bounds,
    ))
      per[r.bucket] = r.n;
    let total = before;
    return b.labels.map((l, i) => ({ ...l, count: (total += per[i]!) }));
  };
}

/** `GET /stats/lineage-events|jobs|datasets|sources?period=DAY|WEEK&timezone=…`, in Marquez's shapes. */
export const STATS_ROUTES: [string, ReadHandler][] = [
  ['stats/lineage-events', (s, _p, q) => lineageEvents(s, q)],
  ['stats/jobs', created('jobs')],
  ['stats/datasets', created('datasets')],
  ['stats/sources', created('sources')],
];
