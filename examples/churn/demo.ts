// The main command (`npm run demo`): generates the sample extract and runs the churn pipeline locally.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatCatalogHint, formatRunReport, printProgress, runLocal, stateDirLayout } from 'sluice/local';
import { generateCustomers } from './generate-data.ts';
import pipeline from './pipeline.ts';

const USAGE = `Usage: npm run demo -- [--bad] [--rows <n> | --large] [--state-dir <dir>] [--json]
  --bad             feed a batch that breaks the data tests (the run fails, the batch is quarantined)
  --rows <n>        rows in the generated extract (default 100000); --large is 1000000
  --state-dir <dir> where the embedded S3 and lineage live (default .sluice)
  --json            print the run report as JSON
`;

// An unknown or malformed flag gets the usage and exit 2, like every command of the CLI.
let parsed;
try {
  parsed = parseArgs({
    options: {
      bad: { type: 'boolean' },
      rows: { type: 'string' },
      large: { type: 'boolean' },
      'state-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
const { values } = parsed;
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const rows = values.large ? 1_000_000 : Number(values.rows ?? 100_000);
if (!Number.isInteger(rows) || rows < 1) {
  process.stderr.write(`--rows: expected a positive integer, got ${JSON.stringify(values.rows)}\n${USAGE}`);
  process.exit(2);
}
const { root: stateDir, inputs } = stateDirLayout(values['state-dir']);
const input = join(inputs, `customers-${values.bad ? 'bad-' : ''}${rows}.csv`);
if (!(await stat(input).catch(() => undefined))) {
  process.stderr.write(`generating ${rows.toLocaleString('en-US')} ${values.bad ? 'bad ' : ''}customer rows → ${input}\n`);
  await generateCustomers(input, { rows, bad: values.bad });
}
const report = await runLocal(pipeline, {
  stateDir,
  input,
  baseDir: dirname(fileURLToPath(import.meta.url)),
  onProgress: printProgress,
});
if (report.catalog) process.stderr.write(formatCatalogHint(report));
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatRunReport(report));
process.exitCode = report.status === 'SUCCEEDED' ? 0 : 1;
