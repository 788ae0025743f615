import { mkdir, readFile } from 'node:fs/promises';
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
import { CatalogStore, importEventsFile, isLoopback, startCatalogServer } from '../../lineage/catalog/index.ts';
import { closeKilledLocalRuns, LINEAGE_OUTBOX_ENV, S3Outbox } from '../../lib/local/index.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';
import { SLUICE_ENV } from '../../core/env.ts';
import { stateDirLayout } from '../../core/state-dir.ts';

const USAGE = `Usage: sluice lineage <replay | status | close-killed | serve> [options]

Lineage events that could not be delivered when a step ran are kept, in order, in an outbox: locally
<state-dir>/lineage/outbox/, in Lambda the S3 prefix in ${LINEAGE_OUTBOX_ENV} (s3://<bucket>/<prefix>).
  replay               re-send the outbox to the configured transport, oldest first; each event is claimed
                       first and removed once delivered, so replays running at once or again never send it twice
  status               count the events in the outbox and show the oldest
  close-killed         close in lineage (ABORT, with the reason) the local runs of the state directory whose
                       process was killed; the next sluice run does it too
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

const SERVE_USAGE = `Usage: sluice lineage serve [--db <file>] [--port 5000] [--host 127.0.0.1] [--api-key-file <file>] [--state-dir <dir>]

Serves the embedded lineage catalog: Marquez's HTTP API under /api/v1 (post events to /api/v1/lineage, point the
Marquez web UI or "sluice trace --url" at it) and the lineage page at /. The events local runs wrote to
<state-dir>/lineage/events.jsonl are imported first, and new ones every second while it serves (never twice).

Options:
  --db <file>          the catalog's SQLite file (default: <state-dir>/lineage/catalog.db)
  --port <n>           default 5000; 0 picks a free port
  --host <addr>        default 127.0.0.1 (this machine only); another address needs an API key, or --open
  --api-key-file <f>   require Authorization: Bearer <key> for writes, the key read from this file
                       (default: $SLUICE_CATALOG_API_KEY)
  --api-key <key>      the same, given on the command line (visible to other users in ps: prefer the two above)
  --protect-reads      require the key for reads too (the page at / then asks for it)
  --allowed-host <h>   a host name requests may use besides the bound address (a proxy, a DNS name); repeatable.
                       Requests naming any other host get 403 (DNS rebinding)
  --allow-origin <url> a web origin whose pages may write (e.g. Marquez's web UI, http://localhost:3000, for its
                       delete buttons); repeatable. Writes from other sites' pages get 403
  --open               serve a non-loopback address without an API key (anyone who reaches it can write)
  --state-dir <dir>    the state directory of local runs (default: .sluice)
  -h, --help
Stops on Ctrl-C (SIGINT) or SIGTERM, or when the process that launched it (npx) ends.
`;

const SERVE_OPTIONS = {
  db: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  'protect-reads': { type: 'boolean' },
  'allowed-host': { type: 'string', multiple: true },
  'allow-origin': { type: 'string', multiple: true },
  open: { type: 'boolean' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The API key from --api-key-file, --api-key or the environment; a key on the command line is visible in ps. */
async function apiKeyOf(values: { 'api-key'?: string; 'api-key-file'?: string }): Promise<string | undefined> {
  if (values['api-key'] !== undefined && values['api-key-file'] !== undefined)
    throw new CliUsageError('give --api-key or --api-key-file, not both', SERVE_USAGE);
  if (values['api-key-file'] !== undefined) {
    const file = values['api-key-file'];
    const key = (
      await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new CliUsageError(`--api-key-file: cannot read ${file}: ${error.code ?? error.message}`, SERVE_USAGE);
      })
    ).trim();
    if (key === '') throw new CliUsageError(`--api-key-file: ${file} is empty`, SERVE_USAGE);
    return key;
  }
  if (values['api-key'] !== undefined) {
    if (values['api-key'].trim() === '') throw new CliUsageError('--api-key: the key is empty', SERVE_USAGE);
    process.stderr.write(
      `sluice: warning: --api-key puts the key on the command line, where other users of this machine see it (ps); use --api-key-file or ${SLUICE_ENV.catalogApiKey}\n`,
    );
    return values['api-key'];
  }
  return process.env[SLUICE_ENV.catalogApiKey]?.trim() || undefined;
}

async function serveCatalog(values: {
  db?: string;
  port?: string;
  host?: string;
  'api-key'?: string;
  'api-key-file'?: string;
  'protect-reads'?: boolean;
  'allowed-host'?: string[];
  'allow-origin'?: string[];
  open?: boolean;
  'state-dir'?: string;
}): Promise<number> {
  const apiKey = await apiKeyOf(values);
  const port = values.port === undefined ? 5000 : Number(values.port);
  if (!/^\d{1,5}$/.test(values.port ?? '5000') || port > 65535)
    throw new CliUsageError(`--port: expected 0-65535, got ${JSON.stringify(values.port)}`, SERVE_USAGE);
  if (values['protect-reads'] && !apiKey)
    throw new CliUsageError('--protect-reads needs --api-key-file (or SLUICE_CATALOG_API_KEY)', SERVE_USAGE);
  const host = values.host ?? '127.0.0.1';
  if (!isLoopback(host) && !apiKey) {
    if (!values.open) {
      throw new CliUsageError(
        `--host ${host}: other machines could write lineage without a key; give --api-key-file (or ${SLUICE_ENV.catalogApiKey}), or --open to serve it open knowingly`,
        SERVE_USAGE,
      );
    }
    process.stderr.write(
      `sluice: WARNING: serving ${host} with no API key (--open): anyone who reaches this address can write and change lineage\n`,
    );
  }
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
    host,
    ...(apiKey ? { apiKey } : {}),
    ...(values['allowed-host'] ? { allowedHosts: values['allowed-host'] } : {}),
    ...(values['allow-origin'] ? { allowedOrigins: allowedOrigins(values['allow-origin']) } : {}),
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
        `${JSON.stringify({ outbox: outbox.describe(), transport: lineage.describe(), delivered: report.delivered.length, rejected: report.rejected, notTried: report.notTried, skipped: report.skipped, stoppedBy: report.stoppedBy ?? null }, null, 2)}\n`,
      );
    } else {
      const rest =
        remaining === 0 ? 'the outbox is empty' : `${remaining} remain (${report.rejected.length} rejected, ${report.notTried} not tried)`;
      const others = report.skipped > 0 ? ` (${report.skipped} left to a replay running at the same time)` : '';
      process.stdout.write(`delivered ${report.delivered.length} of ${total} event(s)${others}; ${rest}\n`);
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
  if (action !== 'replay' && action !== 'status' && action !== 'close-killed') {
    throw new CliUsageError(
      action === undefined
        ? 'expected replay, status, close-killed or serve'
        : `unknown lineage command ${JSON.stringify(action)}; expected replay, status, close-killed or serve`,
      USAGE,
    );
  }
  if (extra.length > 0) throw new CliUsageError(`unexpected argument ${JSON.stringify(extra[0])}`, USAGE);
  if (action === 'close-killed') {
    const closed = await closeKilledLocalRuns(values['state-dir']);
    if (values.json) process.stdout.write(`${JSON.stringify({ closed }, null, 2)}\n`);
    else if (closed.length === 0) process.stdout.write('no killed run to close\n');
    else
      for (const c of closed)
        process.stdout.write(
          `closed ${c.pipeline} ${c.executionArn} (started ${c.startedAt}; steps open: ${c.steps.join(', ') || 'none'})\n`,
        );
    return EXIT.ok;
  }
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

/** The `--allow-origin` values as web origins (`http(s)://host[:port]`), each checked. */
function allowedOrigins(values: readonly string[]): string[] {
  return values.map((value) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value.replace(/\/$/, '')) {
      throw new CliUsageError(
        `--allow-origin: expected a web origin like http://localhost:3000, got ${JSON.stringify(value)}`,
        SERVE_USAGE,
      );
    }
    return url.origin;
  });
}
