import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { literal, type DuckDb } from '../../runtime/duckdb.ts';
import { KEY_COUNTS_TABLE, PART_SOURCE, PARTS_TABLE, partSizes, type PartialSql } from './partial-sql.ts';

/** Buckets the key sets of unique rules are hash-partitioned into: the merge holds one bucket's keys at a time. */
export const KEY_BUCKETS = 32;

/** Keys repeated across parts kept per unique rule: enough for the quarantine's sample of failing rows. */
export const REPEATED_KEYS = 1000;

/** The table the merge keeps a unique rule's keys repeated across parts in (column `k`), if any repeat. */
export function repeatedKeysTable(rule: number): string {
  return `repeated_keys_r${rule}`;
}

/** One file of a part's key set: the distinct keys of one rule that hash into one bucket. */
export interface KeyFile {
  readonly rule: number;
  readonly bucket: number;
  readonly file: string;
}

/** What a part's scan wrote: its one-row partial (Parquet keeps every type exact) and its key sets. */
export interface PartialFiles {
  readonly rows: number;
  readonly partial: string;
  readonly keys: KeyFile[];
}

/**
 * Computes one part's partial result over the `batch` view: a first scan for its sizes (the thresholds of its samples),
 * one scan for the row count, the metrics and every rule's aggregates, then, per unique or duplicateFraction rule, the part's distinct keys written by hash bucket.
 */
export async function computePartial(
  db: DuckDb,
  sql: PartialSql,
  fields: ReadonlyArray<{ name: string }>,
  dir: string,
): Promise<PartialFiles> {
  const partial = join(dir, 'partial.parquet');
  const [found = {}] = await db.all(`SELECT ${sql.sizes.join(', ')} FROM batch`);
  const part = sql.part(partSizes(fields, found));
  await db.run(`COPY (SELECT ${part.join(',\n  ')} FROM ${PART_SOURCE}) TO ${literal(partial)} (FORMAT parquet)`);
  const keys: KeyFile[] = [];
  for (const set of sql.keySets) {
    const out = join(dir, `keys-r${set.rule}`);
    await db.run(
      `COPY (SELECT DISTINCT ${set.key} AS k, (hash(${set.key}) % ${KEY_BUCKETS})::INTEGER AS bucket FROM batch WHERE ${set.present})
       TO ${literal(out)} (FORMAT parquet, PARTITION_BY (bucket), OVERWRITE_OR_IGNORE)`,
    );
    for (const entry of await readdir(out, { recursive: true }).catch(() => [] as string[])) {
      const bucket = /bucket=(\d+)/.exec(entry)?.[1];
      if (bucket !== undefined && entry.endsWith('.parquet')) keys.push({ rule: set.rule, bucket: Number(bucket), file: join(out, entry) });
    }
  }
  const [row = {}] = await db.all(`SELECT "rows__n" AS n FROM read_parquet(${literal(partial)})`);
  return { rows: Number(row.n), partial, keys };
}

/**
 * Merges the parts' partials into the single scan's row. Each unique rule's distinct keys are counted bucket by bucket
 * (a key hashes into one bucket in every part, so the per-bucket counts add up exactly); `keyFiles` yields one
 * bucket's files (downloading them if need be) and `done` lets them go.
 */
export async function mergePartials(
  db: DuckDb,
  sql: PartialSql,
  partials: readonly string[],
  keyFiles: (rule: number, bucket: number) => Promise<string[]>,
  done: (files: string[]) => Promise<void> = async () => undefined,
): Promise<Record<string, unknown>> {
  await db.run(`CREATE OR REPLACE TABLE ${KEY_COUNTS_TABLE} (rule INTEGER, keys BIGINT)`);
  for (const set of sql.keySets) {
    let keys = 0;
    let created = false;
    const table = repeatedKeysTable(set.rule);
    await db.run(`DROP TABLE IF EXISTS ${table}`);
    for (let bucket = 0; bucket < KEY_BUCKETS; bucket++) {
      const files = await keyFiles(set.rule, bucket);
      if (files.length === 0) continue;
      // Each part's keys are distinct, so a key found in two of its files repeats across parts: a few are kept to sample rows by.
      await db.run(
        `CREATE OR REPLACE TEMP TABLE bucket_keys AS SELECT k, count(*) AS n FROM read_parquet([${files.map(literal).join(', ')}], hive_partitioning = false) GROUP BY k`,
      );
      const [row = {}] = await db.all(`SELECT count(*) AS n FROM bucket_keys`);
      keys += Number(row.n);
      if (!created) await db.run(`CREATE OR REPLACE TABLE ${table} AS SELECT k FROM bucket_keys WHERE false`);
      created = true;
      const [kept = {}] = await db.all(`SELECT count(*) AS n FROM ${table}`);
      const room = REPEATED_KEYS - Number(kept.n);
      if (room > 0) await db.run(`INSERT INTO ${table} SELECT k FROM bucket_keys WHERE n > 1 LIMIT ${room}`);
      await done(files);
    }
    await db.run(`INSERT INTO ${KEY_COUNTS_TABLE} VALUES (${set.rule}, ${keys})`);
  }
  await db.run(`CREATE OR REPLACE TABLE ${PARTS_TABLE} AS SELECT * FROM read_parquet([${partials.map(literal).join(', ')}])`);
  for (const s of sql.samples) await db.run(`CREATE OR REPLACE TABLE ${s.table} AS ${s.sql}`);
  const [row = {}] = await db.all(`SELECT ${sql.merge.join(',\n  ')} FROM ${PARTS_TABLE}`);
  return row;
}
