import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binForest } from '../../lib/steps/batch-score/binned-forest.ts';
import { parseModel } from '../../lib/steps/batch-score/model.ts';
import { scoreRange } from '../../lib/steps/batch-score/score-kernel.ts';
import { parallelScorer } from '../../lib/steps/batch-score/score-workers.ts';
import type { XgboostModel } from '../../lib/steps/batch-score/xgboost.ts';
import { seededRandom } from '../../examples/churn/generate-data.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'models');
const load = async (name: string) => parseModel(await readFile(join(FIXTURES, `${name}.json`), 'utf8'), name) as XgboostModel;

/** XGBoost's walk, node by node on the raw values: right when x >= threshold, a missing value takes the default side. */
function walk(model: XgboostModel, row: Float32Array): number {
  let margin = model.baseMargin;
  for (const tree of model.trees) {
    let j = 0;
    while (tree.left[j] !== -1) {
      const v = row[tree.feature[j]!]!;
      const right = Number.isNaN(v) ? !tree.defaultLeft[j] : v >= tree.value[j]!;
      j = right ? tree.right[j]! : tree.left[j]!;
    }
    margin += tree.value[j]!;
  }
  return model.objective === 'binary:logistic' ? 1 / (1 + Math.exp(-margin)) : margin;
}

/** Rows around the model's own thresholds (exactly on, just below, far off), with missing and infinite values. */
function rows(model: XgboostModel, count: number, seed: number): Float32Array[] {
  const next = seededRandom(seed);
  const thresholds = model.features.map((_, f) =>
    model.trees.flatMap((t) => [...t.feature].flatMap((g, j) => (g === f && t.left[j] !== -1 ? [t.value[j]!] : []))),
  );
  return Array.from({ length: count }, () =>
    Float32Array.from(model.features, (_, f) => {
      const r = next();
      const near = thresholds[f]![Math.floor(next() * thresholds[f]!.length)] ?? 0;
      if (r < 0.1) return Number.NaN;
      if (r < 0.12) return next() < 0.5 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      if (r < 0.5) return near;
      if (r < 0.7) return Math.fround(near - 1e-6 * Math.abs(near) - 1e-30);
      return (next() - 0.5) * 4 * (Math.abs(near) + 1);
    }),
  );
}

function scoreBlock(model: XgboostModel, block: Float32Array[]): Float64Array {
  const forest = binForest(model);
  const stride = block.length;
  const x = new Float32Array(forest.width * stride);
  block.forEach((row, i) => row.forEach((v, f) => (x[f * stride + i] = v)));
  const out = new Float64Array(stride);
  scoreRange(forest, x, new Int32Array(x.length), new Float64Array(stride), out, stride, 0, stride);
  return out;
}

describe('scoring trees by bins and leaf tables', () => {
  it.each([
    ['xgb-binary', 20],
    ['xgb-binary', 7],
    ['xgb-regression', 20],
    ['xgb-deep', 10],
  ])('scores %s (%i trees) as the node-by-node walk does, on and around every threshold', async (name, trees) => {
    const full = await load(name);
    const model = { ...full, trees: full.trees.slice(0, trees) };
    const block = rows(model, 3000, 3);
    const scores = scoreBlock(model, block);
    const worst = Math.max(...block.map((row, i) => Math.abs(scores[i]! - walk(model, row))));
    expect(worst).toBeLessThan(1e-12);
  });

  it('walks the trees too large for a table and tables the others', async () => {
    const deep = binForest(await load('xgb-deep'));
    const tables = (f: typeof deep) => f.leafOffsets.filter((o) => o >= 0).length;
    expect({ tables: tables(deep), walked: deep.roots.length }).toEqual({ tables: 0, walked: 10 });
    const small = binForest(await load('xgb-binary'));
    expect({ tables: tables(small), walked: small.roots.length }).toEqual({ tables: 20, walked: 0 });
  });

  it.each([2, 3])('gives the same scores on %i threads as on one', async (threads) => {
    const model = await load('xgb-binary');
    const forest = binForest(model);
    const block = rows(model, 20_000, 5);
    const run = (count: number) => {
      const scorer = parallelScorer(forest, count);
      const { x, out, stride } = scorer.block;
      const scores = new Float64Array(block.length);
      try {
        for (let start = 0; start < block.length; start += stride) {
          const n = Math.min(stride, block.length - start);
          for (let i = 0; i < n; i++) block[start + i]!.forEach((v, f) => (x[f * stride + i] = v));
          scorer.compute(n);
          scores.set(out.subarray(0, n), start);
        }
      } finally {
        scorer.close();
      }
      return scores;
    };
    expect(run(threads)).toEqual(run(1));
  });
});

describe('tree scoring in a Lambda bundle', () => {
  it('runs its worker threads from the minified bundle, as the construct bundles it', async () => {
    const { build } = await import('esbuild');
    const { ESBUILD_TARGET, ESM_REQUIRE_BANNER } = await import('../../lib/constructs/lambda-bundling.ts');
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'sluice-score-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      const lib = join(import.meta.dirname, '..', '..', 'lib', 'steps', 'batch-score');
      await writeFile(
        entry,
        `import { binForest } from ${JSON.stringify(join(lib, 'binned-forest.ts'))};
         import { parallelScorer } from ${JSON.stringify(join(lib, 'score-workers.ts'))};
         export function score(model, rows) {
           const scorer = parallelScorer(binForest(model), 2);
           const { x, out, stride } = scorer.block;
           rows.forEach((row, i) => row.forEach((v, f) => (x[f * stride + i] = v)));
           try { scorer.compute(rows.length); return Array.from(out.subarray(0, rows.length)); } finally { scorer.close(); }
         }`,
      );
      await build({
        entryPoints: [entry],
        outfile: join(dir, 'index.mjs'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: ESBUILD_TARGET,
        minify: true,
        banner: { js: ESM_REQUIRE_BANNER },
        logLevel: 'warning',
      });
      const { score } = (await import(join(dir, 'index.mjs'))) as { score: (m: XgboostModel, r: Float32Array[]) => number[] };
      const model = await load('xgb-binary');
      const block = rows(model, 2048, 9);
      expect(score(model, block)).toEqual(Array.from(scoreBlock(model, block)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
