import { buildTrainingSet, type TrainingSetReport } from '../../lib/local/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';
import { loadPipeline } from './load-pipeline.ts';

const USAGE = `Usage: sluice training-set <pipeline.ts> --labels <file|dataset> --features <table>[:col,…]… --as-of <column> [options]

Builds a point-in-time correct training set: each label row gets, from every feature table, the values its entity had
at the label's time — the row with the greatest event time at or before it, never a later one (DuckDB's ASOF join).
A row older than the table's maxAge gives NULLs. Written as Parquet in label order, with a lineage run of its own
(job <pipeline>.training_set): inputs the labels and each feature table at the version read, output the file with
its column lineage.
  --labels <file|dataset>  a CSV, JSON Lines or Parquet file of labels, or a dataset of the pipeline holding them
  --features <table>       a feature table (a dataset declaring featureTable); repeat for several; :col,col takes
                           only those columns. Clashing names become <table>__<column>
  --as-of <column>         the label column saying when each label was observed (timestamp, date or ISO 8601 text)
  --key <key>=<column>     the label column matching a feature table's key column of another name (repeatable)
  --out <file.parquet>     where to write it (default: training-set.parquet)
  --published-by <time>    read only batches published at or before this time (rebuild a training set as it was)
  --state-dir <dir>        the state directory of local runs whose embedded S3 holds the tables (default: .sluice)
  --s3                     read the tables from S3 itself (AWS credentials and AWS_ENDPOINT_URL_S3 from the environment)
  --bucket <name>=<bucket> with --s3: the deployed bucket of a bucket the pipeline names (repeatable)
  --job <name>             the lineage job name (default: <pipeline>.training_set)
  --json                   print the report as JSON
  -h, --help

Each output row carries <table>__<event time column>: the event time of the features it got. Lineage goes where
OPENLINEAGE_* settings say, else to <state-dir>/lineage/events.jsonl. Exit codes: 0 written, 1 failed, 2 invalid input.
`;

/** `name=value` pairs of a repeated option, as a record; a pair without "=" is a usage error. */
function pairs(option: string, values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0 || at === value.length - 1)
      throw new CliUsageError(`--${option}: expected <name>=<value>, got ${JSON.stringify(value)}`, USAGE);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

/** `sluice training-set`: labels joined to feature tables as of each label's time, written as Parquet with lineage. */
export async function trainingSetCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      labels: { type: 'string' },
      features: { type: 'string', multiple: true },
      'as-of': { type: 'string' },
      key: { type: 'string', multiple: true },
      out: { type: 'string' },
      'published-by': { type: 'string' },
      'state-dir': { type: 'string' },
      s3: { type: 'boolean' },
      bucket: { type: 'string', multiple: true },
      job: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const missing = (['labels', 'features', 'as-of'] as const).filter((o) => values[o] === undefined);
  if (missing.length > 0) throw new CliUsageError(`missing ${missing.map((o) => `--${o}`).join(', ')}`, USAGE);
  if (values.bucket && !values.s3) throw new CliUsageError('--bucket needs --s3', USAGE);
  if (positionals.length > 1) throw new CliUsageError(`one pipeline file, got ${positionals.length}`, USAGE);
  const { spec } = await loadPipeline(positionals[0], USAGE);
  const report = await buildTrainingSet(spec, {
    labels: values.labels!,
    features: values.features!,
    asOf: values['as-of']!,
    keys: pairs('key', values.key),
    ...(values.out ? { out: values.out } : {}),
    ...(values['published-by'] ? { publishedBy: values['published-by'] } : {}),
    ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
    ...(values.s3 ? { s3: true, bucketNames: pairs('bucket', values.bucket) } : {}),
    ...(values.job ? { job: values.job } : {}),
    onProgress: (line) => process.stderr.write(`sluice: ${line}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatTrainingSet(report));
  return EXIT.ok;
}

/** The report for people: where the set went, and per feature table how many labels got values and why not the rest. */
function formatTrainingSet(report: TrainingSetReport): string {
  const lines = [
    `${report.output.path}: ${report.output.rows.toLocaleString('en-US')} rows, ${report.output.columns.length} columns (sha256 ${report.output.sha256.slice(0, 16)}…)`,
    `  labels     ${report.labels.source} (${report.labels.rows.toLocaleString('en-US')} rows)`,
  ];
  for (const f of report.features) {
    const gaps = [f.missing > 0 ? `${f.missing} with no earlier row` : '', f.stale > 0 ? `${f.stale} older than maxAge` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(
      `  features   ${f.ref}: ${f.matched.toLocaleString('en-US')} labels matched${gaps ? ` (${gaps}: NULL)` : ''}; ${f.columns.length} columns from ${f.batches} batch${f.batches === 1 ? '' : 'es'}, version ${f.version ?? '-'}`,
    );
  }
  lines.push(`  lineage    job ${report.job}, run ${report.runId} → ${report.lineage}`);
  return `${lines.join('\n')}\n`;
}
