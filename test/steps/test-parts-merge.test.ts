import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataTestRuleSchema, type DataTestRule, type DataTestRuleInput } from '../../lib/definition/rules.ts';
import { literal, openDuckDb, parquetFields, type DuckDb } from '../../lib/runtime/duckdb.ts';
import { columnMetrics } from '../../lib/steps/data-tests/column-metrics.ts';
import { compileAudit, judgeAudit, singleScanSelect, type AuditPlan } from '../../lib/steps/data-tests/audit.ts';
import type { BatchHistory } from '../../lib/steps/data-tests/drift.ts';
import { partialSql } from '../../lib/steps/data-tests/partial-sql.ts';
import { computePartial, mergePartials, type KeyFile } from '../../lib/steps/data-tests/partials.ts';
import { checkCoverage } from '../../lib/steps/data-tests/merge-parts.ts';
import type { PartManifest } from '../../lib/steps/data-tests/test-part.ts';

/** A small seeded generator (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RULES: DataTestRuleInput[] = [
  { rule: 'notNull', column: 'id' },
  { rule: 'notNull', column: 'v' },
  { rule: 'unique', columns: ['id'] },
  { rule: 'unique', columns: ['id', 'code'] },
  { rule: 'acceptedValues', column: 'code', values: ['A', 'B', 'C'] },
  { rule: 'range', column: 'v', min: 0, max: 90 },
  { rule: 'range', column: 'n', min: -5, inclusive: false },
  { rule: 'pattern', column: 'id', regex: '^id-[0-9]+$' },
  { rule: 'length', column: 'code', min: 1, max: 1 },
  { rule: 'rowCount', min: 10, max: 500 },
  { rule: 'freshness', column: 'at', maxAge: '36h' },
  { rule: 'referential', column: 'code', dataset: 'codes', referencedColumn: 'code' },
  { rule: 'nullFraction', column: 'v', max: 0.1 },
  { rule: 'nullFraction', column: 'empty', max: 0.5 },
  { rule: 'duplicateFraction', columns: ['id'], max: 0.05 },
  { rule: 'duplicateFraction', columns: ['n'], max: 0.5 },
  { rule: 'mean', column: 'v', min: 40, max: 60 },
  { rule: 'stddev', column: 'v', max: 28 },
  { rule: 'sum', column: 'n', min: 0 },
  { rule: 'mean', column: 'empty', min: 0 },
  { rule: 'sql', name: 'v_under_n', predicate: 'v IS NULL OR n IS NULL OR v >= n' },
  { rule: 'rowCountChange', maxChange: 0.3, history: 2 },
  { rule: 'psi', column: 'v', max: 0.1 },
  { rule: 'psi', column: 'code', max: 0.05 },
  { rule: 'meanShift', column: 'n', maxStddevs: 1, history: 2 },
  { rule: 'stddev', column: 'amount', min: 1 },
];
const rules: DataTestRule[] = RULES.map((r) => DataTestRuleSchema.parse(r));
const referenceTime = new Date('2026-06-01T00:00:00Z');
const history: BatchHistory[] = [
  {
    batchId: 'b2',
    time: '2026-05-31T00:00:00Z',
    rowCount: 200,
    columns: {
      v: { mean: 50, stddev: 25, edges: [20, 40, 60, 80], fractions: [0.2, 0.2, 0.2, 0.2, 0.2] },
      n: { mean: 10, stddev: 4 },
      code: { categories: { A: 0.4, B: 0.3, C: 0.3 } },
    },
  },
  { batchId: 'b1', time: '2026-05-30T00:00:00Z', rowCount: 150, columns: { n: { mean: 12, stddev: 5 } } },
];

describe('data tests merged from parts', () => {
  let dir: string;
  let db: DuckDb;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-test-parts-'));
    db = await openDuckDb();
    await db.run(`CREATE TABLE ref_codes AS SELECT * FROM (VALUES ('A'), ('B'), ('D')) t(code)`);
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Random rows with nulls, duplicates, a column that is always null and one of decimals. */
  async function generate(seed: number): Promise<{ file: string; rows: number }> {
    const next = random(seed);
    const rows = Math.floor(next() * 400);
    const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
    const values: string[] = [];
    const sql = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : literal(v));
    for (let r = 0; r < rows; r++) {
      const id = next() < 0.03 ? null : next() < 0.05 ? `dup ${Math.floor(next() * 3)}` : `id-${r}`;
      const v = next() < 0.08 ? null : Math.round(next() * 10000) / 100;
      const n = next() < 0.1 ? null : Math.floor(next() * 25) - 3;
      const code = next() < 0.05 ? null : pick(['A', 'B', 'C', 'A', 'B', 'DD', 'E']);
      const at = new Date(referenceTime.getTime() - Math.floor(next() * 200) * 3.6e6).toISOString();
      const amount = next() < 0.2 ? null : (Math.floor(next() * 100000) / 100).toFixed(2);
      values.push(
        `(${r}, ${sql(id)}, ${sql(v)}, ${sql(n)}, ${sql(code)}, TIMESTAMP ${literal(at.replace('T', ' ').replace('Z', ''))}, ${amount ?? 'NULL'})`,
      );
    }
    await db.run(
      `CREATE OR REPLACE TABLE t (rn INTEGER, id VARCHAR, v DOUBLE, n INTEGER, code VARCHAR, "at" TIMESTAMP, amount DECIMAL(10, 2))`,
    );
    if (values.length > 0) await db.run(`INSERT INTO t VALUES ${values.join(', ')}`);
    const file = join(dir, `all-${seed}.parquet`);
    await db.run(
      `COPY (SELECT id, v, n, code, "at", NULL::INTEGER AS empty, amount FROM t ORDER BY rn) TO ${literal(file)} (FORMAT parquet)`,
    );
    return { file, rows };
  }

  async function single(plan: AuditPlan, file: string): Promise<Record<string, unknown>> {
    await db.run(`CREATE OR REPLACE VIEW batch AS SELECT * FROM read_parquet(${literal(file)})`);
    const [row = {}] = await db.all(`SELECT ${singleScanSelect(plan).join(', ')} FROM batch`);
    return row;
  }

  /** Splits the rows at random boundaries (parts may be empty), computes each part's partial and merges them. */
  async function merged(plan: AuditPlan, file: string, rows: number, seed: number, parts?: number): Promise<Record<string, unknown>> {
    const next = random(seed * 7 + 1);
    const count = parts ?? 1 + Math.floor(next() * 6);
    const cuts = [0, ...Array.from({ length: count - 1 }, () => Math.floor(next() * (rows + 1))).sort((a, b) => a - b), rows];
    const sql = partialSql(plan.rules, plan.compiled, plan.fields, new Set(plan.uniqueRules.keys()));
    const partials: string[] = [];
    const keys: KeyFile[] = [];
    for (let p = 0; p < count; p++) {
      const partDir = join(dir, `s${seed}-p${p}`);
      await mkdir(partDir, { recursive: true });
      const partFile = join(partDir, 'data.parquet');
      await db.run(
        `COPY (SELECT * FROM read_parquet(${literal(file)}) LIMIT ${cuts[p + 1]! - cuts[p]!} OFFSET ${cuts[p]}) TO ${literal(partFile)} (FORMAT parquet)`,
      );
      await db.run(`CREATE OR REPLACE VIEW batch AS SELECT * FROM read_parquet(${literal(partFile)})`);
      const out = await computePartial(db, sql, plan.fields, partDir);
      expect(out.rows).toBe(cuts[p + 1]! - cuts[p]!);
      partials.push(out.partial);
      keys.push(...out.keys);
    }
    return mergePartials(db, sql, partials, async (rule, bucket) =>
      keys.filter((k) => k.rule === rule && k.bucket === bucket).map((k) => k.file),
    );
  }

  it.each(Array.from({ length: 10 }, (_, i) => i + 1))('judges every rule kind as the single scan does (seed %i)', async (seed) => {
    const { file, rows } = await generate(seed);
    const fields = await parquetFields(db, file);
    const plan = compileAudit(rules, fields, history, referenceTime);
    const one = await single(plan, file);
    const many = await merged(plan, file, rows, seed);
    const verdict = judgeAudit(plan, one);
    expect(judgeAudit(plan, many)).toEqual(verdict);
    // Every seed's data breaks some rules and keeps others, so the comparison covers both outcomes.
    expect(new Set(verdict.outcomes.map((o) => o.success))).toEqual(new Set([true, false]));

    const counted = (row: Record<string, unknown>) => new Map([...plan.uniqueRules].map(([c, i]) => [c, Number(row[`r${i}_failed`])]));
    const a = columnMetrics(fields, one, rows, counted(one));
    const b = columnMetrics(fields, many, rows, counted(many));
    for (const f of fields) {
      const { distinctCount: _x, sum: sumA, ...restA } = a[f.name]!;
      const { distinctCount, sum: sumB, ...restB } = b[f.name]!;
      // Below 65,536 values the sample holds every value, so min, max and quantiles are exact.
      expect(restB).toEqual(restA);
      if (sumA === undefined) expect(sumB).toBeUndefined();
      else expect(sumB).toBeCloseTo(sumA, 6);
      const [exact = {}] = await db.all(`SELECT count(DISTINCT "${f.name}") AS n FROM read_parquet(${literal(file)})`);
      // Below 4,096 distinct values the merged sketch is exact (the single scan's HyperLogLog is an estimate).
      expect(distinctCount).toBe(Number(exact.n));
    }
  });

  it('merges the distinct-count sketch as one scan of every hash would, and samples quantiles uniformly, above their thresholds', async () => {
    // 600,000 values in 3 parts: more than a part keeps whole, so each part keeps only the hashes and keys under its threshold.
    await db.run(`CREATE OR REPLACE TABLE t AS SELECT i, (hash(i) % 200000)::BIGINT AS x FROM range(600000) r(i)`);
    const file = join(dir, 'large.parquet');
    await db.run(`COPY (SELECT x FROM t ORDER BY i) TO ${literal(file)} (FORMAT parquet)`);
    const fields = await parquetFields(db, file);
    const plan = compileAudit([], fields, [], referenceTime);
    const many = await merged(plan, file, 600_000, 5, 3);
    const [kmv = {}] = await db.all(`SELECT count(*) AS k, max(h) AS h FROM (SELECT DISTINCT hash(x) AS h FROM t ORDER BY h LIMIT 4096)`);
    const estimate = Math.round(4095 / (Number(BigInt(String(kmv.h))) / 2 ** 64));
    expect(Number(many.m0_distinct)).toBe(estimate);
    const [exact = {}] = await db.all(`SELECT count(DISTINCT x) AS d, quantile_cont(x, [0.25, 0.5, 0.75]) AS q FROM t`);
    expect(Math.abs(Number(many.m0_distinct) / Number(exact.d) - 1)).toBeLessThan(0.05);
    const q = many.m0_q as number[];
    (exact.q as number[]).forEach((v, k) => expect(Math.abs(q[k + 1]! - v)).toBeLessThan(200000 * 0.02));
  });

  it('counts duplicates spread over parts exactly', async () => {
    await db.run(`CREATE OR REPLACE TABLE t AS SELECT i, (i % 50)::VARCHAR AS id FROM range(100) r(i)`);
    const file = join(dir, 'dups.parquet');
    await db.run(`COPY (SELECT id FROM t ORDER BY i) TO ${literal(file)} (FORMAT parquet)`);
    const fields = await parquetFields(db, file);
    const plan = compileAudit([DataTestRuleSchema.parse({ rule: 'unique', columns: ['id'] })], fields, [], referenceTime);
    const many = await merged(plan, file, 100, 99, 2);
    expect(judgeAudit(plan, many).outcomes[0]).toMatchObject({ success: false, failedRows: 50, actual: '50 duplicate rows in 100 rows' });
    // Each part holds ids in order, so the keys found in both parts are those on both sides of the cut: the merge keeps them.
    const kept = (await db.all(`SELECT k FROM repeated_keys_r0 ORDER BY k`)).map((r) => String(r.k));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((k) => Number(k) >= 0 && Number(k) < 50)).toBe(true);
  });
});

describe('the merge of parts', () => {
  const file = (key: string) => ({ bucket: 'b', key, etag: 'e' });
  const part = (n: number, ...keys: string[]): PartManifest => ({
    part: n,
    files: keys.map(file),
    rows: 1,
    fields: [],
    partial: `p${n}`,
    keys: [],
  });
  const staged = ['f0', 'f1', 'f2'].map(file);

  it('accepts parts that audited every staged file once', () => {
    expect(() => checkCoverage('audit', staged, [part(0, 'f0', 'f1'), part(2, 'f2')])).not.toThrow();
  });

  it('fails naming each file no part audited, audited twice, or not of the batch', () => {
    const error = (() => {
      try {
        checkCoverage('audit', staged, [part(0, 'f0'), part(1, 'f0', 'f9')]);
      } catch (e) {
        return e as { code: string; message: string; details: string[] };
      }
    })();
    expect(error?.code).toBe('DATA_TESTS_PARTS_INCOMPLETE');
    expect(error?.message).toMatch(/step "audit": the parts' results do not cover the staged batch \(3 files, 2 parts\)/);
    expect(error?.details).toEqual([
      's3://b/f1: no part audited it',
      's3://b/f2: no part audited it',
      's3://b/f0: audited by more than one part',
      's3://b/f9: audited by a part, but not a file of this batch',
    ]);
  });
});
