import { LineageConfigError } from '../errors.ts';
import type { LineageEvent } from '../event.ts';
import { describeValue } from '../../../core/issues.ts';
import type { EmitOptions, Transport } from './transport.ts';

/** Rewrites an event (a deep copy, free to modify); returning null or undefined drops it. */
export type EventTransformer = (event: LineageEvent) => LineageEvent | null | undefined;

/** Options of {@link TransformTransport}. */
export type TransformTransportOptions = {
  /** Name shown by `describe()`. */
  name?: string | undefined;
  /** Told when a transformer throws and the event is skipped; defaults to a process warning. */
  onSkip?: ((message: string) => void) | undefined;
};

/**
 * openlineage-python's transform transport: each event is deep-copied, passed to the transformer, and the result
 * emitted to the inner transport. Like Python, an event is skipped (not an error) when the transformer returns
 * nothing or throws; a throw is reported through `onSkip`.
 */
export class TransformTransport implements Transport {
  /** Where transformed events go. */
  readonly inner: Transport;
  readonly #transform: EventTransformer;
  readonly #name: string;
  readonly #onSkip: (message: string) => void;

  constructor(inner: Transport, transform: EventTransformer, options: TransformTransportOptions = {}) {
    this.inner = inner;
    this.#transform = transform;
    this.#name = options.name ?? (transform.name || 'transformer');
    this.#onSkip = options.onSkip ?? ((message) => process.emitWarning(message, { code: 'SLUICE_LINEAGE_TRANSFORM_SKIPPED' }));
  }

  /** Transforms the event and emits the result; resolves without emitting when it is dropped. */
  async emit(event: LineageEvent, options: EmitOptions = {}): Promise<void> {
    let transformed: LineageEvent | null | undefined;
    try {
      transformed = this.#transform(structuredClone(event));
    } catch (error) {
      this.#onSkip(`transform transport: ${this.#name} failed, event skipped: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (transformed === null || transformed === undefined) return;
    await this.inner.emit(transformed, options);
  }

  /** Closes the inner transport. */
  async close(): Promise<void> {
    await this.inner.close?.();
  }

  /** `transform (<transformer>) → <inner>`. */
  describe(): string {
    return `transform (${this.#name}) → ${this.inner.describe?.() ?? 'custom transport'}`;
  }
}

/**
 * openlineage-python's JobNamespaceReplaceTransformer: sets `job.namespace` of RunEvents and JobEvents to
 * `new_job_namespace`, and, unless `include_parent_facet` is false, the parent and root job namespaces too.
 */
export function jobNamespaceReplaceTransformer(properties: Record<string, unknown>): EventTransformer {
  const namespace = properties['new_job_namespace'];
  if (typeof namespace !== 'string' || namespace === '') {
    throw new LineageConfigError(
      [`transport.transformer_properties.new_job_namespace: expected a non-empty string, got ${describeValue(namespace)}`],
      'transform transport',
    );
  }
  const includeParent = String(properties['include_parent_facet'] ?? 'true').toLowerCase() === 'true';
  const transform = (event: LineageEvent): LineageEvent => {
    const e = event as { job?: { namespace?: string }; run?: { facets?: Record<string, unknown> } };
    if (!e.job) return event;
    e.job.namespace = namespace;
    const parent = e.run?.facets?.['parent'] as { job?: { namespace?: string }; root?: { job?: { namespace?: string } } } | undefined;
    if (includeParent && parent?.job) {
      parent.job.namespace = namespace;
      if (parent.root?.job) parent.root.job.namespace = namespace;
    }
    return event;
  };
  Object.defineProperty(transform, 'name', { value: 'JobNamespaceReplaceTransformer' });
  return transform;
}

// Python names the transformer by its import path; accept the documented paths and the bare class name.
const BUILT_IN: Record<string, (properties: Record<string, unknown>) => EventTransformer> = {
  JobNamespaceReplaceTransformer: jobNamespaceReplaceTransformer,
  'openlineage.client.transport.transform.JobNamespaceReplaceTransformer': jobNamespaceReplaceTransformer,
  'openlineage.client.transport.transform.transformers.job_namespace_replace_transformer.JobNamespaceReplaceTransformer':
    jobNamespaceReplaceTransformer,
};

/** The built-in transformer named by `transformer_class`; throws LineageConfigError for an unknown one. */
export function builtInTransformer(transformerClass: string, properties: Record<string, unknown>): EventTransformer {
  const make = BUILT_IN[transformerClass];
  if (!make) {
    throw new LineageConfigError(
      [
        `transport.transformer_class: unknown transformer ${JSON.stringify(transformerClass)}; built in: JobNamespaceReplaceTransformer ` +
          '(for your own, build new TransformTransport(inner, (event) => event) in code)',
      ],
      'transform transport',
    );
  }
  return make(properties);
}
