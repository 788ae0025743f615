import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue } from 'node:sqlite';
import { createSchema } from './schema.ts';

type Row = Record<string, SQLInputValue>;

/** The catalog's SQLite database: one file (or `:memory:`), WAL, every statement parameterised and cached. */
export class CatalogStore {
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();

  readonly path: string;

  constructor(path: string = ':memory:') {
    this.path = path;
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA busy_timeout = 5000');
    createSchema(this.db);
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
  facets(owner: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const row of this.all<{ name: string; body: string }>('SELECT name, body FROM facets WHERE owner = ? ORDER BY name', owner)) {
      out[row.name] = JSON.parse(row.body);
    }
    return out;
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
