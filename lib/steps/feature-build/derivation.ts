import type { DirectSubtype, IndirectSubtype } from '../../../core/column-transformations.ts';

/** An input column, keyed `<input alias>.<column>`. */
export type SourceKey = string;

/** Where one output column comes from. */
export interface ColumnDerivation {
  readonly direct: Map<SourceKey, { subtype: DirectSubtype; masking: boolean }>;
  readonly indirect: Map<SourceKey, Set<IndirectSubtype>>;
}

/** The lineage of a query: per output column (in order) and the dataset-wide influences. */
export interface QueryLineage {
  readonly columns: Array<{ readonly name: string | undefined; readonly lineage: ColumnDerivation }>;
  readonly dataset: Map<SourceKey, Set<IndirectSubtype>>;
}

/** Raised when the SQL uses something the derivation does not follow; the message names it. */
export class LineageUnsupported extends Error {}

/** A node of DuckDB's serialised parse tree (`json_serialize_sql`). */
export type Node = Record<string, any>;

/** The relations and names visible where an expression is evaluated. */
export interface Scope {
  readonly bindings: Array<{ alias: string; relation: QueryLineage }>;
  readonly ctes: Map<string, QueryLineage>;
  readonly parent?: Scope;
  /** Select-list aliases visible to ORDER BY, GROUP BY and later select items (DuckDB allows lateral aliases). */
  selectAliases?: Map<string, ColumnDerivation>;
}

const RANK: Record<DirectSubtype, number> = { IDENTITY: 0, TRANSFORMATION: 1, AGGREGATION: 2 };

/** A derivation with no sources (a constant). */
export function emptyDerivation(): ColumnDerivation {
  return { direct: new Map(), indirect: new Map() };
}

/** Adds `from`'s sources to `into`, as seen through an outer transformation (the stronger subtype wins). */
export function mergeDerivation(into: ColumnDerivation, from: ColumnDerivation, outer: DirectSubtype, masking = false): void {
  for (const [key, d] of from.direct) {
    const subtype = RANK[outer] > RANK[d.subtype] ? outer : d.subtype;
    const prev = into.direct.get(key);
    const keep = prev && RANK[prev.subtype] > RANK[subtype] ? prev.subtype : subtype;
    into.direct.set(key, { subtype: keep, masking: Boolean(prev?.masking) || d.masking || masking });
  }
  for (const [key, set] of from.indirect) addAll(into.indirect, key, set);
}

/** Records every input column an expression touches, directly or not, as one INDIRECT influence. */
export function addInfluence(into: Map<SourceKey, Set<IndirectSubtype>>, from: ColumnDerivation, subtype: IndirectSubtype): void {
  for (const key of [...from.direct.keys(), ...from.indirect.keys()]) addAll(into, key, [subtype]);
}

/** Adds values to the set kept under `key`. */
export function addAll<K, V>(map: Map<K, Set<V>>, key: K, values: Iterable<V>): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  for (const v of values) set.add(v);
}
