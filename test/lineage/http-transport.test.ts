import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, LineageTransportError, isSluiceError, runEvent, uuidv7 } from '../../lineage/index.ts';
import type { RunEvent } from '../../lineage/index.ts';
import { refusedUrl, startLineageServer } from './lineage-server.ts';
import type { LineageServer, Reply } from './lineage-server.ts';

const event = (): RunEvent =>
  runEvent({ eventType: 'START', run: { runId: uuidv7() }, job: { namespace: 'sluice', name: 'churn.ingest' } });
const fastRetry = { backoff_factor: 0.01 };

let server: LineageServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const start = async (replies: Reply[] = []) => (server = await startLineageServer(replies));

async function failure(promise: Promise<unknown>): Promise<LineageTransportError> {
  try {
    await promise;
  } catch (error) {
    expect(isSluiceError(error)).toBe(true);
    return error as LineageTransportError;
  }
  throw new Error('expected a rejection');
}

describe('HttpTransport', () => {
  it('does POST the event as JSON with the Bearer token and custom headers', async () => {
    const { url, requests } = await start();
    const e = event();
    await new HttpTransport({ url, auth: { type: 'api_key', apiKey: 'k-123' }, custom_headers: { 'X-Team': 'data' } }).emit(e);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/api/v1/lineage');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['authorization']).toBe('Bearer k-123');
    expect(request?.headers['x-team']).toBe('data');
    expect(JSON.parse(request?.body ?? '')).toEqual(e);
  });

  it('does gzip the body and say so when compression is gzip', async () => {
    const { url, requests } = await start();
    const e = event();
    await new HttpTransport({ url, compression: 'gzip' }).emit(e);
    expect(requests[0]?.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(requests[0]?.body ?? '')).toEqual(e);
  });

  it('does deliver once after retries when the server answers 503 twice then 201', async () => {
    const { url, requests } = await start([{ status: 503 }, { status: 503 }, { status: 201 }]);
    await new HttpTransport({ url, retry: fastRetry }).emit(event());
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
  });

  it('does accept any 2xx answer as success', async () => {
    const { url } = await start([{ status: 204 }]);
    await expect(new HttpTransport({ url }).emit(event())).resolves.toBeUndefined();
  });

  it('does retry a 429 after the Retry-After delay', async () => {
    const { url, requests } = await start([{ status: 429, headers: { 'Retry-After': '0' } }]);
    await new HttpTransport({ url }).emit(event());
    expect(requests).toHaveLength(2);
  });

  it('does follow a same-origin 307 redirect', async () => {
    const { url, requests } = await start([{ status: 307, headers: { Location: '/moved/lineage' } }]);
    await new HttpTransport({ url }).emit(event());
    expect(requests.map((r) => r.url)).toEqual(['/api/v1/lineage', '/moved/lineage']);
  });

  it('fails without retrying when the server answers 400, naming the status and the response text', async () => {
    const { url, requests } = await start([{ status: 400, body: `{"code":400,"message":"eventTime: ${'x'.repeat(400)}"}` }]);
    const error = await failure(new HttpTransport({ url, auth: { type: 'api_key', apiKey: 'k-123' } }).emit(event()));
    expect(requests).toHaveLength(1);
    expect(error.code).toBe('LINEAGE_TRANSPORT');
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      new RegExp(
        `^http transport ${url}/api/v1/lineage: answered 400 Bad Request: \\{"code":400,"message":"eventTime: x+… \\(\\d+ characters\\) \\(not retried: the server rejected the event\\)$`,
      ),
    );
    expect(error.message).not.toContain('k-123');
  });

  it('fails after the configured retries when the server keeps answering 500', async () => {
    const { url, requests } = await start([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const error = await failure(new HttpTransport({ url, retry: { ...fastRetry, total: 2 } }).emit(event()));
    expect(requests).toHaveLength(3);
    expect(error.attempts).toBe(3);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      `http transport ${url}/api/v1/lineage: answered 500 Internal Server Error: (empty body) (after 3 attempt(s))`,
    );
  });

  it('fails after retrying when the connection is refused', async () => {
    const url = await refusedUrl();
    const error = await failure(new HttpTransport({ url, retry: { ...fastRetry, connect: 2 } }).emit(event()));
    expect(error.attempts).toBe(3);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/could not deliver the event after 3 attempt\(s\): .*ECONNREFUSED/);
  });

  it('fails when an attempt gets no answer within the timeout', async () => {
    const { url } = await start(['hang']);
    const error = await failure(new HttpTransport({ url, timeout: 0.1, retry: { total: 0 } }).emit(event()));
    expect(error.message).toBe(
      `http transport ${url}/api/v1/lineage: could not deliver the event after 1 attempt(s): no answer within 100 ms`,
    );
  });

  it('fails with LINEAGE_ABORTED when the caller aborts', async () => {
    const { url } = await start(['hang']);
    const error = await failure(new HttpTransport({ url }).emit(event(), { signal: AbortSignal.timeout(50) }));
    expect(error.code).toBe('LINEAGE_ABORTED');
    expect(error.message).toMatch(/delivery aborted: /);
  });

  it.each([
    ['http://h:5000', 'api/v1/lineage', 'http://h:5000/api/v1/lineage'],
    ['http://h:5000/base', 'api/v1/lineage', 'http://h:5000/api/v1/lineage'],
    ['http://h:5000/base/', 'api/v1/lineage', 'http://h:5000/base/api/v1/lineage'],
    ['http://h:5000/base/', '/api/v1/lineage', 'http://h:5000/api/v1/lineage'],
    ['https://h/base/', '', 'https://h/base/'],
  ])('does join %s and %s like Python urljoin', (url, endpoint, expected) => {
    expect(new HttpTransport({ url, endpoint }).target.href).toBe(expected);
  });

  it('does describe itself without credentials or query values', () => {
    const transport = new HttpTransport({
      url: 'https://user:pw@lineage.example.com/',
      endpoint: 'api/v1/lineage?token=abc',
      auth: { type: 'api_key', apiKey: 'k' },
    });
    expect(transport.describe()).toBe('http https://lineage.example.com/api/v1/lineage?…');
  });

  it('fails when constructed with an invalid url', () => {
    expect(() => new HttpTransport({ url: 'ftp://x' })).toThrow(
      'invalid lineage configuration (http transport): transport.url: expected an http(s) URL, got "ftp://x"',
    );
  });
});
