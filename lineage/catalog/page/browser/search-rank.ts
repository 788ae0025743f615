// How search results are ordered: an exact name first, then a name ending in the text, then one starting with it.

/** A field of a dataset, for field search. */
export type FieldEntry = { namespace: string; dataset: string; field: string; type: string | null };

/** How well `name` matches `q` (lower is better): exact, then a whole last segment, then a prefix, then anywhere. */
export function rank(name: string, q: string): number {
  const n = name.toLowerCase();
  const t = q.toLowerCase();
  const last = n.split(/[./:]/).pop() ?? n;
  if (n === t) return 0;
  if (last === t) return 1;
  if (n.startsWith(t) || last.startsWith(t)) return 2;
  return n.includes(t) ? 3 : Number.POSITIVE_INFINITY;
}

/** A sort order by {@link rank} of a key, then by the key. */
export const byRank =
  <T>(q: string, key: (x: T) => string) =>
  (a: T, b: T) =>
    rank(key(a), q) - rank(key(b), q) || key(a).localeCompare(key(b));

/** The fields whose name contains `q`, best first. */
export function matchFields(list: FieldEntry[], q: string, limit: number): FieldEntry[] {
  const t = q.trim().toLowerCase();
  if (!t) return [];
  return list
    .filter((f) => f.field.toLowerCase().includes(t))
    .sort(byRank(t, (f) => f.field))
    .slice(0, limit);
}
