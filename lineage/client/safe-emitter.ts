import { LineageConfigError } from './errors.ts';
import type { LineageEvent } from './event.ts';
import { describeValue } from './issues.ts';
import type { EmitOptions } from './transports/transport.ts';

/** Anything that can emit events, such as an OpenLineageClient. */
export type LineageEmitter = {
  emit(event: LineageEvent, options?: EmitOptions): Promise<void>;
  describe?(): string;
};

/** Outcome of {@link SafeEmitter.emit}; `error` is a one-line reason without secrets. */
export type SafeEmitResult = { delivered: boolean; error?: string };

/** Counters of {@link SafeEmitter}. */
export type SafeEmitterStats = { delivered: number; failed: number; inFlight: number };

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
 * Emits events without ever failing the caller: `emit` always resolves, within `deadlineMs` (plus the time of
 * `onUndelivered`), with `{ delivered }`. Failures are counted, reported through `onError` and handed to
 * `onUndelivered`, the seam for a durable outbox.
 */
export class SafeEmitter {
  readonly #emitter: LineageEmitter;
  readonly #deadlineMs: number;
  readonly #onError: (message: string) => void;
  readonly #onUndelivered: SafeEmitterOptions['onUndelivered'];
  readonly #stats: SafeEmitterStats = { delivered: 0, failed: 0, inFlight: 0 };

  constructor(emitter: LineageEmitter, options: SafeEmitterOptions = {}) {
    this.#emitter = emitter;
    const deadline = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    if (typeof deadline !== 'number' || !Number.isFinite(deadline) || deadline <= 0) {
      throw new LineageConfigError([`deadlineMs: expected a number of milliseconds > 0, got ${describeValue(deadline)}`], 'SafeEmitter options');
    }
    this.#deadlineMs = deadline;
    this.#onError = options.onError ?? defaultOnError;
    this.#onUndelivered = options.onUndelivered;
  }

  /** Tries to deliver the event; never throws or rejects. */
  async emit(event: LineageEvent): Promise<SafeEmitResult> {
    this.#stats.inFlight += 1;
    try {
      await this.#deliverWithin(event);
      this.#stats.delivered += 1;
      return { delivered: true };
    } catch (error) {
      this.#stats.failed += 1;
      const reason = oneLine(error);
      await this.#report(event, reason);
      return { delivered: false, error: reason };
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
    const delivery = Promise.resolve().then(() => this.#emitter.emit(event, { signal: controller.signal }));
    delivery.catch(() => {});
    try {
      await Promise.race([delivery, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #report(event: LineageEvent, reason: string): Promise<void> {
    const where = (() => {
      try {
        return this.#emitter.describe?.();
      } catch {
        return undefined;
      }
    })();
    this.#warn(`${label(event)} not delivered${where ? ` to ${redact(where)}` : ''}: ${reason}`);
    if (!this.#onUndelivered) return;
    try {
      await this.#onUndelivered(event, reason);
    } catch (error) {
      this.#warn(`${label(event)} could not be handed to onUndelivered: ${oneLine(error)}`);
    }
  }

  #warn(message: string): void {
    try {
      this.#onError(message);
    } catch {
      // A failing reporter must not turn lineage into a failure of the caller.
    }
  }
}
