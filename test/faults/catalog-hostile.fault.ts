import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileEvent, hostileRequests, sendRaw, type HostileRequest } from '../support/hostile-requests.ts';
import { serveCatalog, type ServedCatalog } from './serve-catalog.ts';
import { tally } from './tally.ts';

const json = { 'content-type': 'application/json' };
const below500 = Array.from({ length: 400 }, (_, i) => 100 + i);

/** Careless rather than hostile: bodies and routes a broken client sends. */
function carelessRequests(): HostileRequest[] {
  const post = (name: string, body: string, expect: readonly number[] = [400, 422]): HostileRequest => ({
    name,
    method: 'POST',
    path: '/api/v1/lineage',
    headers: json,
    body,
    expect,
    maxAnswerBytes: 64 * 1024,
  });
  // Stored as sent, like Marquez: the field is not one OpenLineage defines, or the text is only unusual.
  const stored = [201, 400, 422];
  return [
    post('an empty body', ''),
    post('null', 'null'),
    post('an array of events', JSON.stringify([hostileEvent()])),
    post('a number too large for a double', JSON.stringify(hostileEvent()).replace('"eventTime"', '"x":1e999,"eventTime"'), stored),
    post('an unknown event type', JSON.stringify(hostileEvent({ eventType: 'EXPLODE' }))),
    post('a runId that is not a UUID', JSON.stringify(hostileEvent({ run: { runId: 'DROP TABLE runs' } })), stored),
    post('an eventTime that is not a time', JSON.stringify(hostileEvent({ eventTime: '2026-13-45T99:99:99Z' }))),
    post('a lone surrogate in a name', JSON.stringify(hostileEvent({ job: { namespace: 'x', name: 'a\ud800b' } })), stored),
    post('truncated JSON', JSON.stringify(hostileEvent()).slice(0, 50)),
    { name: 'PUT on the lineage route', method: 'PUT', path: '/api/v1/lineage', headers: json, body: '{}', expect: below500 },
    { name: 'a 60,000-character path', method: 'GET', path: `/api/v1/namespaces/${'x'.repeat(60_000)}`, expect: below500 },
    { name: 'a dataset name of ../', method: 'GET', path: '/api/v1/namespaces/..%2F..%2Fetc/datasets/passwd', expect: below500 },
    { name: 'a negative limit', method: 'GET', path: '/api/v1/jobs?limit=-5&offset=-1', expect: below500 },
    { name: 'a limit of 10^12', method: 'GET', path: '/api/v1/jobs?limit=1000000000000', expect: below500 },
    {
      name: 'lineage of a node that does not exist, depth 10^6',
      method: 'GET',
      path: '/api/v1/lineage?nodeId=job:x:y&depth=1000000',
      expect: below500,
    },
  ];
}

describe('the hostile and careless request set against a served catalog', () => {
  let dir: string;
  let catalog: ServedCatalog;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-hostile-'));
    catalog = await serveCatalog(dir, join(dir, 'catalog.db'));
  });
  afterAll(async () => {
    await catalog?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every request as allowed with a small body, never a 5xx, and keeps serving the others', async () => {
    const requests = [...hostileRequests(), ...carelessRequests()];
    const wrong: string[] = [];
    for (const r of requests) {
      const answer = await sendRaw(catalog.url, r).catch((error: Error) => ({ status: -1, bytes: 0, text: error.message }));
      const small = r.maxAnswerBytes === undefined || answer.bytes <= r.maxAnswerBytes;
      if (!r.expect.includes(answer.status) || answer.status >= 500 || !small)
        wrong.push(`${r.name}: ${answer.status} (${answer.bytes} bytes) ${answer.text.slice(0, 200)}`);
    }
    // Afterwards an ordinary client is served as before.
    const ok = await sendRaw(catalog.url, { method: 'POST', path: '/api/v1/lineage', headers: json, body: JSON.stringify(hostileEvent()) });
    const read = await sendRaw(catalog.url, { method: 'GET', path: '/api/v1/namespaces/hostile/jobs' });
    // What was stored reads back without a 5xx.
    for (const path of [
      '/api/v1/namespaces/x/jobs',
      '/api/v1/jobs?limit=100',
      '/api/v1/search?q=a',
      '/api/v1/namespaces/hostile/jobs/job/runs',
    ]) {
      const answer = await sendRaw(catalog.url, { method: 'GET', path });
      if (answer.status >= 500) wrong.push(`GET ${path} afterwards: ${answer.status} ${answer.text.slice(0, 200)}`);
    }
    tally({
      promise: 'no 5xx',
      scenario: `hostile and careless requests (${requests.length}), one by one, to \`sluice lineage serve\``,
      tried: requests.length,
      held: requests.length - wrong.length,
      lost: wrong.length,
    });
    expect(wrong).toEqual([]);
    expect([ok.status, read.status]).toEqual([201, 200]);
    expect(catalog.child.exitCode).toBeNull();
  });
});
