import { formatRows, pickDataset, queryDataset, rowsCsv } from '../../lib/local/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';
import { EXPLORE_OPTIONS, exploreSource } from './explore-source.ts';

const USAGE = `Usage: sluice show <dataset> [--pipeline <pipeline.ts>] [--batch <id> | --batch latest] [--limit 20] [--where <expr>]
                   [--json | --csv] [--state-dir <dir> | --s3 [--bucket <name>]...]

Prints a dataset's rows, read with DuckDB: the table steps read (its semantics: every batch, the latest, or the latest
row per key), with a batch column, or one batch; an upload dataset's files as uploaded. The dataset is a name
(predictions), <pipeline>.<dataset> or s3://bucket/prefix, as sluice ls lists them.
  --pipeline <file>    the pipeline file whose datasets to look in (else those with batch records)
  --batch <id>         one batch (or uploaded file) only; "latest" for the newest
  --limit <n>          rows to print (default 20); the total that match is said on stderr
  --where <expr>       a filter expression on the columns, e.g. "score > 0.8 AND label"; only an expression
                       (no subquery, no second statement), run with DuckDB's file access switched off
  --json               print the rows as a JSON array
  --csv                print the rows as CSV
  --state-dir <dir>    the state directory of local runs (default: .sluice)
  --s3                 read S3 itself, as the environment configures it; needs --pipeline or --bucket
  --bucket <name>      a bucket to scan for the dataset (repeatable)
  -h, --help

Exit codes: 0 printed, 1 the objects could not be read, 2 invalid input (an unknown dataset or batch, a bad filter).
`;

/** `sluice show`: a dataset's rows through DuckDB, as a table, JSON or CSV. */
export async function showCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      ...EXPLORE_OPTIONS,
      pipeline: { type: 'string' },
      batch: { type: 'string' },
      limit: { type: 'string' },
      where: { type: 'string' },
      csv: { type: 'boolean' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const [name, extra] = positionals;
  if (name === undefined) throw new CliUsageError('missing the dataset (a name, <pipeline>.<dataset> or s3://bucket/prefix)', USAGE);
  if (extra !== undefined) throw new CliUsageError(`unexpected argument ${JSON.stringify(extra)}`, USAGE);
  if (values.json && values.csv) throw new CliUsageError('give --json or --csv, not both', USAGE);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!/^\d+$/.test(values.limit ?? '20') || !Number.isSafeInteger(limit)) {
    throw new CliUsageError(`--limit: expected a whole number of rows, got ${JSON.stringify(values.limit)}`, USAGE);
  }
  const { objects, datasets } = await exploreSource(values, values.pipeline, USAGE);
  try {
    const dataset = pickDataset(datasets, name);
    const result = await queryDataset(
      objects.store,
      dataset,
      {
        limit,
        ...(values.batch !== undefined ? { batch: values.batch } : {}),
        ...(values.where !== undefined ? { where: values.where } : {}),
      },
      (message) => process.stderr.write(`sluice: ${message}\n`),
    );
    if (values.json) process.stdout.write(`${JSON.stringify(result.rows, null, 2)}\n`);
    else if (values.csv) process.stdout.write(rowsCsv(result));
    else process.stdout.write(formatRows(result));
    const label = dataset.pipeline ? `${dataset.pipeline}.${dataset.ref}` : dataset.ref;
    const read = result.read.length === 1 ? `batch ${result.read[0]}` : `${result.read.length} batches`;
    process.stderr.write(
      `sluice: ${result.rows.length} of ${result.matched.toLocaleString('en-US')} ${values.where ? 'matching ' : ''}rows of ${label} (${read}, s3://${dataset.spec.bucket}/${dataset.spec.prefix})${result.rows.length < result.matched ? '; --limit shows more' : ''}\n`,
    );
    return EXIT.ok;
  } finally {
    await objects.close();
  }
}
