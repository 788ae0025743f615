// The first view: what needs attention (failed runs, warnings, quarantined batches), then every job and dataset.
import type { Dataset, DatasetList, Job, JobList, NamespaceList } from '../../../../marquez/api.ts';
import { enc, get } from '../api.ts';
import { el } from '../dom.ts';
import { badge, count, duration, stateBadge, subsetOf, when } from '../format.ts';
import { quarantinedBy, runHealth } from '../health.ts';
import { datasetHash, jobHash, runHash } from '../routes.ts';
import { section, table } from './panel.ts';

async function allDatasets(): Promise<Dataset[]> {
  const { namespaces } = await get<NamespaceList>('namespaces?limit=1000');
  const lists = await Promise.all(namespaces.map((ns) => get<DatasetList>(`namespaces/${enc(ns.name)}/datasets?limit=1000`)));
  return lists.flatMap((l) => l.datasets);
}

function attention(jobs: Job[]): HTMLElement {
  const items: HTMLElement[] = [];
  for (const j of jobs) {
    const run = j.latestRun;
    const h = runHealth(run);
    if (!run || (h !== 'failed' && h !== 'warned')) continue;
    const error = run.facets?.errorMessage?.message;
    items.push(
      el(
        'li',
        { class: `attention ${h}`, 'data-run': run.id },
        badge(h === 'failed' ? run.state : 'WARN', h),
        ' ',
        el('a', { href: runHash(run.id) }, `${j.name}`),
        el('span', { class: 'muted' }, ` run ${run.id.slice(0, 8)} · ${when(run.startedAt)}`),
        typeof error === 'string' ? el('div', { class: 'error-text' }, error) : '',
      ),
    );
    for (const q of quarantinedBy(run)) {
      const { namespace, name, version } = q.datasetVersionId;
      items.push(
        el(
          'li',
          { class: 'attention quarantined', 'data-version': version },
          badge('QUARANTINED', 'quarantined'),
          ' ',
          el('a', { href: datasetHash(namespace, name, version) }, name),
          el('span', { class: 'muted' }, ` ${subsetOf(q.facets) || version.slice(0, 8)} · written by ${j.name}`),
        ),
      );
    }
  }
  return section(
    'Needs attention',
    'attention',
    items.length === 0
      ? el('p', { class: 'muted' }, 'Nothing failed, warned or was quarantined in the latest runs.')
      : el('ul', { class: 'attention-list' }, items),
  );
}

/** The home view's panel. */
export async function homeView(): Promise<HTMLElement[]> {
  const [{ jobs }, datasets] = await Promise.all([get<JobList>('jobs?limit=1000'), allDatasets()]);
  const order = { failed: 0, warned: 1, running: 2, quarantined: 3, ok: 4, none: 5 } as const;
  const sorted = [...jobs].sort((a, b) => order[runHealth(a.latestRun)] - order[runHealth(b.latestRun)] || a.name.localeCompare(b.name));
  return [
    el(
      'div',
      { class: 'home-intro' },
      el('h2', {}, 'Lineage'),
      el(
        'p',
        { class: 'muted' },
        `${count(jobs.length)} jobs and ${count(datasets.length)} datasets. Search above (press /) or open one below.`,
      ),
    ),
    attention(sorted),
    section(
      'Jobs',
      'jobs-section',
      table(
        'jobs',
        ['job', 'namespace', 'latest run', 'duration', 'started'],
        sorted.map((j) => {
          const run = j.latestRun;
          const h = runHealth(run);
          return {
            class: h === 'failed' ? 'failing' : h === 'warned' ? 'warning' : '',
            cells: [
              el('a', { href: jobHash(j.namespace, j.name) }, j.name),
              j.namespace,
              run ? el('a', { href: runHash(run.id) }, stateBadge(run.state, h)) : '–',
              run ? duration(run.durationMs) : '–',
              run ? when(run.startedAt) : '–',
            ],
          };
        }),
      ),
    ),
    section(
      'Datasets',
      'datasets-section',
      table(
        'datasets',
        ['dataset', 'namespace', 'fields', 'last modified'],
        datasets.map((d) => ({
          cells: [
            el('a', { href: datasetHash(d.namespace, d.name) }, d.name),
            d.namespace,
            String(d.fields.length),
            when(d.lastModifiedAt),
          ],
        })),
      ),
    ),
  ];
}
