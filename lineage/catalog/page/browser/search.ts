// Search across jobs, datasets and fields. Jobs and datasets come from the catalog's `/search`; Marquez's v1 API has
// no field search, so fields come from the datasets' schemas, read once and kept for a short while.
import type { DatasetList, NamespaceList, SearchResultList } from '../../../marquez/api.ts';
import { enc, get } from './api.ts';
import { datasetHash, fieldHash, jobHash } from './routes.ts';

/** One search hit, with the hash that opens it. */
export type Hit = { kind: 'job' | 'dataset' | 'field'; name: string; detail: string; hash: string };

/** Hits by kind. */
export type Hits = { jobs: Hit[]; datasets: Hit[]; fields: Hit[] };

/** A field of a dataset, for field search. */
export type FieldEntry = { namespace: string; dataset: string; field: string; type: string | null };

const FIELDS_FRESH_MS = 30_000;
const PAGE = 1000;
let fields: { at: number; list: Promise<FieldEntry[]> } | undefined;

async function readFields(): Promise<FieldEntry[]> {
  const { namespaces } = await get<NamespaceList>('namespaces?limit=1000');
  const out: FieldEntry[] = [];
  for (const ns of namespaces) {
    for (let offset = 0; ; offset += PAGE) {
      const { datasets, totalCount } = await get<DatasetList>(`namespaces/${enc(ns.name)}/datasets?limit=${PAGE}&offset=${offset}`);
      for (const d of datasets)
        for (const f of d.fields) out.push({ namespace: d.namespace, dataset: d.name, field: f.name, type: f.type });
      if (datasets.length < PAGE || offset + PAGE >= totalCount) break;
    }
  }
  return out;
}

/** Every dataset field the catalog knows, read at most every 30 seconds. */
export function fieldIndex(now = Date.now()): Promise<FieldEntry[]> {
  if (!fields || now - fields.at > FIELDS_FRESH_MS) {
    const list = readFields();
    fields = { at: now, list };
    list.catch(() => (fields = undefined));
  }
  return fields.list;
}

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

const byRank =
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

/** Jobs, datasets and fields matching `q`, best first, at most `limit` of each kind. */
export async function searchAll(q: string, limit = 8): Promise<Hits> {
  const t = q.trim();
  if (!t) return { jobs: [], datasets: [], fields: [] };
  const [{ results }, all] = await Promise.all([get<SearchResultList>(`search?q=${enc(t)}&limit=200`), fieldIndex()]);
  const sorted = results.sort(byRank(t, (r) => r.name));
  const hit =
    (kind: 'job' | 'dataset') =>
    (r: (typeof results)[number]): Hit => ({
      kind,
      name: r.name,
      detail: r.namespace,
      hash: kind === 'job' ? jobHash(r.namespace, r.name) : datasetHash(r.namespace, r.name),
    });
  return {
    jobs: sorted
      .filter((r) => r.type === 'JOB')
      .slice(0, limit)
      .map(hit('job')),
    datasets: sorted
      .filter((r) => r.type === 'DATASET')
      .slice(0, limit)
      .map(hit('dataset')),
    fields: matchFields(all, t, limit).map((f) => ({
      kind: 'field',
      name: f.field,
      detail: `${f.dataset}${f.type ? ` · ${f.type}` : ''}`,
      hash: fieldHash(f.namespace, f.dataset, f.field),
    })),
  };
}
