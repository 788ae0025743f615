import { describe, expect, it } from 'vitest';
import { CatalogStore, ingestEvent } from '../../../lineage/catalog/index.ts';

const PARENT = '0196f5a0-0000-7000-8000-000000000001';
const CHILD = '0196f5a0-0000-7000-8000-000000000002';
const ev = (eventType: string, eventTime: string, over: Record<string, unknown> = {}) => ({
  eventType,
  eventTime,
  producer: 'https://example.com/p',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  run: { runId: CHILD },
  job: { namespace: 'ns', name: 'child' },
  ...over,
});
const parentFacet = {
  parent: {
    _producer: 'https://example.com/p',
    _schemaURL: 'https://example.com/s',
    run: { runId: PARENT },
    job: { namespace: 'ns', name: 'pipe' },
  },
};

function jobs(store: CatalogStore): string[] {
  return store.all<{ name: string }>('SELECT name FROM jobs ORDER BY name').map((r) => r.name);
}

describe('ingestion semantics', () => {
  it('orders run state by event time, not arrival (extension; Marquez #2264)', () => {
    const store = new CatalogStore();
    expect(ingestEvent(store, ev('COMPLETE', '2025-01-01T00:00:05Z')).status).toBe(201);
    ingestEvent(store, ev('START', '2025-01-01T00:00:00Z'));
    const run = store.get<{ state: string; started_at: string; ended_at: string }>('SELECT state, started_at, ended_at FROM runs')!;
    expect({ ...run }).toEqual({ state: 'COMPLETED', started_at: '2025-01-01T00:00:00.000000Z', ended_at: '2025-01-01T00:00:05.000000Z' });
  });

  it('stores a bare child name as parent.child and creates a placeholder parent with the child state', () => {
    const store = new CatalogStore();
    ingestEvent(store, ev('COMPLETE', '2025-01-01T00:00:05Z', { run: { runId: CHILD, facets: parentFacet } }));
    expect(jobs(store)).toEqual(['pipe', 'pipe.child']);
    expect({ ...store.get('SELECT state FROM runs WHERE uuid = ?', PARENT) }).toEqual({ state: 'COMPLETED' });
    // An event named parent.child with the facet hits the same job.
    ingestEvent(
      store,
      ev('COMPLETE', '2025-01-01T00:00:06Z', { job: { namespace: 'ns', name: 'pipe.child' }, run: { runId: CHILD, facets: parentFacet } }),
    );
    expect(jobs(store)).toEqual(['pipe', 'pipe.child']);
  });

  it('accumulates run IO across events into one job version on the terminal event', () => {
    const store = new CatalogStore();
    ingestEvent(store, ev('START', '2025-01-01T00:00:00Z', { inputs: [{ namespace: 's3://b', name: 'in1' }] }));
    ingestEvent(store, ev('COMPLETE', '2025-01-01T00:00:01Z', { outputs: [{ namespace: 's3://b', name: 'out' }] }));
    const io = store.all<{ name: string; direction: string }>(
      'SELECT d.name, v.direction FROM jobs j JOIN job_version_io v ON v.version_uuid = j.current_version JOIN datasets d ON d.uuid = v.dataset_uuid ORDER BY d.name',
    );
    expect(io.map((r) => `${r.direction}:${r.name}`)).toEqual(['in:in1', 'out:out']);
  });

  it('rolls back the whole event when part of it fails', () => {
    const store = new CatalogStore();
    store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON run_io BEGIN SELECT RAISE(ABORT, 'boom'); END");
    expect(() => ingestEvent(store, ev('START', '2025-01-01T00:00:00Z', { inputs: [{ namespace: 's3://b', name: 'in1' }] }))).toThrow(
      /boom/,
    );
    expect(store.get<{ n: number }>('SELECT count(*) AS n FROM jobs')!.n).toBe(0);
    expect(store.get<{ n: number }>('SELECT count(*) AS n FROM lineage_events')!.n).toBe(0);
  });

  it('makes a DatasetEvent version current at once and a JobEvent declare IO', () => {
    const store = new CatalogStore();
    const base = { eventTime: '2025-01-01T00:00:00Z', producer: 'https://example.com/p' };
    expect(
      ingestEvent(store, {
        ...base,
        schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent',
        dataset: { namespace: 's3://b', name: 'd' },
      }).status,
    ).toBe(201);
    expect(store.get<{ v: string | null }>('SELECT current_version AS v FROM datasets')!.v).not.toBeNull();
    expect(
      ingestEvent(store, {
        ...base,
        schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent',
        job: { namespace: 'ns', name: 'j' },
        inputs: [{ namespace: 's3://b', name: 'd' }],
      }).status,
    ).toBe(201);
    expect(store.get<{ n: number }>('SELECT count(*) AS n FROM job_version_io')!.n).toBe(1);
  });
});
