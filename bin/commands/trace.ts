import { DEFAULT_STATE_DIR } from '../../core/state-dir.ts';
import { CatalogStore, recordStateDirLineage, startCatalogServer } from '../../lineage/catalog/index.ts';
import { TraceError, formatTrace, formatTraceMermaid, traceNode } from '../../lineage/trace/index.ts';
import type { TraceReport } from '../../lineage/trace/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';

const USAGE = `Usage: sluice trace <node> [--url <marquez-or-catalog>] [--json | --mermaid] [options]

Traces an incident through lineage. <node> is a run id, a job (job:<namespace>:<name>, <namespace>:<name> or a job
name), or a dataset (s3://bucket/prefix or dataset:<namespace>:<name>). For a failed run — or a job's latest run, or
the run that wrote a dataset's current version — it reports:
  upstream     the runs and dataset versions that fed it, and the root-cause candidates: versions with failed
               data-quality assertions and failed runs, nearest first
  written      what the run wrote (quarantined when the run failed)
  downstream   every job and dataset fed by it, and the runs that read what it wrote (blast radius)

Options:
  --url <url>        Marquez or a Sluice catalog (default: $OPENLINEAGE_URL, else the local runs' lineage in
                     <state-dir>, imported into <state-dir>/lineage/catalog.db)
  --api-key <key>    sent as Authorization: Bearer (default: $OPENLINEAGE_API_KEY)
  --depth <n>        how far to walk (default 20)
  --state-dir <dir>  the state directory of local runs (default: .sluice)
  --json             the report as JSON
  --mermaid          the report as a Mermaid flowchart
  -h, --help
Exit codes: 0 traced, 1 the lineage backend failed, 2 invalid input or the node was not found.
`;

async function withLocalCatalog<T>(stateDir: string, work: (url: string) => Promise<T>): Promise<T> {
  const { db } = await recordStateDirLineage(stateDir);
  const store = new CatalogStore(db);
  try {
    const catalog = await startCatalogServer({ store, port: 0 });
    try {
      return await work(catalog.url);
    } finally {
      await catalog.close();
    }
  } finally {
    store.close();
  }
}

/** `sluice trace <node>`: root-cause candidates upstream and the blast radius downstream of a failed run or bad dataset. */
export async function traceCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      url: { type: 'string' },
      'api-key': { type: 'string' },
      depth: { type: 'string' },
      'state-dir': { type: 'string' },
      json: { type: 'boolean' },
      mermaid: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const [node, ...extra] = positionals;
  if (node === undefined || node.trim() === '') throw new CliUsageError('expected the node to trace', USAGE);
  if (extra.length > 0) throw new CliUsageError(`unexpected argument ${JSON.stringify(extra[0])}`, USAGE);
  if (values.json && values.mermaid) throw new CliUsageError('--json and --mermaid exclude each other', USAGE);
  const depth = values.depth === undefined ? 20 : Number(values.depth);
  if (!Number.isInteger(depth) || depth < 0 || depth > 100)
    throw new CliUsageError(`--depth: expected an integer from 0 to 100, got ${JSON.stringify(values.depth)}`, USAGE);
  const url = values.url ?? (process.env['OPENLINEAGE_URL']?.trim() || undefined);
  const apiKey = values['api-key'] ?? (process.env['OPENLINEAGE_API_KEY']?.trim() || undefined);
  const trace = (base: string) => traceNode(base, node, { depth, ...(apiKey ? { apiKey } : {}) });
  let report: TraceReport;
  try {
    report = url ? await trace(url) : await withLocalCatalog(values['state-dir'] ?? DEFAULT_STATE_DIR, trace);
  } catch (error) {
    if (!(error instanceof TraceError)) throw error;
    process.stderr.write(`sluice: ${error.message}\n`);
    return error.code === 'TRACE_BACKEND' ? EXIT.failed : EXIT.invalid;
  }
  process.stdout.write(
    values.json ? `${JSON.stringify(report, null, 2)}\n` : values.mermaid ? formatTraceMermaid(report) : formatTrace(report),
  );
  return EXIT.ok;
}
