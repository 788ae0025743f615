import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import type { z } from 'zod';
import { HttpTransportConfigSchema } from '../config-schema.ts';
import type { HttpTransportConfig } from '../config-schema.ts';
import { LineageConfigError, LineageTransportError } from '../errors.ts';
import type { LineageEvent } from '../event.ts';
import { formatIssues } from '../../../core/issues.ts';
import { lineageWording } from '../issues.ts';
import { serializeEvent } from '../serialize.ts';
import { HttpAttemptError, abortReason, postOnce } from './http-request.ts';
import type { HttpAnswer } from './http-request.ts';
import type { EmitOptions, Transport } from './transport.ts';

/** Settings accepted by {@link HttpTransport} (snake_case like openlineage-python; the `type` is implied). */
export type HttpTransportOptions = Omit<z.input<typeof HttpTransportConfigSchema>, 'type'>;

const RETRY_AFTER_STATUSES = new Set([413, 429, 503]);
const ERROR_TEXT_LIMIT = 300;

/** The URL without credentials or query values, safe for messages and logs. */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
}

/** Delay before retry number `retry` (1-based), urllib3-style: immediate first, then factor·2^(n-1), ±25 % jitter. */
export function backoffSeconds(retry: number, factor: number, max: number, random: () => number = Math.random): number {
  if (retry <= 1) return 0;
  const base = Math.min(max, factor * 2 ** (retry - 1));
  return base * (0.75 + random() * 0.5);
}

function retryAfterSeconds(answer: HttpAnswer, max: number): number | undefined {
  const header = answer.headers['retry-after'];
  if (!RETRY_AFTER_STATUSES.has(answer.status) || typeof header !== 'string') return undefined;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.min(max, Math.max(0, seconds)) : undefined;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > ERROR_TEXT_LIMIT ? `${flat.slice(0, ERROR_TEXT_LIMIT)}… (${flat.length} characters)` : flat;
}

/**
 * POSTs each event as JSON to `new URL(endpoint, url)` (Python's urljoin: a base path without a trailing `/` is
 * replaced, an endpoint starting with `/` starts at the host root). Any 2xx is success. Connection errors, timeouts
 * and the statuses in `retry.status_forcelist` (429, 500, 502, 503, 504) are retried with exponential backoff and
 * jitter; other answers reject at once with the status and the start of the response text.
 */
export class HttpTransport implements Transport {
  /** Validated settings (defaults applied). */
  readonly config: HttpTransportConfig;
  /** Where events are POSTed. */
  readonly target: URL;

  constructor(options: HttpTransportOptions) {
    const parsed = HttpTransportConfigSchema.safeParse({ ...options, type: 'http' }, { reportInput: true });
    if (!parsed.success)
      throw new LineageConfigError(formatIssues(parsed.error.issues, { prefix: ['transport'], wording: lineageWording }), 'http transport');
    this.config = parsed.data;
    this.target = new URL(this.config.endpoint, this.config.url);
  }

  /** `http <url>` without credentials. */
  describe(): string {
    return `http ${redactUrl(this.target)}`;
  }

  /** Delivers the event, retrying as configured; rejects with a LineageTransportError. */
  async emit(event: LineageEvent, options: EmitOptions = {}): Promise<void> {
    const json = serializeEvent(event);
    const gzip = this.config.compression === 'gzip';
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      ...(this.config.auth ? { Authorization: `Bearer ${this.config.auth.apiKey}` } : {}),
      ...this.config.custom_headers,
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    };
    // Level 3: higher levels are about twice as slow for little gain (same choice as the Python client).
    const body = gzip ? gzipSync(json, { level: 3 }) : Buffer.from(json, 'utf8');
    await this.#deliver(body, headers, options.signal, options.failFast === true);
  }

  async #deliver(body: Buffer, headers: Record<string, string>, signal: AbortSignal | undefined, failFast: boolean): Promise<void> {
    const { retry } = this.config;
    const left = { total: retry.total, connect: retry.connect, read: retry.read };
    const postRetryable = retry.allowed_methods.some((m) => m.toUpperCase() === 'POST');
    let target = this.target;
    let attempts = 0;
    let failures = 0;
    const where = () => `http transport ${redactUrl(target)}`;

    const wait = async (seconds: number) => {
      try {
        await sleep(seconds * 1000, undefined, { signal });
      } catch {
        throw new LineageTransportError(`${where()}: delivery aborted while waiting to retry: ${abortReason(signal)}`, {
          code: 'LINEAGE_ABORTED',
          retryable: true,
          attempts,
        });
      }
    };

    for (;;) {
      attempts += 1;
      let answer: HttpAnswer;
      try {
        answer = await postOnce(target, body, headers, {
          timeoutMs: this.config.timeout * 1000,
          signal,
          rejectUnauthorized: this.config.verify,
        });
      } catch (error) {
        const attempt = error as HttpAttemptError;
        if (attempt.aborted) {
          throw new LineageTransportError(`${where()}: delivery ${attempt.message}`, {
            code: 'LINEAGE_ABORTED',
            cause: error,
            retryable: true,
            attempts,
          });
        }
        const phase = attempt.phase ?? 'connect';
        if (!(failFast && phase === 'connect') && (phase === 'connect' || postRetryable) && left.total > 0 && left[phase] > 0) {
          left.total -= 1;
          left[phase] -= 1;
          failures += 1;
          await wait(backoffSeconds(failures, retry.backoff_factor, retry.backoff_max));
          continue;
        }
        throw new LineageTransportError(`${where()}: could not deliver the event after ${attempts} attempt(s): ${attempt.message}`, {
          cause: error,
          retryable: true,
          attempts,
        });
      }

      const { status } = answer;
      if (status >= 200 && status < 300) return;
      const location = answer.headers.location;
      if ((status === 307 || status === 308) && location && left.total > 0) {
        // Only method-preserving, same-origin redirects are followed (as in the Python client).
        const next = new URL(location, target);
        if (next.origin === target.origin) {
          left.total -= 1;
          target = next;
          continue;
        }
      }
      if (retry.status_forcelist.includes(status) && postRetryable && left.total > 0) {
        left.total -= 1;
        failures += 1;
        await wait(retryAfterSeconds(answer, retry.backoff_max) ?? backoffSeconds(failures, retry.backoff_factor, retry.backoff_max));
        continue;
      }
      throw this.#statusError(answer, where(), attempts);
    }
  }

  #statusError(answer: HttpAnswer, where: string, attempts: number): LineageTransportError {
    const { status } = answer;
    const answered = `${where}: answered ${status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
    if (status >= 300 && status < 400) {
      return new LineageTransportError(
        `${answered} redirecting to ${answer.headers.location ?? '(no Location)'}; only same-origin 307/308 redirects are followed, set transport.url to the final address`,
        { status, attempts },
      );
    }
    const retryable = status === 408 || status === 429 || status >= 500;
    const why = retryable ? `after ${attempts} attempt(s)` : 'not retried: the server rejected the event';
    return new LineageTransportError(`${answered}: ${snippet(answer.body)} (${why})`, { status, attempts, retryable });
  }
}
