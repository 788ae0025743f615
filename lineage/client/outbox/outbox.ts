import { randomBytes } from 'node:crypto';

/**
 * Durable storage for events that could not be delivered, kept in the order they were put. Entries are named so
 * that sorting names sorts them by time ({@link outboxEntryName}); `list` returns names in that order.
 */
export interface LineageOutbox {
  /** Stores one serialised event (a JSON document) and returns its entry name. */
  put(json: string): Promise<string>;
  /** Names of the stored entries, oldest first. */
  list(): Promise<string[]>;
  /** The serialised event of an entry. */
  read(name: string): Promise<string>;
  /** Removes an entry (no error when it is already gone). */
  remove(name: string): Promise<void>;
  /**
   * Takes an entry for one replay, so concurrent replays never send it twice: false when another replay holds it (or
   * it is gone). A claim its replay never gave back (a killed process) lapses after {@link CLAIM_LAPSES_MS}.
   */
  claim?(name: string): Promise<boolean>;
  /** Gives back a claimed entry that was not delivered, for a later replay. */
  release?(name: string): Promise<void>;
  /** Where entries are kept, e.g. `directory .sluice/lineage/outbox` (never includes secrets). */
  describe(): string;
}

const INSTANCE = randomBytes(4).toString('hex');

/** How long a claim on an outbox entry holds when its replay never ends it (the process was killed). */
export const CLAIM_LAPSES_MS = 10 * 60 * 1000;
let lastMs = 0;
let sequence = 0;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * A new entry name `<UTC yyyymmddThhmmssSSSZ>-<sequence>-<process>.json`. Time never goes backwards within a
 * process and the sequence grows with every name, so names from one process sort in the order they were made;
 * names from different processes (several Lambda instances sharing a prefix) sort by time.
 */
export function outboxEntryName(now: number = Date.now()): string {
  lastMs = Math.max(lastMs, now);
  sequence += 1;
  const stamp = new Date(lastMs).toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${pad(sequence, 9)}-${INSTANCE}.json`;
}

/** The time an entry was made, from its name (undefined for a name of another shape). */
export function outboxEntryTime(name: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(name);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!));
}

/** True for names made by {@link outboxEntryName}: other files in an outbox are ignored. */
export function isOutboxEntryName(name: string): boolean {
  return /^\d{8}T\d{9}Z-\d{9}-[0-9a-f]{8}\.json$/.test(name);
}
