import type { LineageEvent } from '../event.ts';

/** Per-call options of {@link Transport.emit}. */
export type EmitOptions = {
  /** Aborts the delivery (and any retry wait) when signalled, e.g. by a caller's deadline. */
  signal?: AbortSignal | undefined;
  /**
   * The caller keeps undelivered events durably (an outbox): when nothing accepts the connection, reject at once
   * instead of waiting to retry. Answers such as 503 are still retried.
   */
  failFast?: boolean | undefined;
};

/** Somewhere events go. `emit` resolves once the event is delivered and rejects with a LineageError otherwise. */
export interface Transport {
  /** Delivers one event. */
  emit(event: LineageEvent, options?: EmitOptions): Promise<void>;
  /** Releases resources (open sockets, file handles). */
  close?(): Promise<void>;
  /** A short human description of where events go, never including secrets (e.g. `http http://host/api/v1/lineage`). */
  describe?(): string;
}
