// A run: state, times, its facets (error, nominal time, parent), and the dataset versions it read and wrote.
import type { NodeRef, Run, RunDatasetVersion } from '../../../../marquez/api.ts';
import { enc, get } from '../api.ts';
import { el } from '../dom.ts';
import type { Child } from '../dom.ts';
import { badge, count, duration, rowsOf, stateBadge, subsetOf, when } from '../format.ts';
import { assertionsOf, quarantinedBy, runHealth } from '../health.ts';
import { datasetHash, jobHash, routeHash, runHash } from '../routes.ts';
import { copyable, facetBlock, keyValues, section, titleBlock } from './panel.ts';

/** The job a run belongs to: its job version once it ended, else none known. */
export const jobOfRun = (run: Run): NodeRef | undefined =>
  run.jobVersion ? { namespace: run.jobVersion.namespace, name: run.jobVersion.name } : undefined;

/** The command that prints the same trace in a terminal, against this catalog. */
export const traceCommand = (runId: string): string => `npx sluice trace ${runId} --url ${location.origin}`;

function testsCell(v: RunDatasetVersion): Child {
  const all = assertionsOf(v.facets);
  if (all.length === 0) return '';
  const failed = all.filter((a) => a.outcome === 'failed').length;
  const warned = all.filter((a) => a.outcome === 'warned').length;
  if (failed > 0) return badge(`${failed} of ${all.length} failed`, 'failed');
  if (warned > 0) return badge(`${warned} of ${all.length} warned`, 'warned');
  return badge(`${all.length} passed`, 'ok');
}

function versions(id: string, list: RunDatasetVersion[], quarantined: Set<string>): HTMLElement {
  if (list.length === 0) return el('p', { class: 'muted' }, 'none');
  return el(
    'ul',
    { class: 'io-list', id },
    list.map((v) => {
      const { namespace, name, version } = v.datasetVersionId;
      const q = quarantined.has(version);
      const rows = rowsOf(v.facets);
      const batch = subsetOf(v.facets);
      return el(
        'li',
        { class: `io${q ? ' quarantined' : ''}`, 'data-dataset': `${namespace}:${name}`, 'data-version': version },
        el(
          'div',
          { class: 'io-line' },
          el('a', { href: datasetHash(namespace, name) }, name),
          q ? badge('QUARANTINED', 'quarantined') : '',
          testsCell(v),
        ),
        el(
          'div',
          { class: 'muted io-detail' },
          'version ',
          el('a', { href: datasetHash(namespace, name, version), class: 'mono' }, version.slice(0, 8)),
          batch ? ` · ${batch}` : '',
          rows === undefined ? '' : ` · ${count(rows)} rows`,
        ),
      );
    }),
  );
}

/** The run view's panel and the job to centre the graph on (unknown until the run's terminal event). */
export async function runView(id: string): Promise<{ panel: HTMLElement[]; job: NodeRef | undefined }> {
  const run = await get<Run>(`jobs/runs/${enc(id)}`);
  const job = jobOfRun(run);
  const h = runHealth(run);
  const f = run.facets ?? {};
  const error = f.errorMessage;
  const parent = f.parent;
  const nominal = run.nominalStartTime ?? (typeof f.nominalTime?.nominalStartTime === 'string' ? f.nominalTime.nominalStartTime : null);
  const nominalEnd = run.nominalEndTime ?? (typeof f.nominalTime?.nominalEndTime === 'string' ? f.nominalTime.nominalEndTime : null);
  const quarantined = new Set(quarantinedBy(run).map((q) => q.datasetVersionId.version));
  const panel = [
    titleBlock('RUN', job ? job.name : run.id, [el('span', { class: 'mono' }, run.id)], stateBadge(run.state, h)),
    error && typeof error.message === 'string'
      ? el(
          'div',
          { class: 'error-box', id: 'run-error' },
          el('strong', {}, 'Error: '),
          error.message,
          typeof error.stackTrace === 'string'
            ? el('details', {}, el('summary', {}, 'stack trace'), el('pre', { class: 'mono' }, error.stackTrace))
            : '',
        )
      : '',
    keyValues([
      ['job', job ? el('a', { href: jobHash(job.namespace, job.name) }, `${job.namespace} : ${job.name}`) : 'not known until the run ends'],
      ['state', stateBadge(run.state, h)],
      ['started', when(run.startedAt)],
      ['ended', run.endedAt ? when(run.endedAt) : ''],
      ['duration', duration(run.durationMs)],
      ['nominal time', nominal ? `${when(nominal)}${nominalEnd ? ` → ${when(nominalEnd)}` : ''}` : ''],
      [
        'parent run',
        parent?.run?.runId
          ? [
              el('a', { href: runHash(parent.run.runId), class: 'mono', id: 'parent-run' }, parent.run.runId.slice(0, 8)),
              ` of ${parent.job?.namespace ?? ''} : ${parent.job?.name ?? ''}`,
            ]
          : '',
      ],
    ]),
    section('Read', 'run-inputs', versions('inputs', run.inputDatasetVersions ?? [], new Set())),
    section('Wrote', 'run-outputs', versions('outputs', run.outputDatasetVersions ?? [], quarantined)),
    section(
      'Trace',
      'run-trace',
      el(
        'p',
        {},
        el('a', { href: routeHash({ view: 'trace', id: run.id }), id: 'trace-link', class: 'button' }, 'Trace this run'),
        ' — root causes upstream, what it wrote, the blast radius downstream.',
      ),
      el('p', { class: 'muted' }, 'The same report in a terminal:'),
      copyable(traceCommand(run.id), 'trace-command'),
    ),
    Object.keys(f).length === 0
      ? ''
      : section(
          'Run facets',
          'run-facets',
          Object.entries(f).map(([k, v]) => facetBlock(k, v)),
        ),
  ].filter((x): x is HTMLElement => x !== '');
  return { panel, job };
}
