/** Options of {@link DeliveryCircuit}. */
export type DeliveryCircuitOptions = {
  /** How long after a failed delivery events skip the backend, in milliseconds. @default 30000 */
  cooldownMs?: number;
  /** Clock, for tests. */
  now?: () => number;
};

const DEFAULT_COOLDOWN_MS = 30_000;
const shared = new Map<string, DeliveryCircuit>();

/**
 * Remembers that a lineage backend just failed, so the next events go to the outbox at once instead of each
 * waiting out a deadline. After `cooldownMs` the next event tries the backend again; a success closes the circuit.
 */
export class DeliveryCircuit {
  readonly #cooldownMs: number;
  readonly #now: () => number;
  #openedAt: number | undefined;

  constructor(options: DeliveryCircuitOptions = {}) {
    this.#cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The process-wide circuit of one backend (by its description); a fresh private one when there is no description. */
  static for(backend: string | undefined): DeliveryCircuit {
    if (backend === undefined) return new DeliveryCircuit();
    let circuit = shared.get(backend);
    if (!circuit) {
      circuit = new DeliveryCircuit();
      shared.set(backend, circuit);
    }
    return circuit;
  }

  /** True while the last failure is more recent than the cooldown. */
  isOpen(): boolean {
    return this.#openedAt !== undefined && this.#now() - this.#openedAt < this.#cooldownMs;
  }

  /** Milliseconds since the last failure, if one is remembered. */
  openedAgoMs(): number | undefined {
    return this.#openedAt === undefined ? undefined : this.#now() - this.#openedAt;
  }

  /** Records a failed delivery. */
  open(): void {
    this.#openedAt = this.#now();
  }

  /** Records a successful delivery. */
  close(): void {
    this.#openedAt = undefined;
  }
}
