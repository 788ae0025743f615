import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore, startCatalogServer, type CatalogServer } from '../../../lineage/catalog/index.ts';

const event = (name: string) =>
  JSON.stringify({
    eventType: 'COMPLETE',
    eventTime: '2026-12-01T00:00:00Z',
    run: { runId: '01934a57-0000-7000-8000-000000000001' },
    job: { namespace: 'origins', name },
    inputs: [],
    outputs: [],
    producer: 'https://example.com/test',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  });

describe('writes from web pages', () => {
  let dir: string;
  let server: CatalogServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-origins-'));
    server = await startCatalogServer({
      store: new CatalogStore(join(dir, 'catalog.db')),
      port: 0,
      allowedOrigins: ['http://127.0.0.1:3000'],
    });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (origin: string) =>
    fetch(`${server.url}/api/v1/lineage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: event('job'),
    });

  it('are accepted from an allowed origin and refused from any other, naming --allow-origin', async () => {
    expect((await post('http://127.0.0.1:3000')).status).toBe(201);
    const refused = await post('http://127.0.0.1:3001');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("name a page's origin with --allow-origin");
  });
});
