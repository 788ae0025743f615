import { rm } from 'node:fs/promises';
import { SluiceError } from '../../../core/errors.ts';
import { literal, type DuckDb } from '../../runtime/duckdb.ts';
import type { WrittenObject } from '../../asl/step-invocation.ts';
import { ruleName } from './rule-sql.ts';
import type { StepContext, StepOutcome } from '../../runtime/run-step.ts';
import { recordHistory } from './drift.ts';
import { concludeAudit, planAudit, SAMPLE_ROWS, stagedBatch, uploadFailingRows } from './audit.ts';
import { partialSql, type KeySet } from './partial-sql.ts';
import { mergePartials, repeatedKeysTable } from './partials.ts';
import { PartManifestSchema, partsPrefix, type PartManifest } from './test-part.ts';

/**
 * The merge of a data-test step audited in parts: checks that the parts together audited every file of the staged
 * batch exactly once, merges their partial results into the single scan's row, and concludes the audit as the single
 * path does (same assertions, publish or quarantine, errors).
 */
export async function mergeTestParts(ctx: StepContext<'dataTests'>): Promise<StepOutcome> {
  const { step, batchId } = ctx;
  const objects = stagedBatch(ctx);
  const where = partsPrefix(ctx);
  const manifests: PartManifest[] = [];
  for (const o of await ctx.store.list(where.bucket, where.prefix)) {
    if (!/\/part-\d+\.json$/.test(o.key)) continue;
    manifests.push(PartManifestSchema.parse(JSON.parse(await ctx.store.getText(o.bucket, o.key))));
  }
  checkCoverage(step.name, objects, manifests);
  const audited = manifests.filter((m) => m.partial !== undefined);
  const fields = audited[0]!.fields;
  const differing = audited.find((m) => JSON.stringify(m.fields) !== JSON.stringify(fields));
  if (differing) {
    throw new SluiceError(
      'DATA_TESTS_PARTS_SCHEMA',
      `step "${step.name}": the files of part ${differing.part} have the columns ${describe(differing.fields)}, those of part ${audited[0]!.part} ${describe(fields)}; every file of a batch has one schema`,
    );
  }
  const plan = await planAudit(ctx, fields);
  const sql = partialSql(plan.rules, plan.compiled, fields, new Set(plan.uniqueRules.keys()));
  const fetch = async (key: string, name: string): Promise<string> => {
    const file = ctx.scratch(name);
    await ctx.store.download(where.bucket, key, file);
    return file;
  };
  const partials = await Promise.all(audited.map((m) => fetch(m.partial!, `partial-${m.part}.parquet`)));
  const db = await ctx.duckdb();
  const row = await mergePartials(
    db,
    sql,
    partials,
    (rule, bucket) =>
      Promise.all(
        audited.flatMap((m) =>
          m.keys
            .filter((k) => k.rule === rule && k.bucket === bucket)
            .map((k) => fetch(k.key, `keys-${m.part}-r${rule}-b${bucket}.parquet`)),
        ),
      ),
    async (files) => {
      await Promise.all(files.map((f) => rm(f, { force: true })));
    },
  );
  return concludeAudit(ctx, plan, objects, row, {
    history: (metrics, rows) =>
      recordHistory(
        db,
        fields,
        plan.rules,
        { batchId, rowCount: rows, metrics },
        (column) => sql.samples.find((s) => s.column === column)!.table,
      ),
    async failingRows(outcomes) {
      const samples = await Promise.all(audited.flatMap((m) => (m.failingRows ? [fetch(m.failingRows, `failing-${m.part}.parquet`)] : [])));
      const failed = outcomes.flatMap((o, i) => (o.success || !plan.compiled[i]!.failing ? [] : [i]));
      const across = await repeatedAcrossParts(
        ctx,
        db,
        sql.keySets.filter((k) => failed.includes(k.rule)),
        objects,
        (i) => ruleName(plan.rules[i]!),
      );
      const files = across ? [...samples, across] : samples;
      if (files.length === 0 || failed.length === 0) return {};
      // Parts in order, each rule's first SAMPLE_ROWS rows across them, as the single scan's LIMIT keeps the first it finds.
      await db.run(
        `CREATE TABLE failing AS SELECT * EXCLUDE (__part) FROM (
           SELECT *, filename AS __part FROM read_parquet([${files.map(literal).join(', ')}], union_by_name = true, filename = true)
           WHERE __rule_index IN (${failed.join(', ')})
           QUALIFY row_number() OVER (PARTITION BY __rule_index ORDER BY __part) <= ${SAMPLE_ROWS})`,
      );
      return uploadFailingRows(ctx, db, plan, outcomes);
    },
  });
}

/**
 * The rows of failed unique rules whose keys repeat across parts (a part's own sample holds only keys repeated within
 * it): the staged files are read one at a time for the keys the merge kept, until each rule has SAMPLE_ROWS rows.
 */
async function repeatedAcrossParts(
  ctx: StepContext<'dataTests'>,
  db: DuckDb,
  sets: readonly KeySet[],
  objects: readonly WrittenObject[],
  name: (rule: number) => string,
): Promise<string | undefined> {
  const tables = await db.all(`SELECT table_name AS t FROM duckdb_tables()`);
  const kept = sets.filter((set) => tables.some((r) => r.t === repeatedKeysTable(set.rule)));
  const wanted = new Map<number, number>();
  for (const set of kept) {
    const [row = {}] = await db.all(`SELECT count(*) AS n FROM ${repeatedKeysTable(set.rule)}`);
    if (Number(row.n) > 0) wanted.set(set.rule, SAMPLE_ROWS);
  }
  if (wanted.size === 0) return undefined;
  let created = false;
  for (const [i, o] of objects.entries()) {
    if ([...wanted.values()].every((n) => n <= 0)) break;
    const [file] = await ctx.download([{ bucket: o.bucket, key: o.key, etag: o.etag ?? '', size: o.bytes }], `across-${i}`);
    for (const set of kept) {
      const room = wanted.get(set.rule) ?? 0;
      if (room <= 0) continue;
      const select = `SELECT ${literal(name(set.rule))} AS failed_rule, ${set.rule} AS __rule_index, *
        FROM read_parquet(${literal(file!)}, hive_partitioning = false)
        WHERE ${set.present} AND ${set.key} IN (SELECT k FROM ${repeatedKeysTable(set.rule)}) LIMIT ${room}`;
      await db.run(created ? `INSERT INTO across_parts BY NAME ${select}` : `CREATE TABLE across_parts AS ${select}`);
      created = true;
      const [row = {}] = await db.all(`SELECT count(*) AS n FROM across_parts WHERE __rule_index = ${set.rule}`);
      wanted.set(set.rule, SAMPLE_ROWS - Number(row.n));
    }
    // A local store may hand out its own file rather than a copy: only scratch copies are removed.
    if (file!.startsWith(ctx.scratch(''))) await rm(file!, { force: true });
  }
  if (!created) return undefined;
  const out = ctx.scratch('failing-across-parts.parquet');
  await db.run(`COPY across_parts TO ${literal(out)} (FORMAT parquet)`);
  return out;
}

/** Checks that every staged file was audited by exactly one part, and no part audited a file the batch does not have. */
export function checkCoverage(stepName: string, objects: ReadonlyArray<{ bucket: string; key: string }>, manifests: PartManifest[]): void {
  const id = (o: { bucket: string; key: string }) => `s3://${o.bucket}/${o.key}`;
  const seen = new Map<string, number>();
  for (const m of manifests) for (const f of m.files) seen.set(id(f), (seen.get(id(f)) ?? 0) + 1);
  const missing = objects.filter((o) => !seen.has(id(o))).map(id);
  const twice = [...seen].filter(([, n]) => n > 1).map(([f]) => f);
  const expected = new Set(objects.map(id));
  const foreign = [...seen.keys()].filter((f) => !expected.has(f));
  const problems = [
    ...missing.map((f) => `${f}: no part audited it`),
    ...twice.map((f) => `${f}: audited by more than one part`),
    ...foreign.map((f) => `${f}: audited by a part, but not a file of this batch`),
  ];
  if (problems.length > 0 || manifests.every((m) => m.partial === undefined)) {
    throw new SluiceError(
      'DATA_TESTS_PARTS_INCOMPLETE',
      `step "${stepName}": the parts' results do not cover the staged batch (${objects.length} files, ${manifests.length} parts); the merge judges only a batch every part audited`,
      { details: problems.slice(0, 20) },
    );
  }
}

function describe(fields: ReadonlyArray<{ name: string; type: string }>): string {
  return fields.map((f) => `${f.name} ${f.type}`).join(', ');
}
