import { z } from 'zod';
import { UUID_PATTERN as UUID } from '../../core/identifiers.ts';

/** `schemaURL` of the core OpenLineage spec this client implements; events append `#/$defs/<Kind>`. */
export const OPENLINEAGE_SPEC_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';

// Same shape as the JSON Schema `uuid` format, without the optional `urn:uuid:` prefix.

const uri = (what: string) => z.url({ error: `expected ${what} as an absolute URI` });
const nonEmpty = (what: string) => z.string({ error: `expected ${what} as a string` }).min(1, { error: `expected a non-empty ${what}` });

/** Fields every facet carries; anything else in a facet is free-form. */
export const FacetSchema = z.looseObject({
  _producer: uri('the facet producer'),
  _schemaURL: uri('the facet schema URL'),
});
/** A facet of any kind: `_producer`, `_schemaURL` and its own fields. */
export type Facet = z.infer<typeof FacetSchema>;

/** A job or dataset facet, which may be tombstoned with `_deleted: true`. */
export const DeletableFacetSchema = FacetSchema.extend({ _deleted: z.boolean().optional() });
/** A job or dataset facet. */
export type DeletableFacet = z.infer<typeof DeletableFacetSchema>;

const facets = <T extends z.ZodType>(facet: T) => z.record(z.string(), facet).optional();

/** Run state transitions (see the OpenLineage run cycle). */
export const EventTypeSchema = z.enum(['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER']);
/** One of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER. */
export type EventType = z.infer<typeof EventTypeSchema>;

/** A run: its UUID and run facets. */
export const RunSchema = z.looseObject({
  runId: z.string({ error: 'expected a UUID string' }).regex(UUID, { error: 'expected a UUID (8-4-4-4-12 hex)' }),
  facets: facets(FacetSchema),
});
/** A run: its UUID and run facets. */
export type Run = z.infer<typeof RunSchema>;

/** A job: `(namespace, name)` identity and job facets. */
export const JobSchema = z.looseObject({
  namespace: nonEmpty('job namespace'),
  name: nonEmpty('job name'),
  facets: facets(DeletableFacetSchema),
});
/** A job: `(namespace, name)` identity and job facets. */
export type Job = z.infer<typeof JobSchema>;

/** A dataset: `(namespace, name)` identity and dataset facets. */
export const DatasetSchema = z.looseObject({
  namespace: nonEmpty('dataset namespace'),
  name: nonEmpty('dataset name'),
  facets: facets(DeletableFacetSchema),
});
/** A dataset: `(namespace, name)` identity and dataset facets. */
export type Dataset = z.infer<typeof DatasetSchema>;

/** A dataset a run read, with facets about what this run read (`inputFacets`). */
export const InputDatasetSchema = DatasetSchema.extend({ inputFacets: facets(FacetSchema) });
/** A dataset a run read. */
export type InputDataset = z.infer<typeof InputDatasetSchema>;

/** A dataset a run wrote, with facets about what this run wrote (`outputFacets`). */
export const OutputDatasetSchema = DatasetSchema.extend({ outputFacets: facets(FacetSchema) });
/** A dataset a run wrote. */
export type OutputDataset = z.infer<typeof OutputDatasetSchema>;

const base = {
  eventTime: z.iso.datetime({ offset: true, error: 'expected an RFC 3339 date-time with a time zone, like 2025-06-01T10:15:42.120Z' }),
  producer: uri('the event producer'),
  schemaURL: uri('the event schema URL'),
};
const ios = {
  inputs: z.array(InputDatasetSchema).optional(),
  outputs: z.array(OutputDatasetSchema).optional(),
};

/** A runtime observation of one run (spec 2-0-2 `RunEvent`); unknown top-level keys are kept, as the spec allows. */
export const RunEventSchema = z.looseObject({
  ...base,
  eventType: EventTypeSchema.optional(),
  run: RunSchema,
  job: JobSchema,
  ...ios,
});
/** A runtime observation of one run. */
export type RunEvent = z.infer<typeof RunEventSchema>;

/** Design-time job metadata (spec 2-0-2 `JobEvent`); must not carry a `run`. */
export const JobEventSchema = z.looseObject({ ...base, job: JobSchema, ...ios }).superRefine((event, ctx) => {
  if (event['run'] !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['run'], input: event['run'], message: 'not allowed in a JobEvent (send a RunEvent for a run)' });
  }
});
/** Design-time job metadata. */
export type JobEvent = z.infer<typeof JobEventSchema>;

/** Design-time dataset metadata (spec 2-0-2 `DatasetEvent`); must not carry both `job` and `run`. */
export const DatasetEventSchema = z.looseObject({ ...base, dataset: DatasetSchema }).superRefine((event, ctx) => {
  if (event['job'] !== undefined && event['run'] !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['run'], input: event['run'], message: 'a DatasetEvent must not carry both job and run' });
  }
});
/** Design-time dataset metadata. */
export type DatasetEvent = z.infer<typeof DatasetEventSchema>;

/** Any of the three event kinds. */
export type LineageEvent = RunEvent | JobEvent | DatasetEvent;

/** The kind of an event, by `schemaURL` suffix first (as Marquez does), then by structure. */
export type LineageEventKind = 'RunEvent' | 'JobEvent' | 'DatasetEvent';
