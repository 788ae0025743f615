import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachScorer, predictionSql } from '../../lib/steps/batch-score/batch-score.ts';
import { featureProblems } from '../../lib/steps/batch-score/feature-check.ts';
import { parseModel } from '../../lib/steps/batch-score/model.ts';
import { openDuckDb, type DuckDb } from '../../lib/runtime/duckdb.ts';

// Written by test/fixtures/models/generate.py (xgboost and scikit-learn from PyPI); see its docstring.
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'models');
const COLUMNS = "{id: 'VARCHAR', tenure: 'BIGINT', charges: 'DOUBLE', tickets_rate: 'DOUBLE', is_basic: 'BIGINT', noise: 'DOUBLE'}";

interface Cases {
  rows: unknown[];
  filledRows: unknown[];
  expected: Record<string, number[]>;
}

describe('batch scoring against the Python reference predictions', () => {
  let dir: string;
  let db: DuckDb;
  let cases: Cases;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-ref-'));
    cases = JSON.parse(await readFile(join(FIXTURES, 'cases.json'), 'utf8')) as Cases;
    await writeFile(join(dir, 'rows.json'), JSON.stringify(cases.rows));
    await writeFile(join(dir, 'filled.json'), JSON.stringify(cases.filledRows));
    db = await openDuckDb();
    await db.run(`CREATE TABLE rows AS SELECT * FROM read_json('${join(dir, 'rows.json')}', columns = ${COLUMNS})`);
    await db.run(`CREATE TABLE filled AS SELECT * FROM read_json('${join(dir, 'filled.json')}', columns = ${COLUMNS})`);
  });
  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const score = async (name: string, table: string) => {
    const model = parseModel(await readFile(join(FIXTURES, `${name}.json`), 'utf8'), `s3://models/${name}.json`);
    const scorer = await attachScorer(db, model, 0, name);
    try {
      const rows = await db.all(`SELECT * FROM (${predictionSql(model, table, 'id', 0.5, 'v1')}) ORDER BY id`);
      return { model, rows };
    } finally {
      scorer?.close();
    }
  };

  it.each([
    ['xgb-binary', 'rows'],
    ['xgb-regression', 'rows'],
    ['xgb-deep', 'rows'],
    ['sklearn-logistic', 'filled'],
    ['sklearn-linear', 'filled'],
  ] as const)('matches the reference within 1e-6 when scoring with %s (%s)', async (name, table) => {
    const { rows } = await score(name, table);
    const expected = cases.expected[name]!;
    expect(rows).toHaveLength(expected.length);
    const worst = Math.max(...rows.map((r, i) => Math.abs((r.score as number) - expected[i]!)));
    expect(worst).toBeLessThan(1e-6);
  });

  it('tags every prediction with the model version and a label when the model is a classifier', async () => {
    const { rows } = await score('xgb-binary', 'rows');
    expect(Object.keys(rows[0]!)).toEqual(['id', 'score', 'label', 'model_version']);
    expect(rows.every((r) => r.label === (r.score as number) >= 0.5 && r.model_version === 'v1')).toBe(true);
    const regression = await score('xgb-regression', 'rows');
    expect(Object.keys(regression.rows[0]!)).toEqual(['id', 'score', 'model_version']);
  });

  it('reads the feature names and types XGBoost saved from the DataFrame', async () => {
    const { model } = await score('xgb-binary', 'rows');
    expect(model.features).toEqual(['tenure', 'charges', 'tickets_rate', 'is_basic', 'noise']);
    const types = new Map([
      ['tenure', 'DOUBLE'],
      ['charges', 'DOUBLE'],
      ['tickets_rate', 'VARCHAR'],
      ['is_basic', 'INTEGER'],
    ]);
    expect(featureProblems(model, types, 'features')).toEqual([
      'feature tenure is DOUBLE; the model was trained on an integer column',
      'feature tickets_rate is VARCHAR; expected a number',
      'feature noise is missing from features',
    ]);
  });
});

describe('reading model files', () => {
  const xgb = async () => JSON.parse(await readFile(join(FIXTURES, 'xgb-binary.json'), 'utf8'));

  it('fails when the file is not JSON', () => {
    expect(() => parseModel('{"learner": [', 's3://m/model.json')).toThrow(/^s3:\/\/m\/model.json: not valid JSON/);
  });

  it('fails when an XGBoost objective is not supported', async () => {
    const json = await xgb();
    json.learner.objective.name = 'multi:softprob';
    expect(() => parseModel(JSON.stringify(json), 'm')).toThrow(
      'm: a multiclass XGBoost model (objective "multi:softprob") is not supported: Sluice scores binary:logistic (a probability and a label) and reg:squarederror (a value) models; train one binary:logistic model per class that matters',
    );
    json.learner.objective.name = 'reg:pseudohubererror';
    expect(() => parseModel(JSON.stringify(json), 'm')).toThrow(
      'm: XGBoost objective "reg:pseudohubererror" is not supported (supported: binary:logistic, reg:squarederror)',
    );
  });

  it('fails when a tree is truncated', async () => {
    const json = await xgb();
    json.learner.gradient_booster.model.trees[3].split_conditions.pop();
    expect(() => parseModel(JSON.stringify(json), 'm')).toThrow(/^m: tree 3: split_conditions has \d+ entries, left_children \d+$/);
  });

  it('fails when a child points outside its tree', async () => {
    const json = await xgb();
    json.learner.gradient_booster.model.trees[0].left_children[0] = 9999;
    expect(() => parseModel(JSON.stringify(json), 'm')).toThrow(/^m: tree 0: node 0 has children 9999, 2 outside/);
  });

  it('fails naming every problem when a linear model is malformed', () => {
    let caught: unknown;
    try {
      parseModel(JSON.stringify({ type: 'linear_regression', features: ['a', 'b'], coefficients: [1], intercept: 0 }), 'm');
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'MODEL_INVALID', details: ['coefficients: expected one coefficient per feature'] });
  });
});
