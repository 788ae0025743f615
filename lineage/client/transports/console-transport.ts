import type { LineageEvent } from '../event.ts';
import { serializeEvent } from '../serialize.ts';
import type { Transport } from './transport.ts';

/** Where the console transport writes; `process.stderr` by default. */
export type ConsoleSink = { write(chunk: string): unknown };

/**
 * Writes one JSON line per event to stderr. Python logs events at INFO; stderr keeps them out of a CLI's
 * stdout, which carries results (and `--json` output) only.
 */
export class ConsoleTransport implements Transport {
  readonly #sink: ConsoleSink;

  /** @param sink Override the stream, e.g. in tests. */
  constructor(sink: ConsoleSink = process.stderr) {
    this.#sink = sink;
  }

  /** Writes the event as one line of JSON. */
  async emit(event: LineageEvent): Promise<void> {
    this.#sink.write(`${serializeEvent(event)}\n`);
  }

  /** `console (stderr)`. */
  describe(): string {
    return this.#sink === process.stderr ? 'console (stderr)' : 'console';
  }
}
