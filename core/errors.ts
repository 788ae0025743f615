/** Brand every Sluice error carries; checked instead of `instanceof`, because bundles can duplicate classes. */
export const SLUICE_ERROR_BRAND: unique symbol = Symbol.for('sluice.error');

/** Options for a {@link SluiceError}. */
export interface SluiceErrorOptions {
  readonly cause?: unknown;
  /** Problems behind the error, one line each (every zod issue, every failed assertion). */
  readonly details?: readonly string[];
  /** Whether retrying the same work may succeed (a network blip), or not (bad input). */
  readonly retryable?: boolean;
}

/** The root of every error Sluice raises, identified by a stable `code` (`AREA_REASON`). */
export class SluiceError extends Error {
  readonly code: string;
  readonly details: readonly string[];
  readonly retryable: boolean;

  constructor(code: string, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.details = options.details ?? [];
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, SLUICE_ERROR_BRAND, { value: true });
  }
}

/** True for any Sluice error, even one created by another copy of this module. */
export function isSluiceError(error: unknown): error is SluiceError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[SLUICE_ERROR_BRAND] === true;
}
