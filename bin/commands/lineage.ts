import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  DirectoryOutbox,
  FileTransport,
  NoopTransport,
  OpenLineageClient,
  outboxEntryTime,
  replayOutbox,
  resolveLineageConfig,
} from '../../lineage/index.ts';
import type { LineageOutbox } from '../../lineage/index.ts';
import { CatalogStore, importEventsFile, startCatalogServer } from '../../lineage/catalog/index.ts';
import { LINEAGE_OUTBOX_ENV, S3Outbox } from '../../lib/local/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';
import { SLUICE_ENV } from '../../core/env.ts';
import { stateDirLayout } from '../../core/state-dir.ts';

const USAGE = `Usage: sluice lineage <replay | status | serve> [options]

Lineage events that could not be delivered when a step ran are kept, in order, in an outbox: locally
<state-dir>/lineage/outbox/, in Lambda the S3 prefix in ${LINEAGE_OUTBOX_ENV} (s3://<bucket>/<prefix>).
  replay               re-send the outbox to the configured transport, oldest first; each event is removed
                       once delivered, so running it again sends nothing twice
  status               count the events in the outbox and show the oldest
  serve                serve the embedded lineage catalog (Marquez's API and the lineage page); see
                       "sluice lineage serve --help"

Options:
  --state-dir <dir>    the state directory of local runs (default: .sluice)
  --outbox <where>     the outbox itself: a directory or s3://<bucket>/<prefix>
                       (default: $${LINEAGE_OUTBOX_ENV}, else <state-dir>/lineage/outbox)
  --json               print the result as JSON on stdout
  -h, --help

The transport is configured as for a run: OPENLINEAGE_URL (+ OPENLINEAGE_API_KEY), OPENLINEAGE__TRANSPORT__*,
OPENLINEAGE_CONFIG or ./openlineage.yml; with none, events go to <state-dir>/lineage/events.jsonl like a local run.
Exit codes: 0 the outbox is empty afterwards, 1 events remain (rejected or the backend is down), 2 invalid input.
`;

const SERVE_USAGE = `Usage: sluice lineage serve [--db <file>] [--port 5000] [--host 127.0.0.1] [--api-key <key>] [--state-dir <dir>]

Serves the embedded lineage catalog: Marquez's HTTP API under /api/v1 (post events to /api/v1/lineage, point the
Marquez web UI or "sluice trace --url" at it) and the lineage page at /. The events local runs wrote to
<state-dir>/lineage/events.jsonl are imported first, and new ones every second while it serves (never twice).

Options:
  --db <file>          the catalog's SQLite file (default: <state-dir>/lineage/catalog.db)
  --port <n>           default 5000; 0 picks a free port
  --host <addr>        default 127.0.0.1 (this machine only)
  --api-key <key>      require Authorization: Bearer <key> for writes (default: $SLUICE_CATALOG_API_KEY)
  --protect-reads      require the key for reads too (the page at / then asks for it)
  --state-dir <dir>    the state directory of local runs (default: .sluice)
  -h, --help
Stops on Ctrl-C (SIGINT) or SIGTERM, or when the process that launched it (npx) ends.
`;

const SERVE_OPTIONS = {
  db: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'api-key': { type: 'string' },
  'protect-reads': { type: 'boolean' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function serveCatalog(values: {
  db?: string;
  port?: string;
  host?: string;
  'api-key'?: string;
  'protect-reads'?: boolean;
  'state-dir'?: string;
}): Promise<number> {
  const port = values.port === undefined ? 5000 : Number(values.port);
  if (!/^\d{1,5}$/.test(values.port ?? '5000') || port > 65535)
    throw new CliUsageError(`--port: expected 0-65535, got ${JSON.stringify(values.port)}`, SERVE_USAGE);
  const apiKey = values['api-key'] ?? (process.env[SLUICE_ENV.catalogApiKey]?.trim() || undefined);
  if (values['protect-reads'] && !apiKey)
    throw new CliUsageError('--protect-reads needs --api-key (or SLUICE_CATALOG_API_KEY)', SERVE_USAGE);
  const layout = stateDirLayout(values['state-dir']);
  const dbFile = resolve(values.db ?? layout.catalog);
  await mkdir(dirname(dbFile), { recursive: true });
  const eventsFile = layout.events;
  const store = new CatalogStore(dbFile);
  const sync = async () => {
    const report = await importEventsFile(store, eventsFile);
    if (report.imported > 0) process.stderr.write(`sluice: imported ${report.imported} event(s) from ${eventsFile}\n`);
    for (const reason of report.reasons) process.stderr.write(`sluice: skipped an event: ${reason}\n`);
  };
  await sync();
  const catalog = await startCatalogServer({
    store,
    port,
    host: values.host ?? '127.0.0.1',
    ...(apiKey ? { apiKey } : {}),
    protectReads: values['protect-reads'] === true,
  });
  process.stdout.write(`lineage catalog on ${catalog.url} (database ${dbFile}); Ctrl-C stops it\n`);
  let syncing = Promise.resolve();
  const timer = setInterval(() => {
    syncing = syncing.then(sync).catch((error: unknown) => {
      process.stderr.write(`sluice: cannot import ${eventsFile}: ${String(error)}\n`);
    });
  }, 1000);
  // npx runs the CLI under `npm exec` and a shell, which do not pass SIGTERM on: when that launcher ends, this server is
  // left to init, so it stops with its launcher instead of serving on as an orphan.
  const launcher = process.ppid;
  let orphaned: NodeJS.Timeout | undefined;
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    orphaned = setInterval(() => process.ppid !== launcher && done(), 200);
  });
  clearInterval(orphaned);
  clearInterval(timer);
  await syncing;
  await catalog.close();
  store.close();
  return EXIT.ok;
}

type Outbox = LineageOutbox & { close?(): void };

function chooseOutbox(values: { 'state-dir'?: string | undefined; outbox?: string | undefined }): Outbox {
  const where = values.outbox ?? (values['state-dir'] === undefined ? process.env[LINEAGE_OUTBOX_ENV]?.trim() || undefined : undefined);
  if (where === undefined) return new DirectoryOutbox(stateDirLayout(values['state-dir']).outbox);
  return where.startsWith('s3://') ? S3Outbox.fromUrl(where) : new DirectoryOutbox(where);
}

function client(stateDir: string | undefined): OpenLineageClient {
  const config = resolveLineageConfig({ env: process.env });
  if (config === undefined) {
    const logFile = stateDirLayout(stateDir).events;
    return new OpenLineageClient({ transport: new FileTransport({ log_file_path: logFile, append: true }) });
  }
  const lineage = new OpenLineageClient({ env: process.env });
  if (lineage.transport instanceof NoopTransport) {
    throw new CliUsageError('lineage is disabled (OPENLINEAGE_DISABLED=true): replaying would discard the events; unset it first', USAGE);
  }
  return lineage;
}

async function status(outbox: Outbox, json: boolean): Promise<number> {
  const entries = await outbox.list();
  const oldest = entries[0];
  const summary = {
    outbox: outbox.describe(),
    count: entries.length,
    oldest: oldest === undefined ? null : { entry: oldest, time: outboxEntryTime(oldest)?.toISOString() ?? null },
    newest: entries.length === 0 ? null : { entry: entries.at(-1)!, time: outboxEntryTime(entries.at(-1)!)?.toISOString() ?? null },
  };
  if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else if (entries.length === 0) process.stdout.write(`outbox ${summary.outbox}: empty\n`);
  else process.stdout.write(`outbox ${summary.outbox}: ${entries.length} event(s), oldest ${summary.oldest?.time ?? oldest}\n`);
  return EXIT.ok;
}

async function replay(outbox: Outbox, stateDir: string | undefined, json: boolean): Promise<number> {
  const lineage = client(stateDir);
  const total = (await outbox.list()).length;
  if (!json) process.stderr.write(`sluice: replaying ${total} event(s) from ${outbox.describe()} to ${lineage.describe()}\n`);
  let done = 0;
  try {
    const report = await replayOutbox(outbox, lineage, {
      onEntry: (entry, outcome, reason) => {
        done += 1;
        if (outcome === 'rejected') process.stderr.write(`sluice: kept ${entry}: ${reason}\n`);
        else if (!json && done % 100 === 0) process.stderr.write(`sluice: ${done}/${total}\n`);
      },
    });
    const remaining = report.rejected.length + report.notTried;
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ outbox: outbox.describe(), transport: lineage.describe(), delivered: report.delivered.length, rejected: report.rejected, notTried: report.notTried, stoppedBy: report.stoppedBy ?? null }, null, 2)}\n`,
      );
    } else {
      const rest =
        remaining === 0 ? 'the outbox is empty' : `${remaining} remain (${report.rejected.length} rejected, ${report.notTried} not tried)`;
      process.stdout.write(`delivered ${report.delivered.length} of ${total} event(s); ${rest}\n`);
      if (report.stoppedBy) process.stdout.write(`stopped: ${report.stoppedBy}\n`);
    }
    return remaining === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await lineage.close();
  }
}

/** `sluice lineage replay|status|serve`: re-sends or inspects the outbox of undelivered events, or serves the catalog. */
export async function lineageCommand(args: string[]): Promise<number> {
  if (args[0] === 'serve') {
    const parsed = parseCommandArgs(args.slice(1), SERVE_OPTIONS, SERVE_USAGE);
    if (parsed.values.help) {
      process.stdout.write(SERVE_USAGE);
      return EXIT.ok;
    }
    if (parsed.positionals.length > 0) throw new CliUsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`, SERVE_USAGE);
    return serveCatalog(parsed.values);
  }
  const { values, positionals } = parseCommandArgs(
    args,
    { 'state-dir': { type: 'string' }, outbox: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const [action, ...extra] = positionals;
  if (action !== 'replay' && action !== 'status') {
    throw new CliUsageError(
      action === undefined
        ? 'expected replay, status or serve'
        : `unknown lineage command ${JSON.stringify(action)}; expected replay, status or serve`,
      USAGE,
    );
  }
  if (extra.length > 0) throw new CliUsageError(`unexpected argument ${JSON.stringify(extra[0])}`, USAGE);
  if (values.outbox !== undefined && values.outbox.trim() === '')
    throw new CliUsageError('--outbox: expected a directory or s3://<bucket>/<prefix>', USAGE);
  const outbox = chooseOutbox(values);
  try {
    return action === 'status'
      ? await status(outbox, values.json === true)
      : await replay(outbox, values['state-dir'], values.json === true);
  } finally {
    outbox.close?.();
  }
}
