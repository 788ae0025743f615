/**
 * What one event may hold. An event past these would stall every other client while it is stored and make listings
 * slow for good (a job with 200,000 inputs); Marquez has no such limits, but no real producer comes near them.
 */
export const EVENT_LIMITS = {
  /** Inputs, and outputs, of one event. */
  datasets: 1_000,
  /** Facets in one facets object. */
  facets: 200,
  /** Fields of one schema facet. */
  schemaFields: 10_000,
  /** Problems listed in a 422 answer; the rest are counted. */
  problems: 50,
} as const;

/** Problems of an event's breadth (too many datasets, facets or schema fields), checked before anything per item. */
export function breadthProblems(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const count = (value: unknown): number => (Array.isArray(value) ? value.length : 0);
  for (const key of ['inputs', 'outputs'] as const) {
    const n = count(body[key]);
    if (n > EVENT_LIMITS.datasets) problems.push(`${key}: ${n} datasets, more than the limit of ${EVENT_LIMITS.datasets} per event`);
  }
  const facets = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const names = Object.keys(value);
    if (names.length > EVENT_LIMITS.facets) {
      problems.push(`${path}: ${names.length} facets, more than the limit of ${EVENT_LIMITS.facets}`);
      return;
    }
    const schema = Object.hasOwn(value, 'schema') ? (value as Record<string, unknown>)['schema'] : undefined;
    const fields = typeof schema === 'object' && schema !== null ? count((schema as Record<string, unknown>)['fields']) : 0;
    if (fields > EVENT_LIMITS.schemaFields) {
      problems.push(`${path}.schema.fields: ${fields} fields, more than the limit of ${EVENT_LIMITS.schemaFields}`);
    }
  };
  const at = (value: unknown, key: string): unknown =>
    typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  facets(at(body['run'], 'facets'), 'run.facets');
  facets(at(body['job'], 'facets'), 'job.facets');
  facets(at(body['dataset'], 'facets'), 'dataset.facets');
  for (const key of ['inputs', 'outputs'] as const) {
    const list = body[key];
    if (!Array.isArray(list) || list.length > EVENT_LIMITS.datasets) continue;
    list.forEach((d, i) => {
      facets(at(d, 'facets'), `${key}[${i}].facets`);
      facets(at(d, key === 'inputs' ? 'inputFacets' : 'outputFacets'), `${key}[${i}].${key === 'inputs' ? 'inputFacets' : 'outputFacets'}`);
    });
  }
  return problems;
}

/** At most the limit's number of problems, the rest counted in one last line. */
export function capProblems(problems: string[]): string[] {
  if (problems.length <= EVENT_LIMITS.problems) return problems;
  return [...problems.slice(0, EVENT_LIMITS.problems), `… and ${problems.length - EVENT_LIMITS.problems} more`];
}
