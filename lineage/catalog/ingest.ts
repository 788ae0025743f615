import { createHash } from 'node:crypto';
import type { CatalogStore } from './catalog-store.ts';
import { hashUuid, runUuid } from './ids.ts';
import { sanitizeJobNamespace } from './names.ts';
import { ensureDatasetVersion, ingestRunEvent, upsertDataset, upsertJob, upsertNamespace } from './ingest-event.ts';
import { isRejection, validateEvent } from './validate-event.ts';
import type { CatalogEvent, Rejection } from './validate-event.ts';

/** The outcome of posting one event: 201 (`duplicate` when the very same event was stored before), or the rejection. */
export type IngestResult = { status: 201; kind: CatalogEvent['kind']; runUuid?: string; duplicate?: true } | Rejection;

/** The same event in any key order gives the same text: objects' keys sorted, at every level. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const withDigests = new WeakSet<CatalogStore>();

/** Creates the table of stored events' digests, once per store. */
function digests(store: CatalogStore): void {
  if (withDigests.has(store)) return;
  store.db.exec('CREATE TABLE IF NOT EXISTS event_digests (digest TEXT PRIMARY KEY) WITHOUT ROWID');
  withDigests.add(store);
}

function ingestDatasetEvent(store: CatalogStore, e: CatalogEvent): void {
  const ds = e.dataset!;
  const uuid = upsertDataset(store, ds, e.eventTime);
  const version = ensureDatasetVersion(store, uuid, ds, null, e.eventTime);
  store.run('UPDATE datasets SET current_version = ?, last_modified_at = ? WHERE uuid = ?', version, e.eventTime, uuid);
  store.putFacets(`dsv:${version}`, ds.facets, e.eventTime);
}

function ingestJobEvent(store: CatalogStore, e: CatalogEvent): void {
  const namespace = sanitizeJobNamespace(e.job!.namespace);
  const t = e.eventTime;
  upsertNamespace(store, namespace, t);
  const job = upsertJob(store, namespace, e.job!.name, e.job!.name, undefined, e.job!.facets, t).uuid;
  const io = [
    ...e.inputs.map((d) => ['in', upsertDataset(store, d, t)] as const),
    ...e.outputs.map((d) => ['out', upsertDataset(store, d, t)] as const),
  ];
  // As Marquez: a declared output gets a run-less version, and so does an input that has none yet; neither becomes current.
  io.forEach(([direction, uuid], i) => {
    const ds = i < e.inputs.length ? e.inputs[i]! : e.outputs[i - e.inputs.length]!;
    const current = store.get<{ v: string | null }>('SELECT current_version AS v FROM datasets WHERE uuid = ?', uuid)!.v;
    if (direction === 'out' || !current) ensureDatasetVersion(store, uuid, ds, null, t);
  });
  const version = hashUuid('jobv', namespace, e.job!.name, io);
  store.run('INSERT OR IGNORE INTO job_versions (uuid, job_uuid, run_uuid, created_at) VALUES (?, ?, NULL, ?)', version, job, t);
  for (const [direction, ds] of io)
    store.run('INSERT OR IGNORE INTO job_version_io (version_uuid, dataset_uuid, direction) VALUES (?, ?, ?)', version, ds, direction);
  store.run('UPDATE jobs SET current_version = ? WHERE uuid = ?', version, job);
  // A run-less version's job facets are the declaring event's (a run's are read from its own events).
  store.putFacets(`jobv:${version}`, e.job!.facets, t);
}

/** Validates a parsed body and applies it in one transaction: the raw event and the model change, or nothing. */
export function ingestEvent(store: CatalogStore, body: unknown): IngestResult {
  const event = validateEvent(body);
  if (isRejection(event)) return event;
  digests(store);
  // A replay after a late answer, or two imports of one events file, bring the same event again: stored once.
  const digest = createHash('sha256').update(canonicalJson(body)).digest('hex');
  return store.transaction(() => {
    const run = event.kind === 'RunEvent' ? runUuid(event.runId!) : undefined;
    if (store.get('SELECT 1 AS seen FROM event_digests WHERE digest = ?', digest)) {
      return { status: 201 as const, kind: event.kind, ...(run === undefined ? {} : { runUuid: run }), duplicate: true as const };
    }
    store.run('INSERT INTO event_digests (digest) VALUES (?)', digest);
    store.run(
      'INSERT INTO lineage_events (kind, event_time, event_type, run_uuid, payload) VALUES (?, ?, ?, ?, ?)',
      event.kind,
      event.eventTime,
      event.eventType ?? null,
      run ?? null,
      JSON.stringify(body),
    );
    if (event.kind === 'DatasetEvent') ingestDatasetEvent(store, event);
    else if (event.kind === 'JobEvent') ingestJobEvent(store, event);
    else ingestRunEvent(store, event);
    return run === undefined ? { status: 201 as const, kind: event.kind } : { status: 201 as const, kind: event.kind, runUuid: run };
  });
}
