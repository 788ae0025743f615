/** Brand shared by every Sluice error; checked instead of `instanceof` because bundles can duplicate classes. */
export const SLUICE_ERROR_BRAND: unique symbol = Symbol.for('sluice.error');

/** Options common to every lineage error. */
export type LineageErrorOptions = {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Whether sending the same event again later may succeed (a down server) or not (a rejected event). */
  retryable?: boolean;
};

/** Root error of the lineage client, with a stable `code` such as `LINEAGE_TRANSPORT` or `LINEAGE_CONFIG`. */
export class LineageError extends Error {
  /** Stable machine-readable code, `AREA_REASON`. */
  readonly code: string;
  /** Whether retrying the same operation later may succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: LineageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LineageError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, SLUICE_ERROR_BRAND, { value: true });
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

/** The shape every Sluice error exposes, whatever copy of the class created it. */
export type SluiceErrorLike = Error & { readonly code: string; readonly retryable?: boolean };

/** True when `error` carries the Sluice brand (works across duplicated bundles, unlike `instanceof`). */
export function isSluiceError(error: unknown): error is SluiceErrorLike {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[SLUICE_ERROR_BRAND] === true
  );
}
