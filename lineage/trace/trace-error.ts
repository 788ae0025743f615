/** A failure to talk to the lineage backend, or an answer that is not what Marquez sends. */
export class TraceError extends Error {
  readonly code: 'TRACE_NOT_FOUND' | 'TRACE_BACKEND' | 'TRACE_INPUT';
  constructor(code: TraceError['code'], message: string) {
    super(message);
    this.name = 'TraceError';
    this.code = code;
  }
}
