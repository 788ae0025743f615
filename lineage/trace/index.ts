// sluice/trace: incident tracing over the Marquez API (Marquez or Sluice's embedded catalog).
export { traceNode } from './trace.ts';
export type { TraceOptions } from './trace.ts';
export { formatTrace, formatTraceMermaid } from './format-trace.ts';
export { TraceError } from './trace-error.ts';
export type { FailedAssertion, RootCause, TraceReport, TracedRun, TracedVersion, UpstreamStep } from './trace-model.ts';
