import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineageConfigError, OpenLineageClient, isSluiceError, runEvent, uuidv7 } from '../../lineage/index.ts';
import type { LineageEvent, Transport } from '../../lineage/index.ts';
import { startLineageServer } from './lineage-server.ts';
import type { LineageServer } from './lineage-server.ts';

const event = () => runEvent({ eventType: 'START', run: { runId: uuidv7() }, job: { namespace: 'sluice', name: 'churn' } });

class Recording implements Transport {
  readonly seen: LineageEvent[] = [];
  async emit(e: LineageEvent): Promise<void> {
    this.seen.push(e);
  }
}

let server: LineageServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('OpenLineageClient', () => {
  it('does use the explicit transport when one is given', async () => {
    const transport = new Recording();
    const client = new OpenLineageClient({ transport, env: { OPENLINEAGE_URL: 'http://ignored:5000' } });
    const e = event();
    await client.emit(e);
    expect(transport.seen).toEqual([e]);
    expect(client.describe()).toBe('custom transport (Recording)');
  });

  it('does discard events when OPENLINEAGE_DISABLED is true, even with an explicit transport', async () => {
    const transport = new Recording();
    const client = new OpenLineageClient({ transport, env: { OPENLINEAGE_DISABLED: 'true' } });
    await client.emit({ ...event(), eventTime: 'not a time' });
    expect(transport.seen).toEqual([]);
    expect(client.describe()).toBe('noop (events are discarded: OPENLINEAGE_DISABLED=true)');
  });

  it('does send to the http endpoint configured by the legacy variables, describing it without the key', async () => {
    server = await startLineageServer();
    const client = new OpenLineageClient({ env: { OPENLINEAGE_URL: server.url, OPENLINEAGE_API_KEY: 'k-secret' } });
    await client.emit(event());
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer k-secret');
    expect(client.describe()).toBe(`http ${server.url}/api/v1/lineage`);
  });

  it('does let constructor config win over the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-client-'));
    try {
      const path = join(dir, 'events.jsonl');
      const client = new OpenLineageClient({
        config: { transport: { type: 'file', log_file_path: path, append: true } },
        env: { OPENLINEAGE__TRANSPORT__TYPE: 'http', OPENLINEAGE__TRANSPORT__URL: 'http://unused:5000' },
      });
      const e = event();
      await client.emit(e);
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(e);
      expect(client.describe()).toBe(`file ${path}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does fall back to the console with a warning when nothing is configured', async () => {
    // The warning is recorded, not printed: process.emitWarning is what prints it.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const client = new OpenLineageClient({ env: {} });
      expect(client.describe()).toBe('console (stderr)');
      await new Promise((resolve) => setImmediate(resolve));
      expect(emitWarning.mock.calls.map(([w, o]) => ({ message: String(w), code: (o as { code?: string } | undefined)?.code }))).toEqual([
        {
          message: 'no OpenLineage transport configured (set OPENLINEAGE_URL or OPENLINEAGE__TRANSPORT__TYPE); lineage events go to stderr',
          code: 'SLUICE_LINEAGE_NO_TRANSPORT',
        },
      ]);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('fails at construction when the configuration is invalid', () => {
    expect(() => new OpenLineageClient({ env: { OPENLINEAGE__TRANSPORT__TYPE: 'http' } })).toThrow(LineageConfigError);
  });

  it('fails when the event is invalid, before sending it', async () => {
    const transport = new Recording();
    const error = await new OpenLineageClient({ transport }).emit({ ...event(), run: { runId: 'x' } }).catch((e: unknown) => e);
    expect(isSluiceError(error) && error.code).toBe('LINEAGE_EVENT_INVALID');
    expect(transport.seen).toEqual([]);
  });

  it('fails when the server rejects the event', async () => {
    server = await startLineageServer([{ status: 422, body: 'missing job name' }]);
    const client = new OpenLineageClient({ config: { transport: { type: 'http', url: server.url } } });
    await expect(client.emit(event())).rejects.toThrow(/answered 422 Unprocessable Entity: missing job name \(not retried/);
  });
});
