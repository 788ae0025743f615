import { isSluiceError } from '../../../core/errors.ts';
import { LineageTransportError } from '../errors.ts';
import type { LineageEvent } from '../event.ts';
import type { EmitOptions, Transport } from './transport.ts';

/** A named child of a composite transport. */
export type CompositeChild = { name: string; transport: Transport; priority?: number | undefined };

/** Behaviour of {@link CompositeTransport}, with openlineage-python's names and defaults. */
export type CompositeTransportOptions = {
  /** Keep emitting to the next child after a failure (default true); false fails fast. */
  continue_on_failure?: boolean | undefined;
  /** Keep emitting to the next child after a success (default true); false stops at the first delivery. */
  continue_on_success?: boolean | undefined;
  /** Emit in descending `priority` order (default false: as listed). */
  sort_transports?: boolean | undefined;
};

/** Emits each event to several transports in turn; rejects only if none succeeded (or at the first failure when fail-fast). */
export class CompositeTransport implements Transport {
  /** Children in emission order. */
  readonly children: readonly CompositeChild[];
  readonly #continueOnFailure: boolean;
  readonly #continueOnSuccess: boolean;

  constructor(children: readonly CompositeChild[], options: CompositeTransportOptions = {}) {
    if (children.length === 0) throw new LineageTransportError('composite transport: expected at least one child transport, got none');
    this.children = options.sort_transports ? [...children].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0)) : [...children];
    this.#continueOnFailure = options.continue_on_failure ?? true;
    this.#continueOnSuccess = options.continue_on_success ?? true;
  }

  /** Emits to the children sequentially, as configured. */
  async emit(event: LineageEvent, options: EmitOptions = {}): Promise<void> {
    const failures: string[] = [];
    let delivered = 0;
    let retryable = false;
    for (const child of this.children) {
      try {
        await child.transport.emit(event, options);
        delivered += 1;
        if (!this.#continueOnSuccess) return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        retryable ||= !isSluiceError(error) || error.retryable === true;
        if (!this.#continueOnFailure) {
          throw new LineageTransportError(`composite transport: child "${child.name}" failed: ${message}`, { cause: error, retryable });
        }
        failures.push(`"${child.name}": ${message}`);
      }
    }
    if (delivered === 0) {
      throw new LineageTransportError(
        `composite transport: none of ${this.children.length} transports delivered the event: ${failures.join('; ')}`,
        {
          retryable,
        },
      );
    }
  }

  /** Closes every child, then rethrows the last close error if any. */
  async close(): Promise<void> {
    let last: unknown;
    for (const child of this.children) {
      try {
        await child.transport.close?.();
      } catch (error) {
        last = error;
      }
    }
    if (last !== undefined) throw last;
  }

  /** `composite [<child>, <child>]`. */
  describe(): string {
    return `composite [${this.children.map((c) => `${c.name}: ${c.transport.describe?.() ?? 'custom transport'}`).join(', ')}]`;
  }
}
