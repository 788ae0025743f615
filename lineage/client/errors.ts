import { SluiceError } from '../../core/errors.ts';

/** Options common to every lineage error. */
export type LineageErrorOptions = {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Whether sending the same event again later may succeed (a down server) or not (a rejected event). */
  retryable?: boolean;
};

/** Root error of the lineage client, a {@link SluiceError} with a code such as `LINEAGE_TRANSPORT` or `LINEAGE_CONFIG`. */
export class LineageError extends SluiceError {
  constructor(code: string, message: string, options: LineageErrorOptions = {}) {
    super(code, message, options);
    this.name = 'LineageError';
  }
}

/** Invalid lineage configuration; `issues` lists every problem found, each naming its path, value and what is allowed. */
export class LineageConfigError extends LineageError {
  /** One line per problem, e.g. `transport.url: expected an http(s) URL, got "ftp://x"`. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[], source: string) {
    super('LINEAGE_CONFIG', `invalid lineage configuration (${source}): ${issues.join('; ')}`);
    this.name = 'LineageConfigError';
    this.issues = issues;
  }
}

/** Details of a failed delivery. */
export type LineageTransportErrorOptions = LineageErrorOptions & {
  /** HTTP status of the last answer, when there was one. */
  status?: number | undefined;
  /** Requests made, retries included. */
  attempts?: number | undefined;
};

/** An event could not be delivered (code `LINEAGE_TRANSPORT`, or `LINEAGE_ABORTED` when a deadline or caller aborted it). */
export class LineageTransportError extends LineageError {
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;
  /** Requests made, retries included. */
  readonly attempts: number;

  constructor(message: string, options: LineageTransportErrorOptions & { code?: 'LINEAGE_TRANSPORT' | 'LINEAGE_ABORTED' } = {}) {
    super(options.code ?? 'LINEAGE_TRANSPORT', message, options);
    this.name = 'LineageTransportError';
    this.status = options.status;
    this.attempts = options.attempts ?? 1;
  }
}
