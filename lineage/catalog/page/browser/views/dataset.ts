// A dataset: its fields with types (each opens its column lineage), and its versions with the run that wrote each,
// the data tests run on it and their metrics; a batch a failed run wrote aside is marked quarantined.
import type { Dataset, DatasetFacets, DatasetVersion, DatasetVersionList } from '../../../../marquez/api.ts';
import { enc, get } from '../api.ts';
import { el } from '../dom.ts';
import { badge, count, rowsOf, stateBadge, subsetOf, when } from '../format.ts';
import { assertionsOf, holdsData, runHealth } from '../health.ts';
import { datasetHash, fieldHash, jobHash, runHash } from '../routes.ts';
import { jobOfRun } from './run.ts';
import { keyValues, section, table, titleBlock } from './panel.ts';

/** True when the version was written by a failed run that put data in it: a quarantined batch. */
export function isQuarantined(v: DatasetVersion): boolean {
  const run = v.createdByRun;
  if (!run || runHealth(run) !== 'failed') return false;
  const out = run.outputDatasetVersions.find((o) => o.datasetVersionId.version === v.version && o.datasetVersionId.name === v.name);
  return out ? holdsData(out) : subsetOf(v.facets) !== '';
}

function assertionsTable(facets: DatasetFacets): HTMLElement | '' {
  const all = assertionsOf(facets);
  if (all.length === 0) return '';
  return table(
    undefined,
    ['data test', 'column', 'result', 'expected', 'actual'],
    all.map((a) => ({
      class: a.outcome === 'failed' ? 'failing' : a.outcome === 'warned' ? 'warning' : '',
      cells: [
        a.name,
        a.column ?? '',
        badge(a.outcome === 'failed' ? 'FAILED' : a.outcome === 'warned' ? 'WARN' : 'passed', a.outcome === 'passed' ? 'ok' : a.outcome),
        a.expected ?? '',
        a.actual ?? '',
      ],
    })),
  );
}

function metricsTable(facets: DatasetFacets): HTMLElement | '' {
  const metrics = facets.dataQualityMetrics?.columnMetrics;
  if (!metrics || typeof metrics !== 'object' || Object.keys(metrics).length === 0) return '';
  const num = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? count(v) : v.toFixed(2)) : '');
  return table(
    undefined,
    ['column', 'nulls', 'distinct', 'min', 'max'],
    Object.entries(metrics).map(([c, m]) => ({ cells: [c, num(m?.nullCount), num(m?.distinctCount), num(m?.min), num(m?.max)] })),
  );
}

function versionCard(v: DatasetVersion, open: boolean): HTMLElement {
  const run = v.createdByRun;
  const quarantined = isQuarantined(v);
  const out = run?.outputDatasetVersions.find((o) => o.datasetVersionId.version === v.version);
  const batch = subsetOf(out?.facets) || subsetOf(v.facets);
  const rows = rowsOf(out?.facets) ?? rowsOf(v.facets);
  const tests = assertionsOf(v.facets);
  const worst = tests.some((a) => a.outcome === 'failed')
    ? 'failed'
    : tests.some((a) => a.outcome === 'warned')
      ? 'warned'
      : tests.length > 0
        ? 'ok'
        : '';
  const job = run ? jobOfRun(run) : undefined;
  const a = assertionsTable(v.facets);
  const m = metricsTable(v.facets);
  return el(
    'details',
    {
      class: `version${quarantined ? ' quarantined' : ''}${worst === 'failed' ? ' failed-tests' : worst === 'warned' ? ' warned-tests' : ''}`,
      id: `version-${v.version}`,
      'data-version': v.version,
      open,
    },
    el(
      'summary',
      {},
      quarantined ? badge('QUARANTINED', 'quarantined') : '',
      worst === 'failed'
        ? badge('TESTS FAILED', 'failed')
        : worst === 'warned'
          ? badge('TESTS WARNED', 'warned')
          : worst === 'ok'
            ? badge('tests passed', 'ok')
            : '',
      el('span', { class: 'version-name' }, batch || v.version.slice(0, 8)),
      el('span', { class: 'muted' }, `${when(v.createdAt)}${rows === undefined ? '' : ` · ${count(rows)} rows`}`),
    ),
    keyValues([
      ['version', el('a', { href: datasetHash(v.namespace, v.name, v.version), class: 'mono' }, v.version)],
      [
        'written by',
        run
          ? [
              job ? [el('a', { href: jobHash(job.namespace, job.name) }, job.name), ' '] : '',
              el('a', { href: runHash(run.id), class: 'mono' }, `run ${run.id.slice(0, 8)}`),
              ' ',
              stateBadge(run.state, runHealth(run)),
            ]
          : 'no run recorded',
      ],
      ['label', typeof v.facets.version?.datasetVersion === 'string' ? el('span', { class: 'mono' }, v.facets.version.datasetVersion) : ''],
      ['fields', v.fields.map((f) => f.name).join(', ')],
    ]),
    a ? [el('h4', {}, 'Data tests'), a] : '',
    m ? [el('h4', {}, 'Metrics'), m] : '',
  );
}

/** The dataset view's panel; `version` opens (and scrolls to) one version. */
export async function datasetView(namespace: string, name: string, version?: string): Promise<HTMLElement[]> {
  const path = `namespaces/${enc(namespace)}/datasets/${enc(name)}`;
  const [d, { versions, totalCount }] = await Promise.all([get<Dataset>(path), get<DatasetVersionList>(`${path}/versions?limit=25`)]);
  let list = versions;
  if (version && !versions.some((v) => v.version === version))
    list = [await get<DatasetVersion>(`${path}/versions/${enc(version)}`), ...versions];
  const lineage = new Map((d.columnLineage ?? []).map((c) => [c.name, c.inputFields]));
  const anyQuarantined = list.some(isQuarantined);
  return [
    titleBlock('DATASET', d.name, d.namespace, anyQuarantined ? badge('HAS QUARANTINED BATCHES', 'quarantined') : ''),
    keyValues([
      [
        'current version',
        d.currentVersion
          ? el('a', { href: datasetHash(d.namespace, d.name, d.currentVersion), class: 'mono' }, d.currentVersion.slice(0, 8))
          : '',
      ],
      ['last modified', d.lastModifiedAt ? when(d.lastModifiedAt) : ''],
      ['source', d.sourceName],
      ['description', d.description ?? ''],
    ]),
    section(
      `Fields (${d.fields.length})`,
      'fields-section',
      el('p', { class: 'muted hint' }, 'Click a field to see where it comes from and where it goes.'),
      table(
        'fields',
        ['field', 'type', 'made from'],
        d.fields.map((f) => {
          const inputs = lineage.get(f.name) ?? [];
          return {
            attrs: { 'data-field': f.name },
            cells: [
              el('a', { href: fieldHash(d.namespace, d.name, f.name) }, f.name),
              el('span', { class: 'mono' }, f.type ?? ''),
              inputs.length === 0 ? '' : el('span', { class: 'muted' }, inputs.map((i) => `${i.dataset}.${i.field}`).join(', ')),
            ],
          };
        }),
      ),
    ),
    section(
      `Versions (${totalCount})`,
      'versions',
      list.map((v, i) => versionCard(v, version ? v.version === version : i === 0)),
      totalCount > versions.length ? el('p', { class: 'muted' }, `The latest ${versions.length} of ${totalCount} versions.`) : '',
    ),
  ];
}
