import { setTimeout as sleep } from 'node:timers/promises';
import { SluiceError } from '../../../../core/errors.ts';
import type { MlflowConnection } from './connection.ts';

/** An MLflow REST error answer: its status and, for a JSON body, MLflow's error code and message. */
export interface MlflowFailure {
  readonly status: number;
  readonly errorCode?: string;
  readonly message: string;
}

/** Options of {@link MlflowClient}. */
export interface MlflowClientOptions {
  /** Per request. @default 15000 */
  readonly timeoutMs?: number;
  /** Tries of a request that failed in transit or with a 5xx answer. @default 3 */
  readonly attempts?: number;
  readonly fetch?: typeof fetch;
}

/** An answer the caller handles itself (a 4xx from the registry), instead of an error. */
export type MlflowAnswer<T> = { readonly ok: true; readonly body: T } | { readonly ok: false; readonly failure: MlflowFailure };

/**
 * A small MLflow REST client: GETs with the connection's credentials, a timeout per request, retries of failures in
 * transit and 5xx answers, and errors that say what went wrong in a form people act on (unreachable, credentials,
 * not an MLflow server). Error bodies differ between MLflow versions (JSON with `error_code`, or an HTML page).
 */
export class MlflowClient {
  readonly connection: MlflowConnection;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #fetch: typeof fetch;

  constructor(connection: MlflowConnection, options: MlflowClientOptions = {}) {
    this.connection = connection;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#attempts = options.attempts ?? 3;
    this.#fetch = options.fetch ?? fetch;
  }

  /** `GET /api/2.0/mlflow/<path>?<query>`: the JSON body, or MLflow's 4xx answer for the caller to word. */
  async get<T>(path: string, query: Readonly<Record<string, string>>): Promise<MlflowAnswer<T>> {
    const url = `${this.connection.baseUrl}/api/2.0/mlflow/${path}?${new URLSearchParams(query)}`;
    const response = await this.#request(url, `GET /api/2.0/mlflow/${path}`);
    const text = await response.text();
    if (response.ok) {
      try {
        return { ok: true, body: JSON.parse(text) as T };
      } catch {
        throw notMlflow(this.connection, `GET /api/2.0/mlflow/${path}`, response, text);
      }
    }
    return { ok: false, failure: failureOf(response, text) };
  }

  /** The bytes of a URL under the server (an artifact download), failing clearly on any non-2xx answer. */
  async bytes(url: string, what: string): Promise<Buffer> {
    const response = await this.#request(url, what);
    const body = Buffer.from(await response.arrayBuffer());
    if (response.ok) return body;
    const failure = failureOf(response, body.toString('utf8'));
    throw new SluiceError(
      'MODEL_REGISTRY_ARTIFACT',
      `MLflow at ${this.connection.trackingUri} could not give ${what}: HTTP ${failure.status}${failure.errorCode ? ` ${failure.errorCode}` : ''}: ${failure.message}`,
      { retryable: failure.status >= 500 && failure.status !== 501 },
    );
  }

  /** A GET with retries: failures in transit and 5xx answers are tried again; 401/403 fail at once with a hint. */
  async #request(url: string, what: string): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.connection.authorization) headers.authorization = this.connection.authorization;
    let last: unknown;
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      if (attempt > 1) await sleep(250 * 3 ** (attempt - 2));
      let response: Response;
      try {
        response = await this.#fetch(url, { headers, signal: AbortSignal.timeout(this.#timeoutMs) });
      } catch (error) {
        last = error;
        continue;
      }
      if (response.status === 401 || response.status === 403) throw this.#authError(response.status, what);
      if (response.status >= 500 && response.status !== 501 && attempt < this.#attempts) {
        last = new Error(`HTTP ${response.status}`);
        await response.arrayBuffer().catch(() => undefined);
        continue;
      }
      return response;
    }
    throw unreachable(this.connection, what, last, this.#attempts);
  }

  #authError(status: number, what: string): SluiceError {
    const { trackingUri, credentialsFrom } = this.connection;
    const reason =
      status === 401
        ? `HTTP 401: the credentials (${credentialsFrom === 'none' ? 'none given' : `from ${credentialsFrom}`}) were not accepted`
        : `HTTP 403: the credentials (from ${credentialsFrom}) may not read this model`;
    return new SluiceError(
      'MODEL_REGISTRY_AUTH',
      `MLflow at ${trackingUri} refused ${what}: ${reason}; set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN (in AWS: the DataPipeline's mlflow.credentials secret)`,
    );
  }
}

/** MLflow's error answer: `{"error_code", "message"}` when JSON, else the first line of text of an HTML page. */
export function failureOf(response: Pick<Response, 'status' | 'headers'>, text: string): MlflowFailure {
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (typeof body.error_code === 'string' || typeof body.message === 'string') {
      return {
        status: response.status,
        ...(typeof body.error_code === 'string' ? { errorCode: body.error_code } : {}),
        message: typeof body.message === 'string' ? body.message : text.slice(0, 200),
      };
    }
  } catch {
    // Not JSON: Flask's and proxies' error pages are HTML.
  }
  const plain = text
    .replace(/<title>.*?<\/title>/is, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { status: response.status, message: plain.slice(0, 200) || `(${response.headers.get('content-type') ?? 'no'} body)` };
}

function unreachable(connection: MlflowConnection, what: string, error: unknown, attempts: number): SluiceError {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const name = (error as Error | undefined)?.name;
  const reason =
    name === 'TimeoutError' || name === 'AbortError'
      ? 'no answer in time'
      : (cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error)));
  return new SluiceError(
    'MODEL_REGISTRY_UNREACHABLE',
    `the MLflow registry at ${connection.trackingUri} is unreachable (${what}: ${reason}, ${attempts} tries); no row was scored`,
    { cause: error, retryable: true },
  );
}

function notMlflow(connection: MlflowConnection, what: string, response: Response, text: string): SluiceError {
  return new SluiceError(
    'MODEL_REGISTRY_NOT_MLFLOW',
    `${connection.trackingUri} does not answer like an MLflow tracking server: ${what} gave HTTP ${response.status} ${response.headers.get('content-type') ?? ''} (${failureOf(response, text).message.slice(0, 80)})`,
  );
}

/** The error for a 4xx the caller did not expect: a missing route means the URL is not an MLflow server's API. */
export function unexpectedAnswer(connection: MlflowConnection, what: string, failure: MlflowFailure): SluiceError {
  if (failure.status === 404 && failure.errorCode === undefined) {
    return new SluiceError(
      'MODEL_REGISTRY_NOT_MLFLOW',
      `${connection.trackingUri} does not answer like an MLflow tracking server: ${what} is not found there (HTTP 404, not an MLflow error); check MLFLOW_TRACKING_URI`,
    );
  }
  return new SluiceError(
    'MODEL_REGISTRY_ERROR',
    `MLflow at ${connection.trackingUri} answered ${what} with HTTP ${failure.status}${failure.errorCode ? ` ${failure.errorCode}` : ''}: ${failure.message}`,
  );
}
