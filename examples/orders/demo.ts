// `npm run demo:orders`: generates a customer snapshot and a batch of orders and uploads both to the orders pipeline.
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatCatalogHint, formatRunReport, printProgress, runLocal, stateDirLayout } from 'sluice/local';
import { generateCustomers, generateOrders } from './generate-data.ts';
import pipeline from './pipeline.ts';

const USAGE = `Usage: npm run demo:orders -- [--customers <n>] [--orders <n>] [--state-dir <dir>] [--json]
  Uploads a customer snapshot (CSV) to raw/customers, then a batch of orders (JSON Lines) to raw/orders: the first
  run ingests and tests the customers, the second the orders (checked against the published customers), and each
  rebuilds the joined features and scores them.
  --customers <n>   customers in the snapshot (default 2000)
  --orders <n>      orders in the batch (default 20000)
  --state-dir <dir> where the embedded S3 and lineage live (default .sluice)
  --json            print both run reports as JSON
`;

// An unknown or malformed flag gets the usage and exit 2, like every command of the CLI.
let parsed;
try {
  parsed = parseArgs({
    options: {
      customers: { type: 'string' },
      orders: { type: 'string' },
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
const customers = Number(values.customers ?? 2000);
const orders = Number(values.orders ?? 20_000);
for (const [flag, n] of [
  ['--customers', customers],
  ['--orders', orders],
] as const) {
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`${flag}: expected a positive integer, got ${JSON.stringify(values[flag.slice(2) as 'customers'])}\n${USAGE}`);
    process.exit(2);
  }
}
const { root: stateDir, inputs } = stateDirLayout(values['state-dir']);
const customersFile = join(inputs, `customers-${customers}.csv`);
const ordersFile = join(inputs, `orders-${orders}-of-${customers}.jsonl`);
if (!(await stat(customersFile).catch(() => undefined))) await generateCustomers(customersFile, { customers });
if (!(await stat(ordersFile).catch(() => undefined))) await generateOrders(ordersFile, { orders, customers });

const reports = [];
for (const [dataset, input] of [
  ['raw_customers', customersFile],
  ['raw_orders', ordersFile],
] as const) {
  const report = await runLocal(pipeline, {
    stateDir,
    input,
    dataset,
    baseDir: dirname(fileURLToPath(import.meta.url)),
    onProgress: printProgress,
  });
  reports.push(report);
  if (!values.json) process.stdout.write(`${formatRunReport(report)}\n`);
  if (report.status !== 'SUCCEEDED') break;
}
if (reports.at(-1)?.catalog) process.stderr.write(formatCatalogHint(reports.at(-1)!));
if (values.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
process.exitCode = reports.every((r) => r.status === 'SUCCEEDED') ? 0 : 1;
