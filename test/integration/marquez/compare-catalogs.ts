// Compares two Marquez-API servers field by field: the requests the web UI makes (read-api.ts) go to both, each
// server's own row ids are replaced by what they stand for (server-ids.ts), and every field is compared
// (compare-answers.ts), letting through only the documented allowances (allowances.ts). The differential test posts
// the same events to Marquez and to the embedded catalog and expects no other difference.
import { runUuid } from '../../../lineage/catalog/ids.ts';
import { marquezTime, storedTime } from '../../../lineage/catalog/times.ts';
import type { Facts } from './allowances.ts';
import { compareReadings } from './compare-answers.ts';
import type { Comparison } from './compare-answers.ts';
import { planReads, readBoth, statsReads } from './read-api.ts';
import type { PlanOptions, Reading } from './read-api.ts';
import { tokenizeIds } from './server-ids.ts';

type Obj = Record<string, any>;

/** What to compare: the plan's options, the time zones of the WEEK charts, and every event posted to both. */
export type CompareOptions = PlanOptions & {
  /** IANA zones for the dashboard's WEEK charts (DAY is always read). @default ['UTC'] */
  readonly statsZones?: string[];
  /** The events both servers got, in posting order (for the allowances' facts). */
  readonly events: readonly Obj[];
  /** More requests to compare (a delete's follow-ups, say). */
  readonly extra?: string[];
};

/** A comparison and the two readings it was made from. */
export type ServerComparison = Comparison & { readonly marquez: Reading; readonly catalog: Reading };

/** Facts the allowances need: posted event times and run events, what Marquez says about runs, the catalog about jobs. */
export function factsOf(events: readonly Obj[], marquez: Reading, catalog: Reading): Facts {
  const time = (t: unknown) => marquezTime(storedTime(String(t)) ?? String(t));
  const runEvents = new Map<string, Array<{ type: string; time: string }>>();
  for (const e of events) {
    const run = e['run'] as Obj | undefined;
    if (!run || typeof e['eventType'] !== 'string') continue;
    const id = runUuid(String(run['runId']));
    runEvents.set(id, [...(runEvents.get(id) ?? []), { type: e['eventType'], time: time(e['eventTime']) }]);
  }
  const jobOfRun = new Map<string, string>();
  for (const [path, a] of marquez) {
    const m = /^namespaces\/([^/]+)\/jobs\/([^/?]+)\/runs\?/.exec(path);
    if (m && a.status === 200)
      for (const r of (a.body as Obj)['runs'] as Obj[])
        jobOfRun.set(String(r['id']), `${decodeURIComponent(m[1]!)}:${decodeURIComponent(m[2]!)}`);
  }
  const ownLatestState = new Map<string, string | null>();
  const all = catalog.get('jobs?limit=10000&offset=0');
  if (all?.status === 200)
    for (const j of (all.body as Obj)['jobs'] as Obj[])
      ownLatestState.set(`${j['namespace']}:${j['name']}`, j['latestRun']?.['state'] ?? null);
  return { eventTimes: new Set(events.map((e) => time(e['eventTime']))), jobOfRun, ownLatestState, runEvents };
}

const firstBucket = (r: Reading, path: string) => JSON.stringify((r.get(path)?.body as Obj[] | undefined)?.[0]?.['startInterval']);

/**
 * Reads both servers with the requests the UI makes over everything Marquez knows (plus `extra`), and compares the
 * answers. The dashboard's charts are read first and read again if an hour turned between the two servers' answers.
 */
export async function compareServers(marquezUrl: string, catalogUrl: string, opts: CompareOptions): Promise<ServerComparison> {
  const stats = statsReads(opts.statsZones ?? ['UTC']);
  let [ms, cs] = await readBoth(marquezUrl, catalogUrl, stats);
  if (stats.some((p) => firstBucket(ms, p) !== firstBucket(cs, p))) [ms, cs] = await readBoth(marquezUrl, catalogUrl, stats);
  const plan = [...(await planReads(marquezUrl, opts)), ...(opts.extra ?? [])];
  const [m, c] = await readBoth(marquezUrl, catalogUrl, plan);
  const marquez: Reading = new Map([...ms, ...m]);
  const catalog: Reading = new Map([...cs, ...c]);
  const result = compareReadings(tokenizeIds(marquez), tokenizeIds(catalog), factsOf(opts.events, marquez, catalog));
  return { ...result, marquez, catalog };
}
