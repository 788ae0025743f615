// What the page shows below the graph: the jobs overview, a job's runs, a dataset's versions with their data tests.
import type { DatasetFacets, DatasetVersionList, JobList, RunList } from '../../../marquez/api.ts';
import { enc, get } from './api.ts';
import { $, duration, el, stateBadge } from './dom.ts';

/** A job or dataset named by a node id. */
export type NodeName = { type: string; namespace: string; name: string };

/** The jobs with their latest run, failing ones highlighted; clears the graph. */
export async function overview(): Promise<void> {
  const { jobs } = await get<JobList>('jobs?limit=200');
  const rows = jobs.map((j) => {
    const run = j.latestRun;
    return el(
      'tr',
      { class: run && run.state === 'FAILED' ? 'failing' : '' },
      el('td', {}, el('a', { href: `#${enc(`job:${j.namespace}:${j.name}`)}` }, `${j.namespace} : ${j.name}`)),
      el('td', {}, run ? stateBadge(run.state) : '–'),
      el('td', {}, run ? duration(run.durationMs) : '–'),
      el('td', {}, run ? run.startedAt || '–' : '–'),
    );
  });
  $('#detail').replaceChildren(
    el('h2', {}, 'Jobs'),
    el(
      'table',
      { id: 'jobs' },
      el('tr', {}, el('th', {}, 'job'), el('th', {}, 'latest run'), el('th', {}, 'duration'), el('th', {}, 'started')),
      rows,
    ),
  );
  $('#graph').replaceChildren();
}

/** A job's runs: state, duration, start and error. */
export async function jobDetail(id: NodeName): Promise<HTMLElement[]> {
  const { runs } = await get<RunList>(`namespaces/${enc(id.namespace)}/jobs/${enc(id.name)}/runs?limit=50`);
  const rows = runs.map((r) =>
    el(
      'tr',
      { class: r.state === 'FAILED' ? 'failing' : '' },
      el('td', { class: 'mono' }, r.id),
      el('td', {}, stateBadge(r.state)),
      el('td', {}, duration(r.durationMs)),
      el('td', {}, r.startedAt || '–'),
      el('td', {}, (r.facets && r.facets.errorMessage && r.facets.errorMessage.message) || ''),
    ),
  );
  return [
    el('h2', {}, `Job ${id.namespace} : ${id.name}`),
    el('h3', {}, 'Runs'),
    el(
      'table',
      { id: 'runs' },
      el('tr', {}, el('th', {}, 'run'), el('th', {}, 'state'), el('th', {}, 'duration'), el('th', {}, 'started'), el('th', {}, 'error')),
      rows,
    ),
  ];
}

// The batch a version holds, from the `subset` facet's partition dimensions (`batch=…`).
function subsetOf(facets: DatasetFacets | null | undefined): string {
  const s = facets && facets.subset && (facets.subset.outputCondition || facets.subset.inputCondition);
  const d = s && typeof s === 'object' && 'partitions' in s && s.partitions && s.partitions[0] && s.partitions[0].dimensions;
  return d
    ? Object.entries(d)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',')
    : '';
}

/** A dataset's versions: the batch, quarantined when its run failed, schema, data-test assertions and metrics. */
export async function datasetDetail(id: NodeName): Promise<HTMLElement[]> {
  const { versions } = await get<DatasetVersionList>(`namespaces/${enc(id.namespace)}/datasets/${enc(id.name)}/versions?limit=20`);
  const blocks = versions.map((v) => {
    const run = v.createdByRun;
    const quarantined = run && run.state === 'FAILED';
    const out = run && run.outputDatasetVersions.find((o) => o.datasetVersionId.version === v.version);
    const batch = subsetOf(out && out.facets) || subsetOf(v.facets);
    const assertions = (v.facets.dataQualityAssertions && v.facets.dataQualityAssertions.assertions) || [];
    const metrics = (v.facets.dataQualityMetrics && v.facets.dataQualityMetrics.columnMetrics) || {};
    const failed = assertions.some((a) => a.success === false);
    return el(
      'section',
      { class: `version${quarantined ? ' quarantined' : ''}${failed ? ' failed-assertions' : ''}` },
      el(
        'h4',
        {},
        quarantined ? el('span', { class: 'state state-failed' }, 'QUARANTINED') : '',
        ' ',
        batch || v.version,
        ' ',
        el('span', { class: 'muted' }, `created ${v.createdAt}${run ? ` by run ${run.id} (${run.state})` : ''}`),
      ),
      el(
        'table',
        { class: 'schema' },
        el('tr', {}, el('th', {}, 'field'), el('th', {}, 'type')),
        v.fields.map((f) => el('tr', {}, el('td', {}, f.name), el('td', {}, f.type || ''))),
      ),
      assertions.length === 0
        ? ''
        : el(
            'table',
            { class: 'assertions' },
            el('tr', {}, el('th', {}, 'assertion'), el('th', {}, 'column'), el('th', {}, 'result'), el('th', {}, 'actual')),
            assertions.map((a) =>
              el(
                'tr',
                { class: a.success ? '' : 'failing' },
                el('td', {}, a.name || a.assertion),
                el('td', {}, a.column || ''),
                el('td', {}, a.success ? 'passed' : 'FAILED'),
                el('td', {}, a.actual || ''),
              ),
            ),
          ),
      Object.keys(metrics).length === 0
        ? ''
        : el(
            'table',
            { class: 'metrics' },
            el('tr', {}, el('th', {}, 'column'), el('th', {}, 'nulls'), el('th', {}, 'distinct'), el('th', {}, 'min'), el('th', {}, 'max')),
            Object.entries(metrics).map(([c, m]) =>
              el(
                'tr',
                {},
                el('td', {}, c),
                el('td', {}, m.nullCount ?? ''),
                el('td', {}, m.distinctCount ?? ''),
                el('td', {}, m.min ?? ''),
                el('td', {}, m.max ?? ''),
              ),
            ),
          ),
    );
  });
  return [el('h2', {}, `Dataset ${id.namespace} : ${id.name}`), el('h3', {}, 'Versions'), ...blocks];
}
