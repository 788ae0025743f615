import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES, bundleAll, type FunctionBundle } from '../../bench/size/bundle.ts';

let outdir: string;
let bundles: FunctionBundle[];

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'sluice-bundles-'));
  bundles = await bundleAll(outdir);
});
afterAll(() => rm(outdir, { recursive: true, force: true }));

describe("Lambda bundles (the construct's esbuild settings)", () => {
  it('bundle every function', () => {
    expect(bundles.map((b) => b.name)).toEqual([
      'ingest',
      'dataTests',
      'featureBuild',
      'batchScore',
      'lineageStatus',
      'lineageReplay',
      'alert',
    ]);
  });

  it('contain no aws-cdk-lib, constructs or local-runner code', () => {
    for (const b of bundles) {
      expect(
        b.inputs.filter((i) => /node_modules\/(aws-cdk-lib|constructs|cdk-nag|s3rver|aws-local-stepfunctions)\//.test(i)),
        b.name,
      ).toEqual([]);
      expect(
        b.inputs.filter((i) => i.startsWith('lib/constructs/') || i.startsWith('lib/local/')),
        b.name,
      ).toEqual([]);
    }
  });

  it('leave DuckDB and the AWS SDK to the layer and the runtime, and stay within 1 MB', () => {
    for (const b of bundles) {
      expect(
        b.inputs.filter((i) => /node_modules\/(@duckdb|@aws-sdk)\//.test(i)),
        b.name,
      ).toEqual([]);
      expect(b.bytes, b.name).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
    }
  });
});
