import type { SQLInputValue } from 'node:sqlite';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { DatabaseSync, WORKER_LOAD_SQLITE } from './sqlite.ts';
import type { ApiFacet } from '../marquez/api.ts';
import { replayOlderLayout, setAsideOlderLayout } from './rebuild-store.ts';
import { createSchema, hasOlderLayout } from './schema.ts';
import { storedNow } from './times.ts';

type Row = Record<string, SQLInputValue>;

const CHECKPOINT_EVERY_MS = 1000;
const CHECKPOINT_EVERY_COMMITS = 2000;
/**
 * WAL size past which the store checkpoints in full, holding writes for the moment it takes: passive checkpoints never
 * catch up with sustained writes (new frames keep arriving while older ones are copied), so the WAL would grow forever.
 */
export const MAX_WAL_BYTES = 32 * 1024 * 1024;
const WAL_CHECK_EVERY_COMMITS = 20;
const CHECKPOINTER = `${WORKER_LOAD_SQLITE}const { parentPort, workerData } = require('node:worker_threads');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 5000');
parentPort.on('message', () => {
  try { db.exec('PRAGMA wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next one or close() catches up */ }
});
`;

function startCheckpointer(path: string): Worker {
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { path } });
  worker.unref();
  return worker;
}

/** Sets an own property, even one named "__proto__" (which plain assignment would take as the prototype). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The catalog's SQLite database: one file (or `:memory:`), WAL, every statement parameterised and cached. */
export class CatalogStore {
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();

  readonly path: string;
  /** When the file had an older layout: how many of its raw events were ingested again to rebuild it. */
  readonly rebuiltEvents: number | undefined;
  #lastCheckpoint = performance.now();
  #commitsSinceCheckpoint = 0;
  #checkpointer: Worker | undefined;

  constructor(path: string = ':memory:') {
    this.path = path;
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA busy_timeout = 5000');
    const older = hasOlderLayout(this.db);
    if (older) setAsideOlderLayout(this.db);
    createSchema(this.db);
    // Marquez always has a `default` namespace (made at its first start).
    this.run(
      `INSERT INTO namespaces (name, created_at, updated_at, description) VALUES ('default', ?1, ?1, ?2) ON CONFLICT (name) DO NOTHING`,
      storedNow(),
      'The default global namespace for dataset, job, and run metadata not belonging to a user-specified namespace.',
    );
    this.rebuiltEvents = older ? replayOlderLayout(this) : undefined;
    // SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages and syncs the file there,
    // which cost one event in ~70 several milliseconds. The store checkpoints itself instead: at most once a second
    // (or every 2,000 commits) after a commit, and on close, so the WAL stays bounded and commits stay cheap.
    this.db.exec('PRAGMA wal_autocheckpoint = 0');
  }

  #checkpointIfDue(): void {
    this.#commitsSinceCheckpoint += 1;
    if (this.path === ':memory:') return;
    // A busy second can add tens of MiB: the WAL's size is looked at every 20 commits (a stat, microseconds).
    if (this.#commitsSinceCheckpoint % WAL_CHECK_EVERY_COMMITS === 0 && this.#walBytes() > MAX_WAL_BYTES) {
      this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      this.#lastCheckpoint = performance.now();
      this.#commitsSinceCheckpoint = 0;
      return;
    }
    const now = performance.now();
    if (now - this.#lastCheckpoint < CHECKPOINT_EVERY_MS && this.#commitsSinceCheckpoint < CHECKPOINT_EVERY_COMMITS) return;
    this.#lastCheckpoint = now;
    this.#commitsSinceCheckpoint = 0;
    // A checkpoint copies pages back and syncs the file: tens of milliseconds after a busy second. It runs on a worker
    // thread with its own connection, so requests are not held up by it; a passive checkpoint never blocks writers.
    this.#checkpointer ??= startCheckpointer(this.path);
    this.#checkpointer.postMessage('checkpoint');
  }

  #walBytes(): number {
    return statSync(`${this.path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  }

  #prepare(sql: string): ReturnType<DatabaseSync['prepare']> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs a statement that changes rows. */
  run(sql: string, ...params: SQLInputValue[]): void {
    this.#prepare(sql).run(...params);
  }

  /** The first row, or undefined. */
  get<T = Row>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.#prepare(sql).get(...params) as T | undefined;
  }

  /** All rows. */
  all<T = Row>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.#prepare(sql).all(...params) as T[];
  }

  /** Runs `work` in one transaction: all of it or none of it. */
  transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      this.#checkpointIfDue();
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Stores a facet under an owner (`run:…`, `job:…`, `dsv:…`, `in:run:dataset`); a later event time wins. */
  putFacets(owner: string, facets: Record<string, unknown>, eventTime: string): void {
    for (const [name, body] of Object.entries(facets)) {
      this.run(
        `INSERT INTO facets (owner, name, event_time, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (owner, name) DO UPDATE SET event_time = excluded.event_time, body = excluded.body
         WHERE excluded.event_time >= facets.event_time`,
        owner,
        name,
        eventTime,
        JSON.stringify(body),
      );
    }
  }

  /** The merged facets of an owner. */
  facets(owner: string): Record<string, ApiFacet> {
    const out: Record<string, ApiFacet> = {};
    for (const row of this.all<{ name: string; body: string }>('SELECT name, body FROM facets WHERE owner = ? ORDER BY name', owner)) {
      setOwn(out, row.name, JSON.parse(row.body));
    }
    return out;
  }

  /** Closes the database. */
  close(): void {
    void this.#checkpointer?.terminate();
    this.#checkpointer = undefined;
    if (this.db.isOpen && this.path !== ':memory:') this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
