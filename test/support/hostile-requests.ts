/** One request a hostile or careless client may send the catalog, and the status range it must get. */
export interface HostileRequest {
  readonly name: string;
  readonly method: 'POST' | 'GET' | 'PUT';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Acceptable statuses (never a 5xx). */
  readonly expect: readonly number[];
  /** Largest answer body, in bytes. */
  readonly maxAnswerBytes?: number;
}

const RUN_ID = '0196f5a0-8f3a-7c4e-9a51-2b7d3c4e5f61';

/** A valid run event, changed by `over`. */
export function hostileEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventType: 'COMPLETE',
    eventTime: '2025-06-01T10:00:00Z',
    producer: 'https://example.com/producer',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: RUN_ID },
    job: { namespace: 'hostile', name: 'job' },
    inputs: [{ namespace: 's3://in', name: 'a' }],
    outputs: [{ namespace: 's3://out', name: 'b' }],
    ...over,
  };
}

function nested(depth: number): string {
  return `{"eventType":"START","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

const facet = { _producer: 'p', _schemaURL: 'https://example.com/facet.json' };
const json = { 'content-type': 'application/json' };

/** The hostile set: oversized, overbroad, deeply nested, prototype-polluting, browser-forged and misdirected requests. */
export function hostileRequests(): HostileRequest[] {
  const wide = JSON.stringify(
    hostileEvent({ inputs: Array.from({ length: 150_000 }, (_, i) => ({ namespace: 's3://wide', name: `input-${i}` })) }),
  );
  const empties = `{"eventType":"START","eventTime":"2025-06-01T10:00:00Z","producer":"p","run":{"runId":"${RUN_ID}"},"job":{"namespace":"n","name":"j"},"inputs":[${Array(1_000_000).fill('{}').join(',')}]}`;
  const proto = JSON.stringify(
    hostileEvent({
      run: { runId: RUN_ID, facets: { ['__proto__']: { ...facet, polluted: true }, constructor: facet, toString: facet } },
      job: { namespace: 'hostile', name: 'proto', facets: { ['__proto__']: facet } },
      outputs: [{ namespace: 's3://out', name: 'proto', facets: { ['__proto__']: facet, hasOwnProperty: facet } }],
    }),
  );
  const manyFacets = JSON.stringify(
    hostileEvent({ run: { runId: RUN_ID, facets: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, facet])) } }),
  );
  const manyFields = JSON.stringify(
    hostileEvent({
      outputs: [
        {
          namespace: 's3://out',
          name: 'fields',
          facets: { schema: { ...facet, fields: Array.from({ length: 100_000 }, (_, i) => ({ name: `c${i}`, type: 'int' })) } },
        },
      ],
    }),
  );
  const invalid = JSON.stringify(hostileEvent({ inputs: Array.from({ length: 900 }, () => ({ name: 7 })), producer: null }));
  return [
    {
      name: 'an event with 150,000 inputs',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: wide,
      expect: [413, 422],
      maxAnswerBytes: 4096,
    },
    {
      name: '1,000,000 empty inputs',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: empties,
      expect: [413, 422],
      maxAnswerBytes: 4096,
    },
    {
      name: 'JSON nested 5,000 levels',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: nested(5_000),
      expect: [400],
      maxAnswerBytes: 4096,
    },
    {
      name: 'JSON nested 500,000 levels',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: nested(500_000),
      expect: [400, 413],
      maxAnswerBytes: 4096,
    },
    {
      name: '__proto__, constructor and toString facets',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: proto,
      expect: [201],
    },
    {
      name: 'a run with 20,000 facets',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: manyFacets,
      expect: [422],
      maxAnswerBytes: 4096,
    },
    {
      name: 'a schema of 100,000 fields',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: manyFields,
      expect: [422],
      maxAnswerBytes: 4096,
    },
    {
      name: 'an event with 900 invalid inputs',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: invalid,
      expect: [422],
      maxAnswerBytes: 8192,
    },
    {
      name: 'a text/plain POST from another site',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: JSON.stringify(hostileEvent({ job: { namespace: 'hostile', name: 'forged' } })),
      expect: [403, 415],
    },
    {
      name: 'a text/plain POST without an Origin',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(hostileEvent({ job: { namespace: 'hostile', name: 'forged-plain' } })),
      expect: [415],
    },
    {
      name: 'a JSON POST from another site',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: { ...json, origin: 'https://evil.example' },
      body: JSON.stringify(hostileEvent({ job: { namespace: 'hostile', name: 'forged-json' } })),
      expect: [403],
    },
    {
      name: 'a tag PUT from another site',
      method: 'PUT',
      path: '/api/v1/tags/evil',
      headers: { ...json, origin: 'http://evil.example' },
      body: '{}',
      expect: [403],
    },
    { name: 'a read for a rebound host name', method: 'GET', path: '/api/v1/namespaces', headers: { host: 'evil.example' }, expect: [403] },
    {
      name: 'a write for a rebound host name',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: { ...json, host: 'evil.example:5000' },
      body: JSON.stringify(hostileEvent()),
      expect: [403],
    },
    {
      name: 'a body that is not UTF-8',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      expect: [400],
    },
    {
      name: 'numbers past a double',
      method: 'POST',
      path: '/api/v1/lineage',
      headers: json,
      body: JSON.stringify(hostileEvent()).replace('"COMPLETE"', '"COMPLETE","n":1e999999'),
      expect: [201],
    },
    {
      name: 'a lineage walk of a huge depth',
      method: 'GET',
      path: '/api/v1/lineage?nodeId=job:hostile:job&depth=999999999',
      expect: [200, 400],
    },
    {
      name: 'a search of 12,000 characters',
      method: 'GET',
      path: `/api/v1/search?q=${'a'.repeat(12_000)}`,
      expect: [200, 400, 414, 431],
    },
    { name: 'a malformed percent-encoding', method: 'GET', path: '/api/v1/namespaces/%E0%A4%A', expect: [400] },
  ];
}

/** Sends one request as written (Host and Origin included, which fetch would not let through) and reads the answer. */
export async function sendRaw(
  baseUrl: string,
  r: Pick<HostileRequest, 'method' | 'path' | 'headers' | 'body'>,
): Promise<{ status: number; bytes: number; text: string }> {
  const { request } = await import('node:http');
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers: { ...(r.headers ?? {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, bytes: body.length, text: body.toString('utf8', 0, Math.min(body.length, 2000)) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}
