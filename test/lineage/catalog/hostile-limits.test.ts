import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { hostileRequests, sendRaw } from '../../support/hostile-requests.ts';

describe('the catalog against requests that could hurt every other client', () => {
  let catalog: CatalogServer;
  beforeAll(async () => {
    catalog = await startCatalogServer({ port: 0 });
  });
  afterAll(async () => {
    await catalog?.close();
  });

  it.each(hostileRequests().map((r) => [r.name, r] as const))(
    'answers %s with a small 4xx or as allowed, never a 5xx',
    async (_name, r) => {
      const answer = await sendRaw(catalog.url, r);
      expect(r.expect, answer.text.slice(0, 300)).toContain(answer.status);
      if (r.maxAnswerBytes !== undefined) expect(answer.bytes).toBeLessThanOrEqual(r.maxAnswerBytes);
    },
  );

  it('keeps facets named __proto__ or constructor as facets, and serves the run and job afterwards', async () => {
    const proto = hostileRequests().find((r) => r.name.startsWith('__proto__'))!;
    expect((await sendRaw(catalog.url, proto)).status).toBe(201);
    const job = await sendRaw(catalog.url, { method: 'GET', path: '/api/v1/namespaces/hostile/jobs/proto' });
    expect(job.status).toBe(200);
    const runs = await sendRaw(catalog.url, { method: 'GET', path: '/api/v1/namespaces/hostile/jobs/proto/runs' });
    expect(runs.status).toBe(200);
    const facets = JSON.parse(runs.text).runs[0].facets;
    expect(Object.keys(facets)).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'toString']));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stores nothing a forged browser request sent', async () => {
    const jobs = await sendRaw(catalog.url, { method: 'GET', path: '/api/v1/namespaces/hostile/jobs' });
    expect(jobs.text).not.toMatch(/forged/);
  });
});
