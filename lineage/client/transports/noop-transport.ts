import type { Transport } from './transport.ts';

/** Discards every event; used when lineage is disabled (`OPENLINEAGE_DISABLED=true`). */
export class NoopTransport implements Transport {
  readonly #reason: string | undefined;

  /** @param reason Why events are discarded, shown by `describe()`. */
  constructor(reason?: string) {
    this.#reason = reason;
  }

  /** Does nothing. */
  async emit(): Promise<void> {}

  /** `noop (events are discarded)`, with the reason when known. */
  describe(): string {
    return `noop (events are discarded${this.#reason ? `: ${this.#reason}` : ''})`;
  }
}
