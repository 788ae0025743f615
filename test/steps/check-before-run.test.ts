import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePipeline, isSluiceError, type PipelineDefinition } from '../../lib/index.ts';
import { checkBeforeRun, runLocal } from '../../lib/local/index.ts';
import { twoSourceDefinition } from '../support/pipelines.ts';

const MODEL = { type: 'logistic_regression', features: ['orders', 'spend', 'is_business'], coefficients: [0.1, 0.01, -0.5], intercept: -1 };

describe('checks before a run', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-check-'));
    await writeFile(join(dir, 'model.json'), JSON.stringify(MODEL));
    await writeFile(join(dir, 'corrupt.json'), '{"type": "logistic_regression", "features": [');
    await writeFile(join(dir, 'needs-z.json'), JSON.stringify({ ...MODEL, features: ['orders', 'z', 'is_business'] }));
    await writeFile(join(dir, 'on-text.json'), JSON.stringify({ ...MODEL, features: ['orders', 'spend', 'customer_id'] }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const check = (change: (d: any) => void = () => {}) => {
    const definition = twoSourceDefinition() as any;
    change(definition);
    return checkBeforeRun(definePipeline(definition as PipelineDefinition), { baseDir: dir });
  };
  const features = (d: any) => d.steps[4];

  it('passes the two-source pipeline, binding its SQL and fitting its model to the SQL result', async () => {
    expect(await check()).toEqual({ problems: [], notChecked: [] });
  });

  it.each<[string, (d: any) => void, string]>([
    [
      'a syntax error in the feature SQL',
      (d) => (features(d).sql = 'SELECT c.customer_id,, 1 FROM c'),
      'steps[4].sql: the feature SQL failed at line 1, column 22: parser error: syntax error at or near ","',
    ],
    [
      'an unknown column in the feature SQL',
      (d) => (features(d).sql = 'SELECT c.customer_id,\n  c.nope AS x\nFROM c'),
      'steps[4].sql: the feature SQL failed at line 2, column 3: Binder Error: Table "c" does not have a column named "nope"',
    ],
    [
      'a type error in the feature SQL',
      (d) => (features(d).sql = 'SELECT customer_id, since + segment AS x FROM c'),
      'steps[4].sql: the feature SQL failed at line 1, column 27: Binder Error: No function matches the given name and argument types',
    ],
    [
      'a parameter nobody defines',
      (d) => (features(d).sql = 'SELECT customer_id, $cutoff AS x FROM c'),
      'steps[4].sql: the feature SQL uses $cutoff, which no parameter defines',
    ],
    [
      'an unknown column in a sql rule',
      (d) => d.datasets.staged_orders.tests.push({ rule: 'sql', name: 'positive', predicate: 'amount_eur > 0' }),
      'datasets.staged_orders.tests[2].predicate: Binder Error: Referenced column "amount_eur" not found in FROM clause!',
    ],
    [
      'a type error in a sql rule',
      (d) => d.datasets.staged_orders.tests.push({ rule: 'sql', name: 'short', predicate: 'length(amount) < 10' }),
      "datasets.staged_orders.tests[2].predicate: Binder Error: No function matches the given name and argument types 'length(DOUBLE)'",
    ],
    [
      'a pattern DuckDB cannot compile',
      (d) => d.datasets.staged_orders.tests.push({ rule: 'pattern', column: 'order_id', regex: '(?=o)o-\\d+' }),
      'datasets.staged_orders.tests[2].regex: Invalid Input Error: invalid perl operator: (?=',
    ],
    [
      'a referencedColumn of another type',
      (d) => {
        d.datasets.staged_orders.tests[1].referencedColumn = 'since';
      },
      'datasets.staged_orders.tests[1].referencedColumn: "customer_id" is VARCHAR but "since" of dataset "customers" is DATE; a referential rule compares values of one type',
    ],
    ['a missing model file', (d) => (d.steps[5].model.source = 'missing.json'), 'missing.json does not exist'],
    ['a corrupt model file', (d) => (d.steps[5].model.source = 'corrupt.json'), 'steps[5].model.source: '],
    [
      'a model feature the SQL does not produce',
      (d) => (d.steps[5].model.source = 'needs-z.json'),
      'steps[5].model: feature z is missing from "features" (columns: customer_id, orders, spend, is_business)',
    ],
    [
      'a model feature that is not a number',
      (d) => (d.steps[5].model.source = 'on-text.json'),
      'steps[5].model: feature customer_id is VARCHAR; expected a number',
    ],
    [
      'an entity key the SQL does not produce',
      (d) => (d.steps[5].entityKey = 'client_id'),
      'steps[5].entityKey: "client_id" is not a column of "features"',
    ],
  ])('reports %s at its path', async (_, change, expected) => {
    const { problems } = await check(change);
    expect(problems.join('\n')).toContain(expected);
  });

  it('names the file of a missing or corrupt model', async () => {
    expect((await check((d) => (d.steps[5].model.source = 'missing.json'))).problems).toEqual([
      `steps[5].model.source: ${join(dir, 'missing.json')} does not exist`,
    ]);
    expect((await check((d) => (d.steps[5].model.source = 'corrupt.json'))).problems[0]).toMatch(
      new RegExp(`^steps\\[5\\]\\.model\\.source: ${join(dir, 'corrupt.json')}: not valid JSON`),
    );
  });

  it('lists the checks a missing schema keeps from running, and says why', async () => {
    const { problems, notChecked } = await check((d) => {
      delete d.datasets.raw_orders.schema;
      d.steps[5].model = { bucket: 'shop-models', key: 'model.json' };
    });
    expect(problems).toEqual([]);
    expect(notChecked).toEqual([
      'datasets.staged_orders.tests: the rules are not bound before the run: dataset "staged_orders" declares no schema',
      'steps[4].sql: the SQL is not bound before the run: input o: dataset "orders" declares no schema',
      'steps[5].model: no source file, so the model is first read from s3://shop-models/model.json when the step runs',
    ]);
  });

  it('does not bind what reads an upload that keeps undeclared columns, and says so', async () => {
    const { problems, notChecked } = await check((d) => {
      d.datasets.raw_orders.extraColumns = 'keep';
      features(d).sql = 'SELECT c.customer_id, max(o.coupon) AS coupon FROM c LEFT JOIN o USING (customer_id) GROUP BY ALL';
      d.steps[5].model.source = undefined;
    });
    expect(problems).toEqual([]);
    expect(notChecked.slice(0, 2)).toEqual([
      'datasets.staged_orders.tests: the rules are not bound before the run: dataset "staged_orders" has the undeclared columns its upload keeps (datasets.raw_orders.extraColumns: "keep")',
      'steps[4].sql: the SQL is not bound before the run: input o: dataset "orders" has the undeclared columns its upload keeps (datasets.raw_orders.extraColumns: "keep")',
    ]);
  });

  it('stops a local run before anything is uploaded, naming every problem with its path', async () => {
    const definition = twoSourceDefinition() as any;
    features(definition).sql = 'SELECT nope FROM c';
    definition.steps[5].model.source = 'missing.json';
    const stateDir = join(dir, 'state');
    const input = join(dir, 'customers.csv');
    await writeFile(input, 'customer_id,segment,since\nc1,retail,2020-01-01\n');
    const error = await runLocal(definePipeline(definition), { stateDir, input, dataset: 'raw_customers', baseDir: dir }).catch((e) => e);
    expect(isSluiceError(error) && error.code).toBe('SPEC_INVALID');
    expect(error.details).toEqual([
      expect.stringMatching(
        /^steps\[4\]\.sql: the feature SQL failed at line 1, column 8: Binder Error: Referenced column "nope" not found/,
      ),
      `steps[5].model.source: ${join(dir, 'missing.json')} does not exist`,
    ]);
    const { stat } = await import('node:fs/promises');
    expect(await stat(join(stateDir, 's3')).catch(() => 'absent')).toBe('absent');
  });
});
