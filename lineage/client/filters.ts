import { z } from 'zod';
import { FilterConfigSchema } from './config-schema.ts';
import type { FilterConfig } from './config-schema.ts';
import { LineageConfigError } from './errors.ts';
import type { LineageEvent } from './event.ts';
import { formatIssues } from '../../core/issues.ts';
import { lineageWording } from './issues.ts';
import { lineageEventKind } from './parse-event.ts';

/** Tells whether an event is dropped by the configured filters. */
export type EventFilter = (event: LineageEvent) => boolean;

/**
 * Compiles the `filters` section like openlineage-python: a RunEvent is dropped when its job name equals an `exact`
 * filter's `match` or matches a `regex` filter at its start (`re.match`); JobEvents and DatasetEvents always pass.
 */
export function compileFilters(filters: readonly FilterConfig[] | readonly unknown[] | undefined): EventFilter {
  if (!filters || filters.length === 0) return () => false;
  const parsed = z.array(FilterConfigSchema).safeParse(filters, { reportInput: true });
  if (!parsed.success)
    throw new LineageConfigError(formatIssues(parsed.error.issues, { prefix: ['filters'], wording: lineageWording }), 'filters');
  const tests = parsed.data.map((f): ((name: string) => boolean) => {
    if (f.type === 'exact') return (name) => name === f.match;
    // The sticky flag anchors the match at index 0 without anchoring its end, as re.match does.
    const pattern = new RegExp(f.regex, 'y');
    return (name) => {
      pattern.lastIndex = 0;
      return pattern.test(name);
    };
  });
  return (event) => {
    if (lineageEventKind(event) !== 'RunEvent') return false;
    const name = (event as { job?: { name?: unknown } }).job?.name;
    return typeof name === 'string' && tests.some((test) => test(name));
  };
}
