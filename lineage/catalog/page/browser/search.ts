// Search across jobs, datasets and fields. Jobs and datasets come from the catalog's `/search`; Marquez's v1 API has
// no field search, so fields come from the datasets' schemas, read once and kept for a short while.
import type { DatasetList, NamespaceList, SearchResultList } from '../../../marquez/api.ts';
import { enc, get } from './api.ts';
import { datasetHash, fieldHash, jobHash } from './routes.ts';
import { byRank, matchFields } from './search-rank.ts';
import type { FieldEntry } from './search-rank.ts';

/** One search hit, with the hash that opens it. */
export type Hit = { kind: 'job' | 'dataset' | 'field'; name: string; detail: string; hash: string };

/** Hits by kind. */
export type Hits = { jobs: Hit[]; datasets: Hit[]; fields: Hit[] };

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
