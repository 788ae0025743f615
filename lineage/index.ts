// sluice/lineage: the OpenLineage client. Facet builders are in the `facets` namespace; everything else under client/
// is internal. The embedded catalog is `sluice/catalog`, incident tracing `sluice/trace`.

// The client, configured like openlineage-python (openlineage.yml, OPENLINEAGE_URL, OPENLINEAGE__…).
export { OpenLineageClient } from './client/client.ts';
export type { OpenLineageClientOptions } from './client/client.ts';
export { resolveLineageConfig } from './client/config.ts';
export type { Environment, ResolveLineageConfigOptions } from './client/config.ts';
export type { LineageConfig, LineageConfigInput } from './client/config-schema.ts';

// Lineage that never fails the caller: SafeEmitter, and the outbox that keeps what it could not deliver for replay.
export { SafeEmitter } from './client/safe-emitter.ts';
export type { LineageEmitter, SafeEmitResult, SafeEmitterOptions, SafeEmitterStats } from './client/safe-emitter.ts';
export { DeliveryCircuit } from './client/outbox/delivery-circuit.ts';
export type { DeliveryCircuitOptions } from './client/outbox/delivery-circuit.ts';
export { DirectoryOutbox } from './client/outbox/directory-outbox.ts';
export { CLAIM_LAPSES_MS, isOutboxEntryName, outboxEntryName, outboxEntryTime } from './client/outbox/outbox.ts';
export type { LineageOutbox } from './client/outbox/outbox.ts';
export { replayOutbox } from './client/outbox/replay-outbox.ts';
export type { KeptEntry, ReplayOptions, ReplayReport } from './client/outbox/replay-outbox.ts';

// Transports to construct in code (configuration builds them by `type`), and the interface of your own.
export type { EmitOptions, Transport } from './client/transports/transport.ts';
export { HttpTransport } from './client/transports/http-transport.ts';
export type { HttpTransportOptions } from './client/transports/http-transport.ts';
export { FileTransport } from './client/transports/file-transport.ts';
export type { FileTransportOptions } from './client/transports/file-transport.ts';
export { ConsoleTransport } from './client/transports/console-transport.ts';
export type { ConsoleSink } from './client/transports/console-transport.ts';
export { CompositeTransport } from './client/transports/composite-transport.ts';
export type { CompositeChild, CompositeTransportOptions } from './client/transports/composite-transport.ts';
export { TransformTransport, jobNamespaceReplaceTransformer } from './client/transports/transform-transport.ts';
export type { EventTransformer, TransformTransportOptions } from './client/transports/transform-transport.ts';
export { NoopTransport } from './client/transports/noop-transport.ts';

// The event model (spec 2-0-2): builders, validation, the JSON the client sends.
export { datasetEvent, jobEvent, runEvent } from './client/event-builders.ts';
export type { DatasetEventInput, EventEnvelope, JobEventInput, RunEventInput } from './client/event-builders.ts';
export type {
  Dataset,
  DatasetEvent,
  EventType,
  Facet,
  InputDataset,
  Job,
  JobEvent,
  LineageEvent,
  OutputDataset,
  Run,
  RunEvent,
} from './client/event.ts';
export { parseLineageEvent } from './client/parse-event.ts';
export { serializeEvent } from './client/serialize.ts';
export * as facets from './client/facets.ts';

// Ids, errors and the producer this client stamps on events and facets.
export { UUID_NAMESPACE_DNS, UUID_NAMESPACE_URL, uuidv5, uuidv7 } from './client/ids.ts';
export { LineageConfigError, LineageError, LineageTransportError } from './client/errors.ts';
export type { LineageErrorOptions, LineageTransportErrorOptions } from './client/errors.ts';
export { SluiceError, isSluiceError } from '../core/errors.ts';
export { CLIENT_VERSION, PRODUCER } from './client/version.ts';
