import { OPENLINEAGE_SPEC_URL } from './event.ts';
import type { Dataset, DatasetEvent, EventType, InputDataset, Job, JobEvent, OutputDataset, Run, RunEvent } from './event.ts';
import { PRODUCER } from './version.ts';

/** Fields a caller may set on any event; `eventTime` defaults to now and `producer` to this client. */
export type EventEnvelope = {
  /** When the event happened; defaults to now. A `Date` is written in ISO form. */
  eventTime?: string | Date;
  /** URI of the emitting code pinned to a version; defaults to {@link PRODUCER}. */
  producer?: string;
};

/** Input of {@link runEvent}: `eventType` is required here although the spec makes it optional (Marquez needs it). */
export type RunEventInput = EventEnvelope & {
  eventType: EventType;
  run: Run;
  job: Job;
  inputs?: InputDataset[];
  outputs?: OutputDataset[];
};

/** Input of {@link jobEvent}. */
export type JobEventInput = EventEnvelope & { job: Job; inputs?: InputDataset[]; outputs?: OutputDataset[] };

/** Input of {@link datasetEvent}. */
export type DatasetEventInput = EventEnvelope & { dataset: Dataset };

/** The `schemaURL` of an event kind, in the fragment form Marquez uses to tell kinds apart. */
export function eventSchemaUrl(kind: 'RunEvent' | 'JobEvent' | 'DatasetEvent'): string {
  return `${OPENLINEAGE_SPEC_URL}#/$defs/${kind}`;
}

function envelope(input: EventEnvelope, kind: 'RunEvent' | 'JobEvent' | 'DatasetEvent') {
  const time = input.eventTime ?? new Date();
  return {
    eventTime: typeof time === 'string' ? time : time.toISOString(),
    producer: input.producer ?? PRODUCER,
    schemaURL: eventSchemaUrl(kind),
  };
}

/** Builds a RunEvent, filling `eventTime`, `producer` and the spec 2-0-2 `schemaURL`. */
export function runEvent(input: RunEventInput): RunEvent {
  const { eventTime: _t, producer: _p, ...body } = input;
  return { ...envelope(input, 'RunEvent'), ...body };
}

/** Builds a JobEvent (design-time job metadata), filling `eventTime`, `producer` and `schemaURL`. */
export function jobEvent(input: JobEventInput): JobEvent {
  const { eventTime: _t, producer: _p, ...body } = input;
  return { ...envelope(input, 'JobEvent'), ...body };
}

/** Builds a DatasetEvent (design-time dataset metadata), filling `eventTime`, `producer` and `schemaURL`. */
export function datasetEvent(input: DatasetEventInput): DatasetEvent {
  const { eventTime: _t, producer: _p, ...body } = input;
  return { ...envelope(input, 'DatasetEvent'), ...body };
}
