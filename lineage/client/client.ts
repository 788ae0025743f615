import { resolveLineageConfig } from './config.ts';
import type { Environment } from './config.ts';
import type { LineageConfigInput } from './config-schema.ts';
import type { LineageEvent } from './event.ts';
import { compileFilters } from './filters.ts';
import type { EventFilter } from './filters.ts';
import { parseLineageEvent } from './parse-event.ts';
import { ConsoleTransport } from './transports/console-transport.ts';
import { createTransport } from './transports/create-transport.ts';
import { NoopTransport } from './transports/noop-transport.ts';
import type { EmitOptions, Transport } from './transports/transport.ts';

/** Options of {@link OpenLineageClient}; with none, configuration comes from the environment like openlineage-python. */
export type OpenLineageClientOptions = {
  /** Use this transport as is (ignored only when `OPENLINEAGE_DISABLED=true`). */
  transport?: Transport | undefined;
  /** Configuration in the Python client's layout (`{ transport: { type: 'http', url } }`); wins over the environment. */
  config?: LineageConfigInput | undefined;
  /** Environment to read; defaults to `process.env`. */
  env?: Environment | undefined;
  /** Directory searched for `openlineage.yml`; defaults to `process.cwd()`. */
  cwd?: string | undefined;
};

/**
 * Sends OpenLineage events. The transport is, in order: a no-op when `OPENLINEAGE_DISABLED=true`; the `transport`
 * given; the one configured by `config` and the environment; else the console, with a warning (as in Python).
 * `emit` validates the event, drops RunEvents matched by the configured `filters`, and rejects when it cannot be
 * delivered; wrap the client in a SafeEmitter where lineage must never fail the caller.
 */
export class OpenLineageClient {
  /** Where events go. */
  readonly transport: Transport;
  readonly #dropped: EventFilter;

  constructor(options: OpenLineageClientOptions = {}) {
    const env = options.env ?? process.env;
    this.#dropped = () => false;
    if ((env['OPENLINEAGE_DISABLED'] ?? '').trim().toLowerCase() === 'true') {
      this.transport = new NoopTransport('OPENLINEAGE_DISABLED=true');
      return;
    }
    if (options.transport) {
      this.transport = options.transport;
      this.#dropped = compileFilters(options.config?.['filters'] as unknown[] | undefined);
      return;
    }
    const config = resolveLineageConfig({ config: options.config, env, cwd: options.cwd });
    if (config) {
      this.transport = createTransport(config.transport);
      this.#dropped = compileFilters(config.filters);
      return;
    }
    process.emitWarning(
      'no OpenLineage transport configured (set OPENLINEAGE_URL or OPENLINEAGE__TRANSPORT__TYPE); lineage events go to stderr',
      {
        code: 'SLUICE_LINEAGE_NO_TRANSPORT',
      },
    );
    this.transport = new ConsoleTransport();
  }

  /** Validates and delivers one event; rejects with LINEAGE_EVENT_INVALID or a LineageTransportError. */
  async emit(event: LineageEvent, options: EmitOptions = {}): Promise<void> {
    // Disabled lineage is inert: not even validation may fail the caller.
    if (this.transport instanceof NoopTransport) return;
    const valid = parseLineageEvent(event);
    if (this.#dropped(valid)) return;
    await this.transport.emit(valid, options);
  }

  /** Where events go, for logs and `--help` output; never includes secrets (e.g. `http http://host/api/v1/lineage`). */
  describe(): string {
    return this.transport.describe?.() ?? `custom transport (${this.transport.constructor.name})`;
  }

  /** Releases the transport's resources. */
  async close(): Promise<void> {
    await this.transport.close?.();
  }
}
