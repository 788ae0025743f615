import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepKind } from '../definition/pipeline-schema.ts';
import { STEP_KINDS } from '../definition/step-kinds/index.ts';

/** The Lambda functions Sluice deploys: one per step kind, the two lineage functions and the alert function. */
export type SluiceFunctionName = StepKind | 'lineageStatus' | 'lineageReplay' | 'alert';

/** Entry file of each function, relative to the package root: the step kinds' from the registry, the lineage and alert functions. */
export const FUNCTION_ENTRIES: Readonly<Record<SluiceFunctionName, string>> = {
  ...(Object.fromEntries(Object.entries(STEP_KINDS).map(([kind, definition]) => [kind, definition.lambda.entry])) as Record<
    StepKind,
    string
  >),
  lineageStatus: 'functions/lineage-status/index.ts',
  lineageReplay: 'functions/lineage-replay/index.ts',
  alert: 'functions/alert/index.ts',
};

/** The functions whose steps open DuckDB, and so get the DuckDB layer. */
export const DUCKDB_FUNCTIONS: ReadonlySet<SluiceFunctionName> = new Set(
  Object.entries(STEP_KINDS).flatMap(([kind, definition]) => (definition.lambda.duckdb ? [kind as StepKind] : [])),
);

/** Packages left out of every bundle: DuckDB's API and its native binding ship in the layer. */
export const DUCKDB_EXTERNALS: readonly string[] = ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-*'];

/** Packages the DuckDB layer carries under `nodejs/node_modules` (the API, the binding and its one dependency). */
export const DUCKDB_LAYER_PACKAGES: readonly string[] = [
  '@duckdb/node-api',
  '@duckdb/node-bindings',
  '@duckdb/node-bindings-linux-x64',
  'detect-libc',
];

/** Prepended to every bundle so CommonJS dependencies inside the ESM bundle can still `require` built-ins. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);";

/** esbuild target: the older of the runtimes a function may choose (nodejs22.x, nodejs24.x), so one bundle runs on both. */
export const ESBUILD_TARGET = 'node22';

/** A function bundle's file name, in its folder, and the Lambda handler naming its export. */
export const BUNDLE_FILE = 'index.mjs';
export const BUNDLE_HANDLER = 'index.handler';

/**
 * True when this module runs from the TypeScript sources (a checkout of Sluice), false when it runs compiled
 * from the installed package, which ships every function already bundled.
 */
export const FROM_SOURCES: boolean = import.meta.url.endsWith('.ts');

/** The root of the sources or of the compiled package (`dist/`), from this file's location. */
export const PACKAGE_ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

/** Absolute path of a file under {@link PACKAGE_ROOT}. */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** The folder of a function's entry (`functions/ingest`), where the package keeps its bundle. */
export function functionFolder(name: SluiceFunctionName): string {
  return dirname(FUNCTION_ENTRIES[name]);
}

/** esbuild's options for one function: the same for the package build, synth from the sources, and the size benchmark. */
export function functionBundleOptions(name: SluiceFunctionName, outfile: string) {
  return {
    entryPoints: [packagePath(FUNCTION_ENTRIES[name])],
    absWorkingDir: PACKAGE_ROOT,
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: ESBUILD_TARGET,
    minify: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: [...DUCKDB_EXTERNALS, ...RUNTIME_PROVIDED_EXTERNALS],
    logLevel: 'warning' as const,
  };
}

/**
 * Packages the Node.js runtimes provide, left out of bundles: the AWS SDK v3 (about 300 KiB minified
 * per function otherwise, which would break the 1 MB budget).
 */
export const RUNTIME_PROVIDED_EXTERNALS: readonly string[] = ['@aws-sdk/*'];
