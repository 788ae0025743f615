// Builds the published package into dist/: `npm run build` (npm pack runs it first, through "prepack").
import { execFileSync } from 'node:child_process';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { scriptArgs } from './script-args.ts';
import { buildPage } from '../lineage/catalog/page/build-page.ts';
import {
  BUNDLE_FILE,
  FUNCTION_ENTRIES,
  functionBundleOptions,
  functionFolder,
  type SluiceFunctionName,
} from '../lib/constructs/lambda-bundling.ts';

scriptArgs(
  `Usage: npm run build
Compiles the published package into dist/: JavaScript and declarations, the lineage page script and every Lambda
bundle (npm pack runs it first).
`,
  {},
);
const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const step = (what: string) => process.stderr.write(`build: ${what}\n`);

await rm(dist, { recursive: true, force: true });
step('JavaScript and declarations (tsc -p tsconfig.build.json)');
execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
await chmod(join(dist, 'bin', 'sluice.js'), 0o755);
step('lineage page script');
await buildPage(join(dist, 'lineage', 'catalog', 'page', 'lineage-page.bundle.js'));

// The Lambda functions ship bundled, so a user's synth needs neither esbuild nor Docker.
for (const name of Object.keys(FUNCTION_ENTRIES) as SluiceFunctionName[]) {
  const outfile = join(dist, functionFolder(name), BUNDLE_FILE);
  step(`Lambda bundle ${name} → ${outfile.slice(root.length + 1)}`);
  await build(functionBundleOptions(name, outfile));
}
step(`done: ${dist}`);
