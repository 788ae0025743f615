import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureColumnLineage, type LineageInput } from '../../lib/steps/feature-build/column-lineage.ts';
import { openDuckDb, type DuckDb } from '../../lib/runtime/duckdb.ts';
import { validateFacet } from '../support/openlineage-validator.ts';

const INPUTS = new Map<string, LineageInput>([
  ['c', { namespace: 's3://data', name: 'published/customers', columns: ['id', 'plan', 'charges', 'tenure', 'tickets', 'ts'] }],
  ['o', { namespace: 's3://data', name: 'published/orders', columns: ['customer', 'amount', 'status'] }],
]);

type Facet = {
  fields: Record<
    string,
    { inputFields: Array<{ name: string; field: string; transformations: Array<{ type: string; subtype: string; masking?: boolean }> }> }
  >;
  dataset?: Array<{ name: string; field: string; transformations: Array<{ subtype: string }> }>;
};

/** `field <- input.column:SUBTYPE` lines, sorted, so expectations read like lineage. */
function summary(facet: Facet): { fields: Record<string, string[]>; dataset: string[] } {
  const short = (name: string) => (name.endsWith('customers') ? 'c' : 'o');
  const fields = Object.fromEntries(
    Object.entries(facet.fields).map(([k, v]) => [
      k,
      v.inputFields.flatMap((f) => f.transformations.map((t) => `${short(f.name)}.${f.field}:${t.subtype}${t.masking ? '*' : ''}`)).sort(),
    ]),
  );
  const dataset = (facet.dataset ?? []).flatMap((f) => f.transformations.map((t) => `${short(f.name)}.${f.field}:${t.subtype}`)).sort();
  return { fields, dataset };
}

describe("column lineage derived from DuckDB's parse tree", () => {
  let db: DuckDb;
  beforeAll(async () => {
    db = await openDuckDb();
  });
  afterAll(() => db.close());

  const derive = async (sql: string, outputColumns: string[]) => {
    const result = await featureColumnLineage(db, { sql, step: 'features', inputs: INPUTS, outputColumns });
    if (!('facet' in result)) throw new Error(result.unsupported);
    expect(validateFacet('output', 'columnLineage', result.facet)).toEqual([]);
    return summary(result.facet as unknown as Facet);
  };

  it('marks copies IDENTITY, expressions TRANSFORMATION and CASE conditions CONDITIONAL when the SQL selects rows', async () => {
    const out = await derive(
      `SELECT id, charges * tenure AS ltv, CAST(tenure AS DOUBLE) t, CASE WHEN plan = 'basic' THEN 1 ELSE 0 END AS is_basic, $nominal_time AS at FROM c WHERE charges > 0 ORDER BY ts`,
      ['id', 'ltv', 't', 'is_basic', 'at'],
    );
    expect(out.fields).toEqual({
      id: ['c.id:IDENTITY'],
      ltv: ['c.charges:TRANSFORMATION', 'c.tenure:TRANSFORMATION'],
      t: ['c.tenure:TRANSFORMATION'],
      is_basic: ['c.plan:CONDITIONAL'],
      at: [],
    });
    expect(out.dataset).toEqual(['c.charges:FILTER', 'c.ts:SORT']);
  });

  it('marks aggregates AGGREGATION, counts masked, and the keys GROUP_BY when the SQL groups', async () => {
    const out = await derive(
      `SELECT id, sum(charges) AS total, count(tickets) n, max(tenure) - min(tenure) AS span FROM c GROUP BY id HAVING count(*) > 1`,
      ['id', 'total', 'n', 'span'],
    );
    expect(out.fields).toEqual({
      id: ['c.id:IDENTITY'],
      total: ['c.charges:AGGREGATION'],
      n: ['c.tickets:AGGREGATION*'],
      span: ['c.tenure:AGGREGATION'],
    });
    expect(out.dataset).toEqual(['c.id:GROUP_BY']);
  });

  it('follows CTEs, subqueries and table aliases through a join', async () => {
    const out = await derive(
      `WITH spend AS (SELECT customer, sum(amount) AS spent FROM o WHERE status = 'paid' GROUP BY customer)
       SELECT x.id, s.spent / greatest(x.tenure, 1) AS monthly, y.plan
       FROM c AS x JOIN spend s ON s.customer = x.id JOIN (SELECT id, plan FROM c) y USING (id)`,
      ['id', 'monthly', 'plan'],
    );
    expect(out.fields).toEqual({
      id: ['c.id:IDENTITY'],
      monthly: ['c.tenure:TRANSFORMATION', 'o.amount:AGGREGATION'],
      plan: ['c.plan:IDENTITY'],
    });
    expect(out.dataset).toEqual(['c.id:JOIN', 'o.customer:GROUP_BY', 'o.customer:JOIN', 'o.status:FILTER']);
  });

  it('records window partitions and orders per field when the SQL uses window functions', async () => {
    const out = await derive(
      `SELECT id, date_diff('day', ts, max(ts) OVER ()) AS idle, lag(charges) OVER (PARTITION BY plan ORDER BY ts) prev FROM c`,
      ['id', 'idle', 'prev'],
    );
    expect(out.fields.idle).toEqual(['c.ts:AGGREGATION']);
    expect(out.fields.prev).toEqual(['c.charges:TRANSFORMATION', 'c.plan:WINDOW', 'c.ts:WINDOW']);
  });

  it('expands * with EXCLUDE and REPLACE and unions positionally', async () => {
    const out = await derive(`SELECT * EXCLUDE (plan, ts) REPLACE (charges * 2 AS charges) FROM c`, ['id', 'charges', 'tenure', 'tickets']);
    expect(out.fields).toMatchObject({ id: ['c.id:IDENTITY'], charges: ['c.charges:TRANSFORMATION'] });
    const union = await derive(`SELECT id AS k, charges AS v FROM c UNION ALL SELECT customer, amount FROM o`, ['k', 'v']);
    expect(union.fields).toEqual({ k: ['c.id:IDENTITY', 'o.customer:IDENTITY'], v: ['c.charges:IDENTITY', 'o.amount:IDENTITY'] });
  });

  it('reports what it cannot follow when the SQL reads a table function', async () => {
    const result = await featureColumnLineage(db, {
      sql: `SELECT range AS r FROM range(3)`,
      step: 'features',
      inputs: INPUTS,
      outputColumns: ['r'],
    });
    expect(result).toEqual({ unsupported: 'FROM table function' });
  });

  it('uses the declared lineage, checked against the schemas, when the user declares it', async () => {
    const declared = {
      fields: {
        score: [
          { from: 'c.charges', subtype: 'TRANSFORMATION' as const },
          { from: 'c.plan', subtype: 'CONDITIONAL' as const },
        ],
      },
      dataset: [{ from: 'o.status', subtype: 'FILTER' as const }],
    };
    const result = await featureColumnLineage(db, {
      sql: 'SELECT 1',
      step: 'features',
      inputs: INPUTS,
      outputColumns: ['score'],
      declared,
    });
    expect('facet' in result && summary(result.facet as unknown as Facet)).toEqual({
      fields: { score: ['c.charges:TRANSFORMATION', 'c.plan:CONDITIONAL'] },
      dataset: ['o.status:FILTER'],
    });
    const wrongOutput = featureColumnLineage(db, { sql: 'SELECT 1', step: 'features', inputs: INPUTS, outputColumns: ['other'], declared });
    await expect(wrongOutput).rejects.toThrow(
      'declared column lineage names output column score, which the step does not write (columns: other)',
    );
    const wrongInput = featureColumnLineage(db, {
      sql: 'SELECT 1',
      step: 'features',
      inputs: INPUTS,
      outputColumns: ['score'],
      declared: { fields: { score: [{ from: 'c.nope', subtype: 'IDENTITY' }] } },
    });
    await expect(wrongInput).rejects.toThrow('column lineage names c.nope, which is not a column of published/customers');
  });
});
