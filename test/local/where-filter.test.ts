import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWhere } from '../../lib/local/explore/where-filter.ts';
import { openDuckDb, type DuckDb } from '../../lib/runtime/duckdb.ts';

describe('--where filters', () => {
  let db: DuckDb;
  beforeAll(async () => {
    db = await openDuckDb({ threads: 1 });
  });
  afterAll(() => db.close());

  it.each([
    ['score > 0.8', '(score > 0.8)'],
    ["plan = 'basic' AND label", '((plan = \'basic\') AND "label")'],
    ["note = 'a -- b /* c */'", "(note = 'a -- b /* c */')"],
    ["name = 'it''s'", "(\"name\" = 'it''s')"],
    ['customer_id IN (1, 2, 3)', '(customer_id IN (1, 2, 3))'],
    ["strftime(created, '%Y') = '2026'", "(strftime(created, '%Y') = '2026')"],
  ])('accepts %s as one filter expression, rendered by DuckDB as %s', async (expression, rendered) => {
    expect(await checkWhere(db, expression)).toBe(rendered);
  });

  it.each([
    ['', 'it is empty'],
    ['1=1) UNION SELECT * FROM t WHERE (1=1', 'more than one filter expression'],
    ['1=1) ORDER BY (score', 'more than one filter expression'],
    ['1=1) GROUP BY (score', 'more than one filter expression'],
    ['1; DROP TABLE t', 'syntax error'],
    ['customer_id IN (SELECT id FROM other)', 'subqueries are not allowed'],
    ['EXISTS (SELECT 1)', 'subqueries are not allowed'],
    ['1=1) -- ', 'comments are not allowed'],
    ['score /* hidden */ > 1', 'comments are not allowed'],
    ['score >', 'syntax error'],
  ])('refuses %j: %s', async (expression, why) => {
    await expect(checkWhere(db, expression)).rejects.toMatchObject({
      code: 'EXPLORE_WHERE_INVALID',
      message: expect.stringContaining(why),
    });
  });
});
