// A job: what it reads and writes, its pipeline, and its runs with state, duration and error.
import type { Job, NodeRef, RunList } from '../../../../marquez/api.ts';
import { enc, get } from '../api.ts';
import { el } from '../dom.ts';
import { duration, stateBadge, when } from '../format.ts';
import { runHealth } from '../health.ts';
import { datasetHash, jobHash, runHash } from '../routes.ts';
import { facetBlock, keyValues, section, titleBlock } from './panel.ts';

const links = (refs: NodeRef[]) =>
  refs.length === 0
    ? '–'
    : el(
        'ul',
        { class: 'plain' },
        refs.map((r) => el('li', {}, el('a', { href: datasetHash(r.namespace, r.name) }, r.name))),
      );

/** The job view's panel. */
export async function jobView(namespace: string, name: string): Promise<HTMLElement[]> {
  const path = `namespaces/${enc(namespace)}/jobs/${enc(name)}`;
  const [job, { runs, totalCount }] = await Promise.all([get<Job>(path), get<RunList>(`${path}/runs?limit=50`)]);
  const h = runHealth(job.latestRun);
  const jobType = job.facets?.jobType;
  const kind = typeof jobType?.jobType === 'string' ? jobType.jobType : 'JOB';
  return [
    titleBlock(
      kind === 'TASK' && job.parentJobName ? 'STEP' : kind,
      job.name,
      [
        job.namespace,
        job.parentJobName ? [' · step of ', el('a', { href: jobHash(job.namespace, job.parentJobName) }, job.parentJobName)] : '',
      ],
      job.latestRun ? stateBadge(job.latestRun.state, h) : stateBadge('NO RUN', 'none'),
    ),
    keyValues([
      [
        'latest run',
        job.latestRun
          ? el('a', { href: runHash(job.latestRun.id) }, `${job.latestRun.id.slice(0, 8)} · ${when(job.latestRun.startedAt)}`)
          : '',
      ],
      ['reads', links(job.inputs)],
      ['writes', links(job.outputs)],
      ['description', job.description ?? ''],
      ['location', job.location ?? ''],
      ['integration', typeof jobType?.integration === 'string' ? `${jobType.integration} · ${String(jobType.processingType ?? '')}` : ''],
    ]),
    section(
      `Runs (${totalCount})`,
      'runs-section',
      el(
        'ul',
        { class: 'run-list', id: 'runs' },
        runs.map((r) => {
          const rh = runHealth(r);
          const error = r.facets?.errorMessage?.message;
          return el(
            'li',
            { class: `run ${rh}`, 'data-run': r.id, 'data-state': r.state },
            el(
              'div',
              { class: 'run-line' },
              stateBadge(r.state, rh),
              el('a', { href: runHash(r.id), class: 'mono run-link' }, r.id.slice(0, 8)),
              el('span', { class: 'when' }, `${when(r.startedAt)} · ${duration(r.durationMs)}`),
            ),
            typeof error === 'string' ? el('div', { class: 'error-text' }, error) : '',
          );
        }),
      ),
      totalCount > runs.length ? el('p', { class: 'muted' }, `The latest ${runs.length} of ${totalCount} runs.`) : '',
    ),
    Object.keys(job.facets ?? {}).length === 0
      ? ''
      : section(
          'Job facets',
          'job-facets',
          Object.entries(job.facets).map(([k, v]) => facetBlock(k, v)),
        ),
  ].filter((x): x is HTMLElement => x !== '');
}
