// Compares two readings of the same requests field by field. Arrays Marquez returns in no defined order are paired by
// identity; ordered lists are paired by identity too and their order checked against Marquez's sort key (ties free).
// A difference is reported unless an allowance (allowances.ts) explains it.
import { storedTime } from '../../../lineage/catalog/times.ts';
import { ALLOWANCES } from './allowances.ts';
import type { Facts, Site } from './allowances.ts';
import type { Reading } from './read-api.ts';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v)).slice(0, 240);

/** How the items of an array are identified, and the order Marquez keeps (undefined: no defined order). */
type ArrayRule = { identity: (item: any) => string; order?: (item: any) => Array<string | number>; descending?: boolean };

const ref = (d: Obj) => `${d['namespace']}:${d['name']}`;
// Marquez writes instants with 0, 3 or 6 fraction digits, so they sort as text only in the stored form.
const instant = (t: unknown) => (typeof t === 'string' ? (storedTime(t) ?? t) : '');
const ARRAYS: Record<string, ArrayRule> = {
  namespaces: { identity: (n) => n.name, order: (n) => [n.name] },
  jobs: { identity: ref, order: (j) => [instant(j.updatedAt)], descending: true },
  datasets: { identity: ref, order: (d) => [d.name] },
  runs: { identity: (r) => r.id, order: (r) => [r.startedAt ? instant(r.startedAt) : '0'], descending: true },
  latestRuns: { identity: (r) => r.id },
  versions: { identity: (v) => `${v.version}`, order: (v) => [instant(v.createdAt)], descending: true },
  events: { identity: (e) => `${e.run?.runId ?? ''}|${e.eventType ?? ''}|${Date.parse(e.eventTime)}` },
  results: { identity: (r) => `${r.type}:${r.namespace}:${r.name}` },
  tags: { identity: (t) => (typeof t === 'string' ? t : t.name) },
  graph: { identity: (n) => n.id },
  fields: { identity: (f) => f.name },
  inputs: { identity: ref },
  outputs: { identity: ref },
  inEdges: { identity: (e) => `${e.origin}>${e.destination}` },
  outEdges: { identity: (e) => `${e.origin}>${e.destination}` },
  inputDatasetVersions: { identity: (v) => ref(v.datasetVersionId) },
  outputDatasetVersions: { identity: (v) => ref(v.datasetVersionId) },
  inputFields: { identity: (f) => `${f.namespace}:${f.dataset}:${f.field}` },
  columnLineage: { identity: (c) => c.name },
};

/** Where each allowance was used, and every difference none explains. */
export type Comparison = { differences: string[]; allowed: Record<string, number>; compared: number };

const cmp = (a: Array<string | number>, b: Array<string | number>) => {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
};

/** Compares Marquez's reading with the catalog's over the same requests. */
export function compareReadings(marquez: Reading, catalog: Reading, facts: Facts, limit = 200): Comparison {
  const result: Comparison = { differences: [], allowed: {}, compared: 0 };
  const differ = (request: string, path: (string | number)[], m: unknown, c: unknown, note?: string, holders?: Site['holders']) => {
    const site: Site = { request, path, marquez: m, catalog: c, facts, holders };
    const rule = ALLOWANCES.find((a) => a.explains(site));
    if (rule) result.allowed[rule.id] = (result.allowed[rule.id] ?? 0) + 1;
    else if (result.differences.length < limit)
      result.differences.push(
        `${/^[A-Z]+ /.test(request) ? '' : 'GET '}${request} ${path.join('.') || '(body)'}: ${note ?? `Marquez ${s(m)} ≠ catalog ${s(c)}`}`,
      );
  };
  const walk = (request: string, path: (string | number)[], m: unknown, c: unknown, holders?: Site['holders']): void => {
    if (JSON.stringify(m) === JSON.stringify(c)) return;
    const name = path.at(-1);
    const rule = typeof name === 'string' ? ARRAYS[name] : undefined;
    if (Array.isArray(m) && Array.isArray(c) && rule) return walkArray(request, path, m, c, rule, holders);
    if (Array.isArray(m) && Array.isArray(c) && m.length === c.length) {
      m.forEach((item, i) => walk(request, [...path, i], item, c[i]));
      return;
    }
    if (isObj(m) && isObj(c)) {
      // A whole object an allowance explains (facets equal after normalisation) is not walked member by member.
      const whole = ALLOWANCES.find((a) => a.explains({ request, path, marquez: m, catalog: c, facts, holders }));
      if (whole) return void (result.allowed[whole.id] = (result.allowed[whole.id] ?? 0) + 1);
      for (const k of [...new Set([...Object.keys(m), ...Object.keys(c)])].sort())
        walk(request, [...path, k], m[k], c[k], { marquez: m, catalog: c });
      return;
    }
    differ(request, path, m, c, undefined, holders);
  };
  const walkArray = (
    request: string,
    path: (string | number)[],
    m: unknown[],
    c: unknown[],
    rule: ArrayRule,
    holders?: Site['holders'],
  ): void => {
    const byId = (list: unknown[]) => new Map(list.map((item) => [rule.identity(item), item] as const));
    const mm = byId(m);
    const cm = byId(c);
    const onlyM = [...mm.keys()].filter((k) => !cm.has(k));
    const onlyC = [...cm.keys()].filter((k) => !mm.has(k));
    if (onlyM.length > 0 || onlyC.length > 0) {
      const site: Site = { request, path, marquez: m, catalog: c, facts, holders };
      const whole = ALLOWANCES.find((a) => a.explains(site));
      if (whole) return void (result.allowed[whole.id] = (result.allowed[whole.id] ?? 0) + 1);
      if (onlyM.length > 0)
        differ(
          request,
          path,
          onlyM,
          undefined,
          `only in Marquez: ${s(onlyM.slice(0, 8))}${onlyM.length > 8 ? ` (+${onlyM.length - 8})` : ''}`,
        );
      if (onlyC.length > 0)
        differ(
          request,
          path,
          undefined,
          onlyC,
          `only in the catalog: ${s(onlyC.slice(0, 8))}${onlyC.length > 8 ? ` (+${onlyC.length - 8})` : ''}`,
        );
    }
    // Items are named `<index in Marquez's answer>|<identity>` in paths.
    [...mm].forEach(([id, item], i) => {
      if (cm.has(id)) walk(request, [...path, `${i}|${id}`], item, cm.get(id));
    });
    if (!rule.order) return;
    const sign = rule.descending ? -1 : 1;
    const sorted = (ids: string[]) => {
      for (let i = 1; i < ids.length; i += 1) {
        const a = mm.get(ids[i - 1]!);
        const b = mm.get(ids[i]!);
        if (a === undefined || b === undefined) continue;
        if (cmp(rule.order!(a), rule.order!(b)) * sign > 0) return `${ids[i - 1]} before ${ids[i]}`;
      }
      return undefined;
    };
    // Marquez's own order must follow the key (or the rule is wrong); the catalog's must follow Marquez's keys.
    const wrongM = sorted([...mm.keys()]);
    if (wrongM) differ(request, path, undefined, undefined, `Marquez's own order does not follow the expected sort: ${wrongM}`);
    const wrongC = sorted([...cm.keys()].filter((k) => mm.has(k) && !exemptFromOrder(request, path, mm.get(k), cm.get(k))));
    if (wrongC) differ(request, path, undefined, undefined, `catalog order differs from Marquez's sort: ${wrongC}`);
  };
  const exemptFromOrder = (request: string, path: (string | number)[], m: unknown, c: unknown) => {
    if (!isObj(m) || !isObj(c)) return false;
    const site: Site = { request, path: [...path, 'updatedAt'], marquez: m['updatedAt'], catalog: c['updatedAt'], facts };
    return m['updatedAt'] !== c['updatedAt'] && ALLOWANCES.some((a) => a.explains(site));
  };

  for (const [request, m] of marquez) {
    const c = catalog.get(request);
    if (!c) continue;
    result.compared += 1;
    if (m.status !== c.status) {
      differ(request, [], m.status, c.status, `HTTP ${m.status} in Marquez, ${c.status} in the catalog (${s(m.body)} / ${s(c.body)})`);
      continue;
    }
    if (m.status >= 400) {
      if (JSON.stringify(m.body) !== JSON.stringify(c.body)) differ(request, ['(error)'], m.body, c.body);
      continue;
    }
    walk(request, [], m.body, c.body);
  }
  return result;
}
