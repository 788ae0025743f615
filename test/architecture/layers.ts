import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** Public entry files: code outside a package imports these, never that package's internals. */
export const PUBLIC_ENTRIES = [
  'lib/index.ts',
  'lib/local/index.ts',
  'lib/constructs/index.ts',
  'lib/testing/index.ts',
  'lineage/index.ts',
  'lineage/catalog/index.ts',
  'lineage/trace/index.ts',
] as const;

const LINEAGE_PUBLIC = ['lineage/index.ts', 'lineage/catalog/index.ts', 'lineage/trace/index.ts'];

/** One layer: the folder (or file) it covers, the repository paths it may import, the packages it may import. */
export interface Layer {
  readonly path: string;
  readonly may: readonly string[];
  readonly packages: readonly string[];
}

/**
 * The layers, lowest first; each may import itself and what it lists (a folder prefix or an exact file). The first
 * layer whose path a file starts with is the file's layer, so more specific paths come first. README.md shows this table.
 */
export const LAYERS: readonly Layer[] = [
  { path: 'core/', may: [], packages: ['node:*', 'zod'] },
  { path: 'lineage/client/', may: ['core/'], packages: ['node:*', 'zod', 'yaml'] },
  { path: 'lineage/marquez/', may: ['core/', 'lineage/client/'], packages: [] },
  // The lineage page's browser code: no Node built-ins; it reads the API through the trace code as `sluice trace` does.
  {
    path: 'lineage/catalog/page/browser/',
    may: ['core/identifiers.ts', 'lineage/client/', 'lineage/marquez/', 'lineage/trace/'],
    packages: ['elkjs/lib/elk-api.js'],
  },
  { path: 'lineage/catalog/', may: ['core/', 'lineage/client/', 'lineage/marquez/'], packages: ['node:*', 'zod', 'esbuild'] },
  { path: 'lineage/trace/', may: ['core/', 'lineage/client/', 'lineage/marquez/'], packages: ['node:*'] },
  { path: 'lineage/', may: ['core/', 'lineage/client/'], packages: [] },
  { path: 'lib/definition/', may: ['core/'], packages: ['zod'] },
  { path: 'lib/asl/', may: ['core/', 'lib/definition/'], packages: ['zod'] },
  {
    path: 'lib/runtime/',
    may: ['core/', 'lib/definition/', 'lib/asl/', ...LINEAGE_PUBLIC],
    packages: ['node:*', 'zod', '@aws-sdk/*', '@duckdb/*'],
  },
  {
    path: 'lib/steps/',
    may: ['core/', 'lib/definition/', 'lib/asl/', 'lib/runtime/', ...LINEAGE_PUBLIC],
    // yaml: MLflow's MLmodel files.
    packages: ['node:*', 'zod', '@duckdb/*', 'yaml'],
  },
  {
    path: 'lib/local/',
    may: ['core/', 'lib/definition/', 'lib/asl/', 'lib/runtime/', 'lib/steps/', ...LINEAGE_PUBLIC],
    packages: ['node:*', 's3rver', 'aws-local-stepfunctions'],
  },
  {
    path: 'lib/testing/',
    may: ['core/', 'lib/definition/', 'lib/runtime/', 'lib/local/', ...LINEAGE_PUBLIC],
    packages: ['node:*'],
  },
  {
    path: 'lib/constructs/',
    may: ['core/', 'lib/definition/', 'lib/asl/'],
    packages: ['node:*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'esbuild'],
  },
  { path: 'lib/index.ts', may: ['core/', 'lib/definition/', 'lib/asl/'], packages: [] },
  {
    path: 'functions/',
    may: ['core/', 'lib/definition/', 'lib/asl/', 'lib/runtime/', 'lib/steps/', ...LINEAGE_PUBLIC],
    packages: ['node:*'],
  },
  { path: 'bin/', may: ['core/', 'examples/', ...PUBLIC_ENTRIES], packages: ['node:*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'cdk-nag'] },
  { path: 'examples/', may: [], packages: ['node:*', 'zod', 'sluice', 'sluice/*'] },
  { path: 'templates/', may: [], packages: ['node:*', 'zod', 'sluice', 'sluice/*', 'aws-cdk-lib', 'vitest', 'vitest/config'] },
];

/** An import that crosses a layer the wrong way. */
export interface Violation {
  readonly file: string;
  readonly imports: string;
  readonly reason: string;
}

const IMPORT =
  /(?:^|[\n;])\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers a source file imports (static, re-exports, side-effect and literal dynamic imports). */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(IMPORT)) found.push((m[1] ?? m[2] ?? m[3]) as string);
  return found;
}

/** The layer of a repository path, or undefined for files outside every layer (tests, benchmarks). */
export function layerOf(path: string): Layer | undefined {
  return LAYERS.find((layer) => (layer.path.endsWith('/') ? path.startsWith(layer.path) : path === layer.path));
}

function allowedPath(layer: Layer, target: string): boolean {
  if (target.startsWith(layer.path) && layer.path.endsWith('/')) return true;
  return layer.may.some((p) => (p.endsWith('/') ? target.startsWith(p) : target === p));
}

function allowedPackage(layer: Layer, specifier: string): boolean {
  return layer.packages.some((p) => {
    if (p === 'node:*') return specifier.startsWith('node:');
    return p.endsWith('/*') ? specifier.startsWith(p.slice(0, -1)) : specifier === p;
  });
}

/** Every import of the given files (repository paths → their source) that its layer does not allow. */
export function layerViolations(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [file, source] of files) {
    const layer = layerOf(file);
    if (!layer) continue;
    for (const specifier of importsOf(source)) {
      if (specifier.startsWith('.')) {
        const target = normalize(join(dirname(file), specifier));
        if (!allowedPath(layer, target)) {
          violations.push({ file, imports: target, reason: `${layer.path} may import only ${[layer.path, ...layer.may].join(', ')}` });
        }
      } else if (!allowedPackage(layer, specifier)) {
        violations.push({
          file,
          imports: specifier,
          reason: `${layer.path} may use only the packages ${layer.packages.join(', ') || '(none)'}`,
        });
      }
    }
  }
  return violations;
}

/** Reads the given repository files from `root`. */
export function readSources(root: string, paths: readonly string[]): Map<string, string> {
  return new Map(paths.map((p) => [relative(root, join(root, p)), readFileSync(join(root, p), 'utf8')]));
}
