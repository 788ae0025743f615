import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scriptArgs } from '../../scripts/script-args.ts';
import { BUNDLE_BUDGET_BYTES, bundleAll, topPackages } from './bundle.ts';

scriptArgs(
  `Usage: npm run size
Bundles every Lambda function with the construct's esbuild settings and prints each bundle's size against the 1 MB
budget, with its largest parts; exits 1 when a bundle is over the budget or carries aws-cdk-lib.
`,
  {},
);

// `npm run size`: each function's bundle size from the esbuild metafile, against the 1 MB budget.
const outdir = await mkdtemp(join(tmpdir(), 'sluice-size-'));
try {
  const bundles = await bundleAll(outdir);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log('| function | entry | bundle | budget | largest parts |');
  console.log('|---|---|---:|---|---|');
  for (const b of bundles) {
    const parts = topPackages(b)
      .map((p) => `${p.name} ${kib(p.bytes)}`)
      .join(', ');
    console.log(`| ${b.name} | \`${b.entry}\` | ${kib(b.bytes)} | ${b.bytes <= BUNDLE_BUDGET_BYTES ? 'ok' : '**over**'} | ${parts} |`);
  }
  const over = bundles.filter((b) => b.bytes > BUNDLE_BUDGET_BYTES);
  const cdk = bundles.filter((b) => b.inputs.some((i) => i.includes('node_modules/aws-cdk-lib/')));
  if (cdk.length > 0) console.error(`aws-cdk-lib found in: ${cdk.map((b) => b.name).join(', ')}`);
  if (over.length > 0) console.error(`over the ${kib(BUNDLE_BUDGET_BYTES)} budget: ${over.map((b) => b.name).join(', ')}`);
  process.exitCode = over.length > 0 || cdk.length > 0 ? 1 : 0;
} finally {
  await rm(outdir, { recursive: true, force: true });
}
