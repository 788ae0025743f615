import { isSluiceError } from '../../core/errors.ts';
import { LineageConfigError } from './errors.ts';
import type { LineageEvent } from './event.ts';
import { describeValue } from '../../core/issues.ts';
import { DeliveryCircuit } from './outbox/delivery-circuit.ts';
import type { LineageOutbox } from './outbox/outbox.ts';
import { parseLineageEvent } from './parse-event.ts';
import { serializeEvent } from './serialize.ts';
import type { EmitOptions } from './transports/transport.ts';

/** Anything that can emit events, such as an OpenLineageClient. */
export type LineageEmitter = {
  emit(event: LineageEvent, options?: EmitOptions): Promise<void>;
  describe?(): string;
};

/**
 * Outcome of {@link SafeEmitter.emit}; `error` is a one-line reason without secrets, `outbox` the entry the
 * undelivered event was stored under.
 */
export type SafeEmitResult = { delivered: boolean; error?: string; outbox?: string };

/** Counters of {@link SafeEmitter}: `failed` counts every event not delivered, `outboxed` those stored for replay. */
export type SafeEmitterStats = { delivered: number; failed: number; outboxed: number; inFlight: number };

/** Options of {@link SafeEmitter}. */
export type SafeEmitterOptions = {
  /** Longest wait for one delivery, retries included, in milliseconds (default 2000); the delivery is then aborted. */
  deadlineMs?: number;
  /** Reports a failure; defaults to one warning line on stderr. */
  onError?: (message: string) => void;
  /**
   * Receives every event that was not delivered, e.g. to store it in a durable outbox for replay.
   * It is awaited (keep it fast and local); its own failures are reported through `onError`.
   */
  onUndelivered?: (event: LineageEvent, error: string) => void | Promise<void>;
  /**
   * Durable store for undelivered events (replayed by `sluice lineage replay`). With one, a refused connection is
   * not retried, and while the backend is known to be down ({@link circuit}) events go straight to the outbox
   * without waiting; once this emitter has stored an event, its later events are stored too, so they keep their order.
   */
  outbox?: LineageOutbox | undefined;
  /**
   * Remembers that the backend is down. Defaults to one circuit per backend (the emitter's `describe()`) shared by
   * every SafeEmitter of the process, so a step invocation learns from the previous one.
   */
  circuit?: DeliveryCircuit | undefined;
};

const DEFAULT_DEADLINE_MS = 2000;

// Messages of third-party transports may carry credentials; mask the usual shapes.
function redact(message: string): string {
  return message
    .replace(/(bearer\s+)[^\s"',;]+/gi, '$1***')
    .replace(/((?:api[_-]?key|token|password|secret)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1***')
    .replace(/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1***@');
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redact(message.replace(/\s+/g, ' ').trim());
}

function label(event: LineageEvent): string {
  const e = event as Record<string, unknown> & { job?: { name?: unknown }; run?: { runId?: unknown }; dataset?: { name?: unknown } };
  const what = [e['eventType'], e.job?.name ?? e.dataset?.name, e.run?.runId ? `run ${String(e.run.runId)}` : undefined]
    .filter((x) => x !== undefined)
    .join(' ');
  return what === '' ? 'lineage event' : `lineage event ${what}`;
}

const defaultOnError = (message: string) => {
  process.stderr.write(`sluice: warning: ${message}\n`);
};

/**
 * Emits events without ever failing the caller: `emit` always resolves, within `deadlineMs` (plus the time to store
 * the event and of `onUndelivered`), with `{ delivered }`. An undelivered event is written to the `outbox` (when
 * there is one) before `emit` gives up on it; failures are counted, reported through `onError` and handed to
 * `onUndelivered`.
 */
export class SafeEmitter {
  readonly #emitter: LineageEmitter;
  readonly #deadlineMs: number;
  readonly #onError: (message: string) => void;
  readonly #onUndelivered: SafeEmitterOptions['onUndelivered'];
  readonly #outbox: LineageOutbox | undefined;
  readonly #circuit: DeliveryCircuit;
  readonly #stats: SafeEmitterStats = { delivered: 0, failed: 0, outboxed: 0, inFlight: 0 };
  // Set once this emitter stored an event, so its later events queue behind it instead of overtaking it.
  #diverting = false;

  constructor(emitter: LineageEmitter, options: SafeEmitterOptions = {}) {
    this.#emitter = emitter;
    const deadline = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    if (typeof deadline !== 'number' || !Number.isFinite(deadline) || deadline <= 0) {
      throw new LineageConfigError(
        [`deadlineMs: expected a number of milliseconds > 0, got ${describeValue(deadline)}`],
        'SafeEmitter options',
      );
    }
    this.#deadlineMs = deadline;
    this.#onError = options.onError ?? defaultOnError;
    this.#onUndelivered = options.onUndelivered;
    this.#outbox = options.outbox;
    this.#circuit = options.circuit ?? DeliveryCircuit.for(this.#where());
  }

  /** Tries to deliver the event, else stores it in the outbox; never throws or rejects. */
  async emit(event: LineageEvent): Promise<SafeEmitResult> {
    this.#stats.inFlight += 1;
    try {
      if (this.#outbox && (this.#diverting || this.#circuit.isOpen())) {
        this.#stats.failed += 1;
        const since = this.#circuit.openedAgoMs();
        const reason = this.#diverting
          ? "queued behind this run's earlier events in the outbox"
          : `backend unavailable (a delivery failed ${since === undefined ? 'recently' : `${Math.round(since)} ms ago`}), not retried yet`;
        // What the backend would refuse must not wait in the outbox either.
        try {
          parseLineageEvent(event);
        } catch (error) {
          return await this.#undelivered(event, oneLine(error), false);
        }
        return await this.#undelivered(event, reason);
      }
      try {
        await this.#deliverWithin(event);
        this.#circuit.close();
        this.#stats.delivered += 1;
        return { delivered: true };
      } catch (error) {
        this.#stats.failed += 1;
        // An invalid event will never be accepted: report it, but neither blame the backend nor keep it for replay.
        const invalid = isSluiceError(error) && error.code === 'LINEAGE_EVENT_INVALID';
        // Only failures that say the backend is unreachable or overloaded (not a 4xx about this event) divert the next ones.
        if (!invalid && (!isSluiceError(error) || error.retryable === true)) this.#circuit.open();
        return await this.#undelivered(event, oneLine(error), !invalid);
      }
    } finally {
      this.#stats.inFlight -= 1;
    }
  }

  /** Delivered, failed and in-flight counts since construction. */
  stats(): SafeEmitterStats {
    return { ...this.#stats };
  }

  async #deliverWithin(event: LineageEvent): Promise<void> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`no delivery within the ${this.#deadlineMs} ms deadline`);
        controller.abort(error);
        reject(error);
      }, this.#deadlineMs);
    });
    // Called inside the race so a synchronous throw becomes a rejection; a late rejection is already handled.
    const failFast = this.#outbox !== undefined;
    const delivery = Promise.resolve().then(() => this.#emitter.emit(event, { signal: controller.signal, failFast }));
    delivery.catch(() => {});
    try {
      await Promise.race([delivery, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  #where(): string | undefined {
    try {
      return this.#emitter.describe?.();
    } catch {
      return undefined;
    }
  }

  async #undelivered(event: LineageEvent, reason: string, keep = true): Promise<SafeEmitResult> {
    const where = this.#where();
    const what = `${label(event)} not delivered${where ? ` to ${redact(where)}` : ''}: ${reason}`;
    let entry: string | undefined;
    if (this.#outbox && keep) {
      try {
        entry = await this.#outbox.put(serializeEvent(event));
        this.#diverting = true;
        this.#stats.outboxed += 1;
      } catch (error) {
        this.#warn(`${what}; and it could not be stored in the outbox (${this.#outbox.describe()}), so it is lost: ${oneLine(error)}`);
      }
    }
    if (entry !== undefined) this.#warn(`${what}; kept in the outbox (${this.#outbox!.describe()}) for "sluice lineage replay"`);
    else if (!this.#outbox || !keep) this.#warn(what);
    if (this.#onUndelivered) {
      try {
        await this.#onUndelivered(event, reason);
      } catch (error) {
        this.#warn(`${label(event)} could not be handed to onUndelivered: ${oneLine(error)}`);
      }
    }
    return { delivered: false, error: reason, ...(entry !== undefined ? { outbox: entry } : {}) };
  }

  #warn(message: string): void {
    try {
      this.#onError(message);
    } catch {
      // A failing reporter must not turn lineage into a failure of the caller.
    }
  }
}
