import { datasetTotals, formatDatasets } from '../../lib/local/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';
import { EXPLORE_OPTIONS, exploreSource } from './explore-source.ts';

const USAGE = `Usage: sluice ls [pipeline.ts | pipeline name] [--state-dir <dir> | --s3 [--bucket <name>]...] [--batches] [--json]

Lists the datasets runs wrote, with their state (staged, published, quarantined, rejected; upload for files that start
runs), batches, rows, bytes and latest batch. With a pipeline file, its datasets as declared (upload datasets too);
without, every dataset with batch records in the state directory (or, with a name, those that pipeline wrote).
  --state-dir <dir>    the state directory of local runs (default: .sluice)
  --s3                 look in S3 itself, as the environment configures it (AWS_REGION, AWS_PROFILE,
                       AWS_ENDPOINT_URL_S3); needs the pipeline file or --bucket
  --bucket <name>      a bucket to scan (repeatable), instead of every bucket of the state directory
  --batches            list every batch of each dataset
  --json               print the datasets and their batches as JSON
  -h, --help

Exit codes: 0 listed, 1 the objects could not be read, 2 invalid input.
`;

/** `sluice ls`: the datasets in a state directory or in S3, with their batches, rows, bytes and state. */
export async function lsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { ...EXPLORE_OPTIONS, batches: { type: 'boolean' } }, USAGE);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new CliUsageError(`unexpected argument ${JSON.stringify(positionals[1])}`, USAGE);
  const { objects, datasets } = await exploreSource(values, positionals[0], USAGE);
  try {
    if (values.json) {
      const listed = datasets.map((d) => {
        const totals = datasetTotals(d);
        return {
          pipeline: d.pipeline ?? null,
          dataset: d.ref,
          state: d.state ?? null,
          location: `s3://${d.spec.bucket}/${d.spec.prefix}`,
          batchCount: totals.batches,
          rows: totals.rows ?? null,
          bytes: totals.bytes,
          latest: totals.latest ?? null,
          batches: d.state === 'upload' ? (d.uploads ?? []).map((o) => ({ key: o.key, bytes: o.size })) : d.batches,
        };
      });
      process.stdout.write(`${JSON.stringify({ objects: objects.describe, datasets: listed }, null, 2)}\n`);
    } else {
      process.stdout.write(formatDatasets(datasets, objects.describe, { batches: values.batches === true }));
    }
    return EXIT.ok;
  } finally {
    await objects.close();
  }
}
