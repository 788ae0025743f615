import { join, resolve } from 'node:path';
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
import { LINEAGE_OUTBOX_ENV, S3Outbox } from '../../lib/runtime/lineage-outbox-s3.ts';
import { CliUsageError, EXIT, parseCommandArgs } from './cli.ts';

const USAGE = `Usage: sluice lineage <replay | status> [options]

Lineage events that could not be delivered when a step ran are kept, in order, in an outbox: locally
<state-dir>/lineage/outbox/, in Lambda the S3 prefix in ${LINEAGE_OUTBOX_ENV} (s3://<bucket>/<prefix>).
  replay               re-send the outbox to the configured transport, oldest first; each event is removed
                       once delivered, so running it again sends nothing twice
  status               count the events in the outbox and show the oldest

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

type Outbox = LineageOutbox & { close?(): void };

function chooseOutbox(values: { 'state-dir'?: string | undefined; outbox?: string | undefined }): Outbox {
  const where =
    values.outbox ?? (values['state-dir'] === undefined ? process.env[LINEAGE_OUTBOX_ENV]?.trim() || undefined : undefined);
  if (where === undefined) return new DirectoryOutbox(join(resolve(values['state-dir'] ?? '.sluice'), 'lineage', 'outbox'));
  return where.startsWith('s3://') ? S3Outbox.fromUrl(where) : new DirectoryOutbox(where);
}

function client(stateDir: string | undefined): OpenLineageClient {
  const config = resolveLineageConfig({ env: process.env });
  if (config === undefined) {
    const logFile = join(resolve(stateDir ?? '.sluice'), 'lineage', 'events.jsonl');
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
      const rest = remaining === 0 ? 'the outbox is empty' : `${remaining} remain (${report.rejected.length} rejected, ${report.notTried} not tried)`;
      process.stdout.write(`delivered ${report.delivered.length} of ${total} event(s); ${rest}\n`);
      if (report.stoppedBy) process.stdout.write(`stopped: ${report.stoppedBy}\n`);
    }
    return remaining === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await lineage.close();
  }
}

/** `sluice lineage replay|status`: re-sends or inspects the outbox of undelivered lineage events. */
export async function lineageCommand(args: string[]): Promise<number> {
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
    throw new CliUsageError(action === undefined ? 'expected replay or status' : `unknown lineage command ${JSON.stringify(action)}; expected replay or status`, USAGE);
  }
  if (extra.length > 0) throw new CliUsageError(`unexpected argument ${JSON.stringify(extra[0])}`, USAGE);
  if (values.outbox !== undefined && values.outbox.trim() === '') throw new CliUsageError('--outbox: expected a directory or s3://<bucket>/<prefix>', USAGE);
  const outbox = chooseOutbox(values);
  try {
    return action === 'status' ? await status(outbox, values.json === true) : await replay(outbox, values['state-dir'], values.json === true);
  } finally {
    outbox.close?.();
  }
}
