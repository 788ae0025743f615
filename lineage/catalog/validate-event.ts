import type { LineageEventKind } from '../client/event.ts';
import { storedTime } from './times.ts';
import { illegalName, illegalNamespace } from './names.ts';
import { breadthProblems, capProblems } from './event-limits.ts';

type Obj = Record<string, unknown>;

/** A dataset as the catalog ingests it. */
export type IngestDataset = { namespace: string; name: string; facets: Obj; ioFacets: Obj };

/** An event that passed validation, normalised: its time in the stored form (times.ts), facets as objects. */
export type CatalogEvent = {
  kind: LineageEventKind;
  eventTime: string;
  eventType: string | undefined;
  runId: string | undefined;
  runFacets: Obj;
  job: { namespace: string; name: string; facets: Obj } | undefined;
  inputs: IngestDataset[];
  outputs: IngestDataset[];
  dataset: IngestDataset | undefined;
};

/** 400: the body cannot be bound to an event (or names are illegal); 422: every problem of a well-formed but invalid event. */
export type Rejection = { status: 400 | 422; message: string; errors: string[] };

const EVENT_TYPES = new Set(['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER']);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The event kind by the `schemaURL` suffix, as Marquez: DatasetEvent, JobEvent, else RunEvent. */
export function eventKind(body: Obj): LineageEventKind {
  const url = typeof body['schemaURL'] === 'string' ? body['schemaURL'] : '';
  const suffix = url.slice(url.lastIndexOf('/') + 1);
  return suffix === 'DatasetEvent' || suffix === 'JobEvent' ? suffix : 'RunEvent';
}

// Facets Marquez models, with the fields its bean validation requires.
const MODELLED: Record<string, string[]> = {
  parent: ['run.runId', 'job.namespace', 'job.name'],
  parentRun: ['run.runId', 'job.namespace', 'job.name'],
  nominalTime: ['nominalStartTime'],
  documentation: ['description'],
  sql: ['query'],
  jobType: ['processingType', 'integration', 'jobType'],
};

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.')) v = isObj(v) ? v[key] : undefined;
  return v;
}

class Checker {
  readonly bad: string[] = [];
  readonly illegal: string[] = [];

  str(value: unknown, path: string, required = true): string | undefined {
    if (value === undefined || value === null) {
      if (required) this.bad.push(`${path}: must not be null`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.bad.push(`${path}: expected a string, got ${Array.isArray(value) ? 'a list' : typeof value}`);
      return undefined;
    }
    if (required && value.trim() === '') this.bad.push(`${path}: must not be blank`);
    return value;
  }

  facets(value: unknown, path: string): Obj {
    if (value === undefined || value === null) return {};
    if (!isObj(value)) {
      this.bad.push(`${path}: expected an object of facets`);
      return {};
    }
    for (const [name, facet] of Object.entries(value)) {
      if (!isObj(facet)) {
        this.bad.push(`${path}.${name}: expected a facet object`);
        continue;
      }
      // Own entries only: a facet named "__proto__" or "constructor" is just a facet.
      const required = Object.hasOwn(MODELLED, name) ? MODELLED[name] : undefined;
      if (required === undefined && name !== 'schema' && name !== 'symlinks') continue;
      this.str(facet['_producer'], `${path}.${name}._producer`);
      this.str(facet['_schemaURL'], `${path}.${name}._schemaURL`);
      for (const field of required ?? []) this.str(at(facet, field), `${path}.${name}.${field}`);
      if (name === 'schema')
        this.list(facet['fields'], `${path}.schema.fields`, (f, p) => this.str(isObj(f) ? f['name'] : undefined, `${p}.name`));
      if (name === 'symlinks') {
        this.list(facet['identifiers'], `${path}.symlinks.identifiers`, (s, p) => {
          this.str(isObj(s) ? s['namespace'] : undefined, `${p}.namespace`);
          this.str(isObj(s) ? s['name'] : undefined, `${p}.name`);
        });
      }
    }
    return value;
  }

  list(value: unknown, path: string, each: (item: unknown, path: string) => void): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.bad.push(`${path}: expected a list`);
      return [];
    }
    value.forEach((item, i) => each(item, `${path}[${i}]`));
    return value;
  }

  dataset(value: unknown, path: string, ioKey?: 'inputFacets' | 'outputFacets'): IngestDataset | undefined {
    if (!isObj(value)) {
      this.bad.push(`${path}: expected a dataset object`);
      return undefined;
    }
    const namespace = this.str(value['namespace'], `${path}.namespace`);
    const name = this.str(value['name'], `${path}.name`);
    if (namespace) this.flag(illegalNamespace(namespace), path);
    if (name) this.flag(illegalName('dataset name', name), path);
    const facets = this.facets(value['facets'], `${path}.facets`);
    const ioFacets = ioKey ? this.facets(value[ioKey], `${path}.${ioKey}`) : {};
    return namespace && name ? { namespace, name, facets, ioFacets } : undefined;
  }

  flag(problem: string | undefined, path: string): void {
    if (problem) this.illegal.push(`${path}: ${problem}`);
  }
}

/** Validates a parsed JSON body as Marquez binds and validates it; returns the normalised event or the rejection. */
export function validateEvent(body: unknown): CatalogEvent | Rejection {
  if (!isObj(body)) return { status: 400, message: 'expected a JSON object (an OpenLineage event)', errors: [] };
  const tooBroad = breadthProblems(body);
  if (tooBroad.length > 0) return { status: 422, message: `event too large: ${tooBroad.join('; ')}; split it`, errors: tooBroad };
  const kind = eventKind(body);
  const c = new Checker();
  let eventTime: string | undefined;
  if (body['eventTime'] === undefined || body['eventTime'] === null) c.bad.push('eventTime: must not be null');
  else if (typeof body['eventTime'] !== 'string' || (eventTime = storedTime(body['eventTime'])) === undefined) {
    return { status: 400, message: `eventTime: cannot parse ${JSON.stringify(body['eventTime'])} as an ISO-8601 date-time`, errors: [] };
  }
  c.str(body['producer'], 'producer');
  const eventType = c.str(body['eventType'], 'eventType', false);
  if (eventType !== undefined && !EVENT_TYPES.has(eventType)) {
    return {
      status: 400,
      message: `eventType: expected one of ${[...EVENT_TYPES].join(', ')}, got ${JSON.stringify(eventType.slice(0, 40))}`,
      errors: [],
    };
  }
  let runId: string | undefined;
  let runFacets: Obj = {};
  let job: CatalogEvent['job'];
  if (kind === 'RunEvent') {
    if (!isObj(body['run'])) c.bad.push('run: must not be null');
    else {
      runId = c.str(body['run']['runId'], 'run.runId');
      runFacets = c.facets(body['run']['facets'], 'run.facets');
    }
  }
  if (kind !== 'DatasetEvent') {
    if (!isObj(body['job'])) c.bad.push('job: must not be null');
    else {
      const namespace = c.str(body['job']['namespace'], 'job.namespace');
      const name = c.str(body['job']['name'], 'job.name');
      if (name) c.flag(illegalName('job name', name), 'job');
      const facets = c.facets(body['job']['facets'], 'job.facets');
      if (namespace && name) job = { namespace, name, facets };
    }
  }
  const inputs = c.list(body['inputs'], 'inputs', () => {}).map((d, i) => c.dataset(d, `inputs[${i}]`, 'inputFacets'));
  const outputs = c.list(body['outputs'], 'outputs', () => {}).map((d, i) => c.dataset(d, `outputs[${i}]`, 'outputFacets'));
  const dataset = kind === 'DatasetEvent' ? c.dataset(body['dataset'], 'dataset') : undefined;
  if (c.illegal.length > 0) {
    const errors = capProblems(c.illegal);
    return { status: 400, message: errors.join('; '), errors };
  }
  if (c.bad.length > 0) return { status: 422, message: `invalid ${kind}: ${c.bad.length} problem(s)`, errors: capProblems(c.bad) };
  const present = <T>(xs: (T | undefined)[]): T[] => xs.filter((x): x is T => x !== undefined);
  return { kind, eventTime: eventTime!, eventType, runId, runFacets, job, inputs: present(inputs), outputs: present(outputs), dataset };
}

/** True when validation rejected the body. */
export function isRejection(value: CatalogEvent | Rejection): value is Rejection {
  return 'status' in value;
}
