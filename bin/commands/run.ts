import { dirname } from 'node:path';
import { formatCatalogHint, formatRunReport, printProgress, runLocal } from '../../lib/local/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';
import { loadCheckedPipeline } from './load-pipeline.ts';

const USAGE = `Usage: sluice run <pipeline.ts> (--input <file> [--dataset <name>] | --schedule <name> [--at <time>]) [options]

Runs the pipeline locally exactly as on AWS: the definition is validated first (as sluice validate does), the
file is uploaded to the embedded S3, the upload event starts the compiled state machine, and each step runs
its real handler. An upload runs the steps its dataset feeds; a schedule runs from its startAt step on.
  --input <file>       upload this file under an upload trigger's dataset prefix
  --dataset <name>     which upload trigger's dataset (needed when the pipeline has several)
  --schedule <name>    fire the schedule trigger of this name instead
  --at <time>          nominal time of the scheduled run (ISO 8601; default: the schedule's latest fire time)
  --state-dir <dir>    where objects and default lineage are kept (default: .sluice)
  --json               print the run report as JSON on stdout
  -h, --help

Lineage goes where OPENLINEAGE_URL / OPENLINEAGE__TRANSPORT__* / OPENLINEAGE_DISABLED say, else to
<state-dir>/lineage/events.jsonl. Exit codes: 0 run succeeded, 1 run failed, 2 invalid input.
`;

/** `sluice run`: a local run of a pipeline, reported as a table or JSON. */
export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      input: { type: 'string' },
      dataset: { type: 'string' },
      schedule: { type: 'string' },
      at: { type: 'string' },
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
  if ((values.input === undefined) === (values.schedule === undefined)) {
    throw new CliUsageError('give exactly one of --input <file> or --schedule <name>', USAGE);
  }
  if (values.at !== undefined && values.schedule === undefined) throw new CliUsageError('--at needs --schedule', USAGE);
  if (values.dataset !== undefined && values.input === undefined) throw new CliUsageError('--dataset needs --input', USAGE);
  const { spec, path } = await loadCheckedPipeline(positionals[0], USAGE);
  const report = await runLocal(spec, {
    baseDir: dirname(path),
    stateDir: values['state-dir'],
    input: values.input,
    dataset: values.dataset,
    schedule: values.schedule === undefined ? undefined : { name: values.schedule, nominalTime: values.at },
    onProgress: printProgress,
  });
  for (const closed of report.closedRuns ?? []) {
    process.stderr.write(`sluice: closed a killed run of ${closed.pipeline} in lineage (ABORT): ${closed.executionArn}\n`);
  }
  if (report.catalog) process.stderr.write(formatCatalogHint(report));
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatRunReport(report));
  return report.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
}
