import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { backfillTrigger, formatCatalogHint, formatRunReport, printProgress, runLocal } from '../../lib/local/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';
import { loadCheckedPipeline } from './load-pipeline.ts';

const USAGE = `Usage: sluice backfill <pipeline.ts> [--upload <file|dir>]… [options]

Runs an upload dataset's ingest and data tests over many objects at once, as AWS Step Functions does with a
Distributed Map: the objects under the prefix are listed, grouped, and each group runs as its own child execution
(one step run per object in lineage, its parent the backfill's run), a few at a time. The report says which
objects passed, were quarantined by their data tests, or failed, and how many rows each path counted.
  --upload <file|dir>       upload this file, or every file in this directory, under the prefix first (repeatable)
  --dataset <name>          which upload dataset (needed when the pipeline has several)
  --prefix <prefix>         the S3 prefix to list (default: the dataset's prefix, e.g. raw/customers/)
  --concurrency <n>         child executions at once, 1-10000 (default: 4)
  --objects-per-child <n>   objects per child execution, 1-100 (default: 1)
  --tolerate <percent>      share of objects that may fail or be quarantined, 0-100 (default: 0)
  --print-input             print the execution input for AWS (aws stepfunctions start-execution --input) and exit
  --state-dir <dir>         where objects and default lineage are kept (default: .sluice)
  --json                    print the run report as JSON on stdout (every object, with its result)
  -h, --help

Exit codes: 0 the backfill succeeded (failures within the tolerance), 1 it failed, 2 invalid input.
`;

/** `sluice backfill`: a Distributed Map backfill of an upload dataset, run locally or its AWS input printed. */
export async function backfillCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      upload: { type: 'string', multiple: true },
      dataset: { type: 'string' },
      prefix: { type: 'string' },
      concurrency: { type: 'string' },
      'objects-per-child': { type: 'string' },
      tolerate: { type: 'string' },
      'print-input': { type: 'boolean' },
      'state-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const options = {
    dataset: values.dataset,
    prefix: values.prefix,
    concurrency: integer('--concurrency', values.concurrency),
    objectsPerChild: integer('--objects-per-child', values['objects-per-child']),
    toleratedFailurePercentage: percentage(values.tolerate),
  };
  const { spec, path } = await loadCheckedPipeline(positionals[0], USAGE);
  if (values['print-input']) {
    process.stdout.write(`${JSON.stringify({ trigger: backfillTrigger(spec, options) })}\n`);
    return EXIT.ok;
  }
  const files = (await Promise.all((values.upload ?? []).map(filesOf))).flat();
  const report = await runLocal(spec, {
    baseDir: dirname(path),
    stateDir: values['state-dir'],
    backfill: { ...options, files },
    onProgress: printProgress,
  });
  if (report.catalog) process.stderr.write(formatCatalogHint(report));
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatRunReport(report));
  return report.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliUsageError(`${flag}: expected a whole number, got ${JSON.stringify(value)}`, USAGE);
  return Number(value);
}

function percentage(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(value);
  if (!match) throw new CliUsageError(`--tolerate: expected a percentage such as 5 or 2.5%, got ${JSON.stringify(value)}`, USAGE);
  return Number(match[1]);
}

/** A file, or the files directly in a directory (sorted; hidden files skipped). */
async function filesOf(path: string): Promise<string[]> {
  const found = await stat(path).catch(() => undefined);
  if (!found) throw new CliUsageError(`--upload: ${path} does not exist`, USAGE);
  if (!found.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(path, e.name))
    .sort();
}
