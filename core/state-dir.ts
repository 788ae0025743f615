import { join, resolve } from 'node:path';

/** The state directory local runs use when none is given. */
export const DEFAULT_STATE_DIR = '.sluice';

/** Where everything of a local state directory lives (all paths absolute). */
export interface StateDirLayout {
  /** The directory itself. */
  readonly root: string;
  /** The embedded S3's objects. */
  readonly s3: string;
  /** Files the demo and tools generate as inputs. */
  readonly inputs: string;
  /** Lineage: events, outbox and catalog. */
  readonly lineage: string;
  /** OpenLineage events as JSON lines, where local runs send lineage by default. */
  readonly events: string;
  /** Events that could not be delivered, kept for `sluice lineage replay`. */
  readonly outbox: string;
  /** The embedded catalog's SQLite database. */
  readonly catalog: string;
  /** One marker per local run in progress, so a run that was killed can be closed in lineage later. */
  readonly runs: string;
  /** Steps' scratch directories, one folder per local run, removed when the run ends or is closed. */
  readonly scratch: string;
  /** The step handlers' structured log lines (JSON lines, with their metrics), as Lambda writes them to CloudWatch. */
  readonly logs: string;
}

/** The layout of a state directory (`.sluice` when not given), resolved against the working directory. */
export function stateDirLayout(dir: string = DEFAULT_STATE_DIR): StateDirLayout {
  const root = resolve(dir);
  const lineage = join(root, 'lineage');
  return {
    root,
    s3: join(root, 's3'),
    inputs: join(root, 'inputs'),
    lineage,
    events: join(lineage, 'events.jsonl'),
    outbox: join(lineage, 'outbox'),
    catalog: join(lineage, 'catalog.db'),
    runs: join(root, 'runs'),
    scratch: join(root, 'scratch'),
    logs: join(root, 'logs', 'steps.jsonl'),
  };
}
