import { LineageError } from './errors.ts';
import { DatasetEventSchema, JobEventSchema, RunEventSchema } from './event.ts';
import type { LineageEvent, LineageEventKind } from './event.ts';
import { formatIssues } from '../../core/issues.ts';
import { lineageWording } from './issues.ts';

/** Tells the kind of an event by its `schemaURL` suffix (as Marquez does), then by its structure. */
export function lineageEventKind(event: unknown): LineageEventKind {
  const value = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const url = typeof value['schemaURL'] === 'string' ? value['schemaURL'] : '';
  const suffix = url.slice(url.lastIndexOf('/') + 1);
  if (suffix === 'DatasetEvent' || suffix === 'JobEvent' || suffix === 'RunEvent') return suffix;
  if (value['run'] !== undefined) return 'RunEvent';
  if (value['dataset'] !== undefined && value['job'] === undefined) return 'DatasetEvent';
  return value['job'] !== undefined ? 'JobEvent' : 'RunEvent';
}

const SCHEMAS = { RunEvent: RunEventSchema, JobEvent: JobEventSchema, DatasetEvent: DatasetEventSchema } as const;

/** Validates an event against the schema of its kind; throws `LINEAGE_EVENT_INVALID` naming every bad field. */
export function parseLineageEvent(event: unknown): LineageEvent {
  const kind = lineageEventKind(event);
  const result = SCHEMAS[kind].safeParse(event, { reportInput: true });
  if (result.success) return result.data;
  const issues = formatIssues(result.error.issues, { wording: lineageWording });
  throw new LineageError('LINEAGE_EVENT_INVALID', `invalid OpenLineage ${kind}: ${issues.join('; ')}`, { cause: result.error });
}
