import { setOwn, type CatalogStore } from './catalog-store.ts';
import type { ApiFacet, DatasetField } from '../marquez/api.ts';

/** Facets by name, as stored. */
export type Facets = Record<string, ApiFacet>;

// Views are built for many objects at once (a lineage graph has thousands of nodes): each kind of row is read with
// one query over a JSON array of keys, so the cost grows with the answer, not with round trips per node.
/** `IN (…)` over a JSON array bound as one parameter. */
export const IN = 'IN (SELECT value FROM json_each(?))';

/** A JSON array of distinct keys, for `IN`. */
export const keys = (list: Iterable<string>): string => JSON.stringify([...new Set(list)]);

/** Rows grouped by a key, in their order. */
export function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/** Tags by owner (`job:…`, `dataset:…`, `field:…`), sorted; the tag table is small, so it is read whole. */
export function allTags(store: CatalogStore): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of store.all<{ owner: string; tag: string }>('SELECT owner, tag FROM object_tags ORDER BY owner, tag')) {
    const list = out.get(r.owner);
    if (list) list.push(r.tag);
    else out.set(r.owner, [r.tag]);
  }
  return out;
}

/** The merged facets of many owners. */
export function facetsOf(store: CatalogStore, owners: Iterable<string>): Map<string, Facets> {
  const out = new Map<string, Facets>();
  for (const r of store.all<{ owner: string; name: string; body: string }>(
    `SELECT owner, name, body FROM facets WHERE owner ${IN} ORDER BY owner, name`,
    keys(owners),
  )) {
    let facets = out.get(r.owner);
    if (!facets) out.set(r.owner, (facets = {}));
    setOwn(facets, r.name, JSON.parse(r.body) as ApiFacet);
  }
  return out;
}

// Fields as stored from the schema facet: `type` and `description` may be absent.
type StoredField = { name: string; type?: string | null; description?: string | null };

/** The fields of a schema as stored, with their tags. */
export function fieldsOf(tagsByOwner: Map<string, string[]>, datasetUuid: string, json: string | null): DatasetField[] {
  return (JSON.parse(json ?? '[]') as StoredField[]).map((f) => ({
    name: f.name,
    type: f.type ?? null,
    tags: tagsByOwner.get(`field:${datasetUuid}:${f.name}`) ?? [],
    description: f.description ?? null,
  }));
}
