import type { DatabaseSync } from 'node:sqlite';

/**
 * The layout this code writes; a file with an older one is rebuilt from the raw events it kept (rebuild-store.ts).
 * 2: inputs resolved to the version they read by their `version` facet (input-version.ts).
 * 3: digests of stored events, so an event sent again is stored once (filled for the events already kept).
 */
export const SCHEMA_VERSION = 3;

/** Tables derived from the raw events, dropped and refilled when the layout changes; tags and import offsets are kept. */
export const DERIVED_TABLES = [
  'namespaces',
  'sources',
  'job_version_io',
  'job_versions',
  'run_io',
  'run_states',
  'runs',
  'column_lineage',
  'dataset_versions',
  'datasets',
  'facets',
  'jobs',
  // Digests of the stored events (ingest.ts), so an event sent again is stored once; refilled with the events.
  'event_digests',
] as const;

// One table per Marquez concept; facets live in one keyed table so later events win per facet name. Times are stored
// as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (times.ts), so text order is time order. `hidden` is Marquez's soft delete.
const DDL = `
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS namespaces (
  name TEXT PRIMARY KEY, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, owner TEXT NOT NULL DEFAULT 'anonymous', description TEXT
);
CREATE TABLE IF NOT EXISTS jobs (
  uuid TEXT PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL, simple_name TEXT NOT NULL,
  parent_uuid TEXT, parent_name TEXT, type TEXT NOT NULL DEFAULT 'BATCH', description TEXT, location TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, current_version TEXT, hidden INTEGER NOT NULL DEFAULT 0,
  UNIQUE (namespace, name)
);
CREATE INDEX IF NOT EXISTS jobs_current_version ON jobs (current_version);
CREATE INDEX IF NOT EXISTS jobs_updated ON jobs (updated_at);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at);
CREATE INDEX IF NOT EXISTS jobs_hidden ON jobs (uuid) WHERE hidden = 1;
CREATE TABLE IF NOT EXISTS job_versions (
  uuid TEXT PRIMARY KEY, job_uuid TEXT NOT NULL REFERENCES jobs(uuid), run_uuid TEXT, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS job_version_io (
  version_uuid TEXT NOT NULL REFERENCES job_versions(uuid), dataset_uuid TEXT NOT NULL, direction TEXT NOT NULL,
  PRIMARY KEY (version_uuid, dataset_uuid, direction)
);
CREATE INDEX IF NOT EXISTS job_version_io_dataset ON job_version_io (dataset_uuid, direction);
CREATE TABLE IF NOT EXISTS runs (
  uuid TEXT PRIMARY KEY, external_id TEXT, job_uuid TEXT NOT NULL REFERENCES jobs(uuid),
  state TEXT NOT NULL DEFAULT 'NEW', arrival_state TEXT, started_at TEXT, ended_at TEXT,
  nominal_start TEXT, nominal_end TEXT, args TEXT NOT NULL DEFAULT '{}', job_version TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_job ON runs (job_uuid, created_at);
CREATE INDEX IF NOT EXISTS runs_job_version ON runs (job_version);
CREATE TABLE IF NOT EXISTS run_states (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, run_uuid TEXT NOT NULL, state TEXT NOT NULL, event_time TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS run_states_run ON run_states (run_uuid, event_time, seq);
CREATE TABLE IF NOT EXISTS datasets (
  uuid TEXT PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL, source_name TEXT NOT NULL DEFAULT 'default',
  description TEXT, fields TEXT NOT NULL DEFAULT '[]', current_version TEXT, last_modified_at TEXT,
  lifecycle_state TEXT, deleted INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  hidden INTEGER NOT NULL DEFAULT 0, UNIQUE (namespace, name)
);
CREATE INDEX IF NOT EXISTS datasets_created ON datasets (created_at);
CREATE INDEX IF NOT EXISTS datasets_hidden ON datasets (uuid) WHERE hidden = 1;
CREATE TABLE IF NOT EXISTS sources (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sources_created ON sources (created_at);
CREATE TABLE IF NOT EXISTS dataset_versions (
  uuid TEXT PRIMARY KEY, dataset_uuid TEXT NOT NULL REFERENCES datasets(uuid), run_uuid TEXT,
  version_label TEXT, fields TEXT NOT NULL DEFAULT '[]', mapped_fields TEXT NOT NULL DEFAULT '[]', lifecycle_state TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dataset_versions_dataset ON dataset_versions (dataset_uuid, created_at);
CREATE INDEX IF NOT EXISTS dataset_versions_label ON dataset_versions (dataset_uuid, version_label);
CREATE TABLE IF NOT EXISTS run_io (
  run_uuid TEXT NOT NULL, dataset_uuid TEXT NOT NULL, direction TEXT NOT NULL, version_uuid TEXT NOT NULL,
  PRIMARY KEY (run_uuid, dataset_uuid, direction)
);
CREATE INDEX IF NOT EXISTS run_io_version ON run_io (version_uuid, direction);
CREATE TABLE IF NOT EXISTS facets (
  owner TEXT NOT NULL, name TEXT NOT NULL, event_time TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (owner, name)
);
CREATE TABLE IF NOT EXISTS column_lineage (
  version_uuid TEXT NOT NULL, field TEXT NOT NULL, input_dataset_uuid TEXT NOT NULL, input_field TEXT NOT NULL,
  description TEXT, type TEXT, PRIMARY KEY (version_uuid, field, input_dataset_uuid, input_field)
);
CREATE INDEX IF NOT EXISTS column_lineage_input ON column_lineage (input_dataset_uuid, input_field);
CREATE TABLE IF NOT EXISTS lineage_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, event_time TEXT NOT NULL, event_type TEXT,
  run_uuid TEXT, payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS lineage_events_time ON lineage_events (event_time);
CREATE TABLE IF NOT EXISTS tags (name TEXT PRIMARY KEY, description TEXT);
CREATE TABLE IF NOT EXISTS object_tags (owner TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (owner, tag));
`;

/** Creates the catalog's tables when they do not exist (idempotent) and records the layout version. */
export function createSchema(db: DatabaseSync): void {
  db.exec(DDL);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
}

/** True when the file holds tables of an older layout (written before the layout had a version). */
export function hasOlderLayout(db: DatabaseSync): boolean {
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'lineage_events'`).get() as {
    n: number;
  };
  return version < SCHEMA_VERSION && tables.n > 0;
}
