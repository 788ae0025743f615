import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransport, OpenLineageClient, SafeEmitter, runEvent, uuidv7 } from '../../lineage/index.ts';
import type { LineageEvent } from '../../lineage/index.ts';
import { refusedUrl, startLineageServer } from './lineage-server.ts';
import type { LineageServer } from './lineage-server.ts';

const event = () => runEvent({ eventType: 'START', run: { runId: uuidv7() }, job: { namespace: 'sluice', name: 'churn.ingest' } });

let server: LineageServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function recorder() {
  const errors: string[] = [];
  const undelivered: LineageEvent[] = [];
  return {
    errors,
    undelivered,
    options: { onError: (m: string) => errors.push(m), onUndelivered: (e: LineageEvent) => void undelivered.push(e) },
  };
}

describe('SafeEmitter', () => {
  it('does report delivery when the server accepts the event', async () => {
    server = await startLineageServer();
    const emitter = new SafeEmitter(new OpenLineageClient({ env: { OPENLINEAGE_URL: server.url } }));
    await expect(emitter.emit(event())).resolves.toEqual({ delivered: true });
    expect(emitter.stats()).toEqual({ delivered: 1, failed: 0, outboxed: 0, inFlight: 0 });
  });

  it('does not reject when the server is down (connection refused)', async () => {
    const url = await refusedUrl();
    const { errors, undelivered, options } = recorder();
    const client = new OpenLineageClient({
      transport: new HttpTransport({ url, auth: { type: 'api_key', apiKey: 'k-secret' }, retry: { backoff_factor: 0.01 } }),
    });
    const emitter = new SafeEmitter(client, options);
    const e = event();
    const result = await emitter.emit(e);
    expect(result.delivered).toBe(false);
    expect(result.error).toMatch(/ECONNREFUSED/);
    expect(emitter.stats()).toEqual({ delivered: 0, failed: 1, outboxed: 0, inFlight: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(`^lineage event START churn.ingest run ${e.run.runId} not delivered to http ${url}/api/v1/lineage: `),
    );
    expect(errors.join('')).not.toContain('k-secret');
    expect(undelivered).toEqual([e]);
  });

  it('does resolve with delivered false by the deadline when the server hangs', async () => {
    server = await startLineageServer(['hang', 'hang', 'hang']);
    const { errors, options } = recorder();
    const emitter = new SafeEmitter(new OpenLineageClient({ env: { OPENLINEAGE_URL: server.url } }), { ...options, deadlineMs: 200 });
    const result = await emitter.emit(event());
    expect(result).toEqual({ delivered: false, error: expect.stringContaining('200 ms deadline') as unknown as string });
    expect(errors).toHaveLength(1);
  });

  it('does not reject when the event is invalid, the emitter throws synchronously or the hooks throw', async () => {
    const thrower = {
      emit: () => {
        throw new Error('sync boom');
      },
    };
    const emitter = new SafeEmitter(thrower as never, {
      onError: () => {
        throw new Error('reporter broken');
      },
      onUndelivered: async () => {
        throw new Error('outbox broken');
      },
    });
    await expect(emitter.emit(event())).resolves.toEqual({ delivered: false, error: 'sync boom' });
    const invalid = new SafeEmitter(new OpenLineageClient({ transport: { emit: async () => {} } }), { onError: () => {} });
    const result = await invalid.emit({ ...event(), run: { runId: 'nope' } });
    expect(result.delivered).toBe(false);
    expect(result.error).toMatch(/^invalid OpenLineage RunEvent: run.runId/);
  });

  it('does mask credentials that a custom transport puts in its message', async () => {
    const { errors, options } = recorder();
    const leaky = { emit: async () => Promise.reject(new Error('401 for Bearer abc.def with api_key=xyz at https://u:p@h/x')) };
    const result = await new SafeEmitter(leaky, options).emit(event());
    expect(result.error).toBe('401 for Bearer *** with api_key=*** at https://***@h/x');
    expect(errors.join('')).not.toMatch(/abc\.def|xyz|u:p/);
  });

  it('fails at construction when the deadline is not a positive number', () => {
    expect(() => new SafeEmitter({ emit: async () => {} }, { deadlineMs: 0 })).toThrow(
      'invalid lineage configuration (SafeEmitter options): deadlineMs: expected a number of milliseconds > 0, got 0',
    );
  });

  it('does write one warning line to stderr by default', async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await new SafeEmitter({ emit: async () => Promise.reject(new Error('down')) }).emit(event());
    } finally {
      process.stderr.write = original;
    }
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^sluice: warning: lineage event START churn.ingest run [0-9a-f-]+ not delivered: down\n$/);
  });
});
