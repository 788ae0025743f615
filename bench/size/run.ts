import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scriptArgs } from '../../scripts/script-args.ts';
import { machine, writeSection } from '../write-section.ts';
import { BUNDLE_BUDGET_BYTES, bundleAll, topPackages } from './bundle.ts';

scriptArgs(
  `Usage: npm run size
Bundles every Lambda function with the construct's esbuild settings and prints each bundle's size against the 1 MB
budget, with its largest parts; writes its section of docs/benchmarks.md; exits 1 when a bundle is over the budget.
`,
  {},
);

// `npm run size`: each function's bundle size from the esbuild metafile, against the 1 MB budget. Writes its section.
const outdir = await mkdtemp(join(tmpdir(), 'sluice-size-'));
try {
  const bundles = await bundleAll(outdir);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const table = [
    '| function | entry | bundle | budget | largest parts |',
    '|---|---|---:|---|---|',
    ...bundles.map(
      (b) =>
        `| ${b.name} | \`${b.entry}\` | ${kib(b.bytes)} | ${b.bytes <= BUNDLE_BUDGET_BYTES ? 'ok' : '**over**'} | ${topPackages(b)
          .map((p) => `${p.name} ${kib(p.bytes)}`)
          .join(', ')} |`,
    ),
  ].join('\n');
  const over = bundles.filter((b) => b.bytes > BUNDLE_BUDGET_BYTES);
  const cdk = bundles.filter((b) => b.inputs.some((i) => i.includes('node_modules/aws-cdk-lib/')));
  await writeSection(
    'Bundle size (bench/size)',
    `Command: \`npm run size\`. Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.
Each function bundled with the construct's esbuild settings (\`lib/constructs/lambda-bundling.ts\`: ESM, minified, target node24, DuckDB
and \`@aws-sdk/*\` external; the scoring worker threads run from the same bundle), sizes from the esbuild metafile, budget
${kib(BUNDLE_BUDGET_BYTES)} per function (the DuckDB layer, 70 MB unzipped, is not counted).

${table}

- ${over.length === 0 ? 'Every function is within the budget.' : `Over the budget: ${over.map((b) => b.name).join(', ')}.`}${cdk.length > 0 ? ` aws-cdk-lib found in: ${cdk.map((b) => b.name).join(', ')}.` : ''}`,
  );
  console.log(table);
  if (cdk.length > 0) console.error(`aws-cdk-lib found in: ${cdk.map((b) => b.name).join(', ')}`);
  if (over.length > 0) console.error(`over the ${kib(BUNDLE_BUDGET_BYTES)} budget: ${over.map((b) => b.name).join(', ')}`);
  process.exitCode = over.length > 0 || cdk.length > 0 ? 1 : 0;
} finally {
  await rm(outdir, { recursive: true, force: true });
}
