import { describe, expect, it } from 'vitest';
import {
  PRODUCER,
  datasetEvent,
  isSluiceError,
  jobEvent,
  parseLineageEvent,
  runEvent,
  serializeEvent,
  uuidv7,
} from '../../lineage/index.ts';
import { DatasetEventSchema, JobEventSchema, RunEventSchema } from '../../lineage/client/event.ts';
import { schemaDatasetFacet } from '../../lineage/client/facets.ts';
import { lineageEventKind } from '../../lineage/client/parse-event.ts';
import { validateOpenLineageEvent } from '../support/openlineage-validator.ts';

const job = { namespace: 'sluice', name: 'churn.ingest' };

describe('event builders', () => {
  it('does fill eventTime, producer and the fragment schemaURL when building a RunEvent', () => {
    const event = runEvent({ eventType: 'START', run: { runId: uuidv7() }, job });
    expect(event.schemaURL).toBe('https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent');
    expect(event.producer).toBe(PRODUCER);
    expect(new Date(event.eventTime).toISOString()).toBe(event.eventTime);
    expect(validateOpenLineageEvent(event)).toEqual([]);
    expect(RunEventSchema.parse(event)).toEqual(event);
  });

  it('does keep a given eventTime and producer and write a Date in ISO form', () => {
    const at = new Date('2025-06-01T10:15:42.120Z');
    const event = runEvent({ eventType: 'COMPLETE', eventTime: at, producer: 'https://example.com/x', run: { runId: uuidv7() }, job });
    expect(event.eventTime).toBe('2025-06-01T10:15:42.120Z');
    expect(event.producer).toBe('https://example.com/x');
  });

  it('does build JobEvents and DatasetEvents that validate and are told apart by schemaURL', () => {
    const j = jobEvent({ job, inputs: [{ namespace: 's3://b', name: 'raw/events' }] });
    const d = datasetEvent({
      dataset: { namespace: 's3://b', name: 'raw/events', facets: { schema: schemaDatasetFacet({ fields: [{ name: 'id' }] }) } },
    });
    expect(j.schemaURL.endsWith('#/$defs/JobEvent')).toBe(true);
    expect(d.schemaURL.endsWith('#/$defs/DatasetEvent')).toBe(true);
    expect(validateOpenLineageEvent(j)).toEqual([]);
    expect(validateOpenLineageEvent(d)).toEqual([]);
    expect(JobEventSchema.parse(j)).toEqual(j);
    expect(DatasetEventSchema.parse(d)).toEqual(d);
    expect([lineageEventKind(j), lineageEventKind(d)]).toEqual(['JobEvent', 'DatasetEvent']);
    expect(lineageEventKind({ run: {}, job })).toBe('RunEvent');
  });

  it('does drop nulls and undefined recursively when serialising', () => {
    const event = runEvent({
      eventType: 'START',
      run: { runId: uuidv7(), facets: undefined },
      job,
      inputs: [{ namespace: 'a', name: 'b', facets: { x: null } } as never],
    });
    const json = serializeEvent(event);
    expect(json).not.toContain('null');
    expect(JSON.parse(json).inputs).toEqual([{ namespace: 'a', name: 'b', facets: {} }]);
  });

  it('does drop nulls in lists, and keeps strings that read like null, when serialising', () => {
    const event = runEvent({
      eventType: 'START',
      run: { runId: uuidv7(), facets: { tags: { list: [null, 'x:null,', undefined, 'a'] } } as never },
      job,
    });
    expect(JSON.parse(serializeEvent(event)).run.facets.tags).toEqual({ list: ['x:null,', 'a'] });
    const plain = runEvent({ eventType: 'START', run: { runId: uuidv7(), facets: { note: { text: '[null]' } } as never }, job });
    expect(JSON.parse(serializeEvent(plain)).run.facets.note).toEqual({ text: '[null]' });
  });
});

describe('parseLineageEvent', () => {
  const valid = () => runEvent({ eventType: 'START', run: { runId: uuidv7() }, job: { ...job } });

  it.each([
    ['a bad runId', (e: Record<string, any>) => (e.run.runId = 'run-1'), 'run.runId: expected a UUID (8-4-4-4-12 hex), got "run-1"'],
    [
      'an eventTime without a time zone',
      (e: Record<string, any>) => (e.eventTime = '2025-06-01T10:00:00'),
      'eventTime: expected an RFC 3339 date-time with a time zone, like 2025-06-01T10:15:42.120Z, got "2025-06-01T10:00:00"',
    ],
    [
      'an unknown eventType',
      (e: Record<string, any>) => (e.eventType = 'DONE'),
      'eventType: expected one of "START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER", got "DONE"',
    ],
    [
      'an empty job namespace',
      (e: Record<string, any>) => (e.job.namespace = ''),
      'job.namespace: expected a non-empty job namespace, got ""',
    ],
    [
      'a facet without _schemaURL',
      (e: Record<string, any>) => (e.run.facets = { x: { _producer: PRODUCER } }),
      'run.facets.x._schemaURL: missing; expected a string',
    ],
    [
      'a relative producer',
      (e: Record<string, any>) => (e.producer = 'sluice'),
      'producer: expected the event producer as an absolute URI, got "sluice"',
    ],
  ])('fails when the event has %s', (_what, mutate, message) => {
    const event = valid() as Record<string, any>;
    mutate(event);
    let error: unknown;
    try {
      parseLineageEvent(event);
    } catch (e) {
      error = e;
    }
    expect(isSluiceError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('LINEAGE_EVENT_INVALID');
    expect((error as Error).message).toBe(`invalid OpenLineage RunEvent: ${message}`);
  });

  it('fails when a JobEvent carries a run', () => {
    const event = { ...jobEvent({ job }), run: { runId: uuidv7() } };
    expect(() => parseLineageEvent(event)).toThrow(
      'invalid OpenLineage JobEvent: run: not allowed in a JobEvent (send a RunEvent for a run), got an object',
    );
  });
});
