import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

/** What the server answered; the body is read up to 64 KiB for error messages. */
export type HttpAnswer = { status: number; statusText: string; headers: IncomingHttpHeaders; body: string };

/** A request that got no complete answer; `phase` tells whether the connection was ever established. */
export class HttpAttemptError extends Error {
  readonly phase: 'connect' | 'read';
  readonly aborted: boolean;

  constructor(message: string, phase: 'connect' | 'read', aborted: boolean, cause?: unknown) {
    super(message, { cause });
    this.name = 'HttpAttemptError';
    this.phase = phase;
    this.aborted = aborted;
  }
}

const MAX_BODY = 64 * 1024;

/** Options of one POST. */
export type PostOptions = { timeoutMs: number; signal?: AbortSignal | undefined; rejectUnauthorized: boolean };

/** POSTs `body` once; resolves with any answer, rejects with {@link HttpAttemptError} on connection errors, timeout or abort. */
export function postOnce(url: URL, body: Buffer, headers: Record<string, string>, options: PostOptions): Promise<HttpAnswer> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    let failure: HttpAttemptError | undefined;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const fail = (error: unknown) => {
      const reason = failure ?? new HttpAttemptError(describeSocketError(error), connected ? 'read' : 'connect', false, error);
      finish(() => reject(reason));
    };

    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(body.length) },
        ...(url.protocol === 'https:' ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          finish(() =>
            resolve({
              status: response.statusCode ?? 0,
              statusText: response.statusMessage ?? '',
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY),
            }),
          ),
        );
        response.on('error', fail);
        response.on('close', () => {
          if (!response.complete) fail(new Error('connection closed before the answer was complete'));
        });
      },
    );
    request.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    request.on('error', fail);

    const stop = (error: HttpAttemptError) => {
      failure = error;
      request.destroy(error);
    };
    const timer = setTimeout(
      () => stop(new HttpAttemptError(`no answer within ${options.timeoutMs} ms`, connected ? 'read' : 'connect', false)),
      options.timeoutMs,
    );
    const onAbort = () => stop(new HttpAttemptError(`aborted: ${abortReason(options.signal)}`, connected ? 'read' : 'connect', true));
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}

/** The message of an abort reason (`AbortSignal.timeout` gives a TimeoutError). */
export function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted by the caller' : String(reason);
}

function describeSocketError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
