#!/usr/bin/env node
import { isSluiceError } from '../lib/index.ts';
import { backfillCommand } from './commands/backfill.ts';
import { initCommand } from './commands/init.ts';
import { lsCommand } from './commands/ls.ts';
import { showCommand } from './commands/show.ts';
import { lineageCommand } from './commands/lineage.ts';
import { runCommand } from './commands/run.ts';
import { traceCommand } from './commands/trace.ts';
import { trainingSetCommand } from './commands/training-set.ts';
import { validateCommand } from './commands/validate.ts';
import { CliUsageError, EXIT } from './commands/cli.ts';

const USAGE = `Usage: sluice <command> [options]

Commands:
  init <dir>               Create a pipeline project: a pipeline, sample data, a test, a CDK app and CI
  run <pipeline.ts>        Run a pipeline locally: embedded S3, the compiled state machine, the real handlers
  backfill <pipeline.ts>   Ingest and test many objects at once through a Distributed Map (locally, or its AWS input)
  validate <pipeline.ts>   Check a pipeline definition; print its spec or its ASL
  lineage replay|status    Re-send (or count) the lineage events kept in the outbox while the backend was down
  lineage serve            Serve the embedded lineage catalog (Marquez's API) and the lineage page
  trace <node>             Trace an incident: root causes upstream, blast radius downstream
  ls [pipeline]            List datasets with their batches, rows, bytes and state (local runs, or S3 with --s3)
  show <dataset>           Print a dataset's rows (DuckDB), as a table, JSON or CSV
  training-set <pipeline.ts>  Join labels to feature tables as of each label's time (point-in-time), as Parquet

Run "sluice <command> --help" for a command's options.
Exit codes: 0 ok, 1 the run failed, 2 invalid input.
`;

/** Error codes that mean the command line or the definition is wrong (exit 2), not that a run failed (exit 1). */
const INVALID_INPUT =
  /^(SPEC_|PIPELINE_MODULE_|LINEAGE_CONFIG$|TRAINING_(FEATURES|PUBLISHED_BY|LABELS_FORMAT|LABELS_MISSING|LABELS_UNREADABLE|LABELS_COLUMNS|AS_OF_MISSING|AS_OF_TYPE|AS_OF_INVALID|KEY_MISSING|FEATURE_COLUMN)$|RUN_(OPTIONS|INPUT_MISSING|NO_UPLOAD_TRIGGER|DATASET_REQUIRED|DATASET_UNKNOWN|NO_SCHEDULE|NOMINAL_TIME|MODEL_SOURCE|MLFLOW_TRACKING_URI|INPUT_NAME)$|EXPLORE_(NO_STATE|NO_BUCKET|DATASET_UNKNOWN|DATASET_AMBIGUOUS|BATCH_UNKNOWN|WHERE_INVALID|LIMIT)$|BACKFILL_(NO_UPLOAD_TRIGGER|DATASET|PREFIX|OPTIONS|FILE|EMPTY)$)/;

function isInvalidInput(code: string): boolean {
  return INVALID_INPUT.test(code);
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  init: initCommand,
  run: runCommand,
  backfill: backfillCommand,
  validate: validateCommand,
  lineage: lineageCommand,
  trace: traceCommand,
  ls: lsCommand,
  show: showCommand,
  'training-set': trainingSetCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? EXIT.invalid : EXIT.ok;
  }
  const run = COMMANDS[command];
  if (!run) throw new CliUsageError(`unknown command ${JSON.stringify(command)}; expected one of ${Object.keys(COMMANDS).join(', ')}`);
  return run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof CliUsageError) {
    process.stderr.write(`sluice: ${error.message}\n${error.usage ? `\n${error.usage}` : ''}`);
    process.exitCode = EXIT.invalid;
  } else if (isSluiceError(error)) {
    process.stderr.write(`sluice: ${error.message}\n`);
    process.exitCode = isInvalidInput(error.code) ? EXIT.invalid : EXIT.failed;
  } else {
    process.stderr.write(`sluice: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}
