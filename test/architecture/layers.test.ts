import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, layerOf, layerViolations, readSources } from './layers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sources = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((p) => p !== '' && layerOf(p) !== undefined);

describe('layers', () => {
  it('finds no import that crosses a layer the wrong way', () => {
    const violations = layerViolations(readSources(root, sources));
    expect(violations.map((v) => `${v.file} imports ${v.imports}: ${v.reason}`)).toEqual([]);
  });

  it('puts every source file of the package in a layer', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.filter((p) => p.startsWith('lib/') || p.startsWith('lineage/') || p.startsWith('functions/')).length).toBeGreaterThan(
      100,
    );
  });

  it.each([
    ['lib/constructs/x.ts', "import { handler } from '../runtime/run-step.ts';", 'lib/runtime/run-step.ts'],
    ['lib/local/x.ts', "import { handler } from '../../functions/ingest/index.ts';", 'functions/ingest/index.ts'],
    ['lineage/client/x.ts', "export { a } from '../../lib/index.ts';", 'lib/index.ts'],
    ['lib/definition/x.ts', "const m = await import('../asl/compile-asl.ts');", 'lib/asl/compile-asl.ts'],
    ['bin/x.ts', "import {\n  ObjectStore,\n} from '../lib/runtime/object-store.ts';", 'lib/runtime/object-store.ts'],
    ['lib/runtime/x.ts', "import { facet } from '../../lineage/client/run-facets.ts';", 'lineage/client/run-facets.ts'],
    ['lib/constructs/x.ts', "import { DuckDBInstance } from '@duckdb/node-api';", '@duckdb/node-api'],
    ['lib/definition/x.ts', "import type { S3Client } from '@aws-sdk/client-s3';", '@aws-sdk/client-s3'],
    ['lineage/catalog/page/browser/x.ts', "import { readFile } from 'node:fs/promises';", 'node:fs/promises'],
    ['lineage/catalog/page/browser/x.ts', "import { CatalogStore } from '../../catalog-store.ts';", 'lineage/catalog/catalog-store.ts'],
  ])('flags %s importing %s', (file, source, target) => {
    expect(layerViolations(new Map([[file, source]])).map((v) => v.imports)).toEqual([target]);
  });

  it('allows imports the layers permit', () => {
    const ok = new Map([
      ['lib/steps/x.ts', "import { stepHandler } from '../runtime/run-step.ts';\nimport { runEvent } from '../../lineage/index.ts';"],
      ['lib/constructs/x.ts', "import * as s3 from 'aws-cdk-lib/aws-s3';\nimport { compileAsl } from '../asl/compile-asl.ts';"],
      ['bin/x.ts', "import { runLocal } from '../lib/local/index.ts';"],
      [
        'lineage/catalog/page/browser/x.ts',
        "import { traceNode } from '../../../trace/index.ts';\nimport Elk from 'elkjs/lib/elk-api.js';",
      ],
    ]);
    expect(layerViolations(ok)).toEqual([]);
  });

  it('reads static, re-exported, side-effect and dynamic imports', () => {
    expect(
      importsOf("import a from 'a';\nexport * from './b.ts';\nimport 'c';\nconst d = await import('d');\n/* import x from 'x'; */"),
    ).toEqual(['a', './b.ts', 'c', 'd']);
  });
});
