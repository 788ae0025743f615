// The trace of a run, computed in the page by the same code as `sluice trace` (lineage/trace reads only the Marquez
// API, so it runs in a browser too): root causes upstream, what the run wrote, the blast radius downstream.
import { traceNode } from '../../../../trace/index.ts';
import type { TraceReport, TracedRun, TracedVersion } from '../../../../trace/index.ts';
import { catalogKey, get } from '../api.ts';
import { el, showBusy } from '../dom.ts';
import type { Child } from '../dom.ts';
import { badge, count, stateBadge, when } from '../format.ts';
import { datasetHash, jobHash, runHash } from '../routes.ts';
import { copyable, section, table, titleBlock } from './panel.ts';
import { traceCommand } from './run.ts';

const runLink = (r: TracedRun): Child[] => [
  el('a', { href: jobHash(r.job.namespace, r.job.name) }, r.job.name),
  ' ',
  el('a', { href: runHash(r.id), class: 'mono' }, r.id.slice(0, 8)),
  ' ',
  stateBadge(r.state),
];

const versionLink = (v: TracedVersion): Child[] => [
  el('a', { href: datasetHash(v.namespace, v.name) }, v.name),
  ' ',
  el('a', { href: datasetHash(v.namespace, v.name, v.version), class: 'mono' }, v.subset ?? v.version.slice(0, 8)),
  v.rowCount === undefined ? '' : el('span', { class: 'muted' }, ` · ${count(v.rowCount)} rows`),
];

function rootCauses(report: TraceReport): HTMLElement {
  if (report.rootCauses.length === 0) return el('p', { class: 'muted' }, 'None found upstream: no failed data tests, no failed runs.');
  return el(
    'ol',
    { class: 'causes', id: 'root-causes' },
    report.rootCauses.map((c) =>
      c.kind === 'run'
        ? el('li', {}, 'failed run ', ...runLink(c.run), c.run.error ? el('div', { class: 'error-text' }, c.run.error) : '')
        : el(
            'li',
            {},
            ...versionLink(c.version),
            table(
              undefined,
              ['failed test', 'expected', 'actual'],
              c.version.failedAssertions.map((a) => ({
                class: a.severity === 'warn' ? 'warning' : 'failing',
                cells: [
                  [a.name ?? a.assertion, a.severity === 'warn' ? [' ', badge('WARN', 'warned')] : ''],
                  a.expected ?? '',
                  a.actual ?? '',
                ],
              })),
            ),
          ),
    ),
  );
}

/** The trace view's panel and the run's job (to centre the graph on). */
export async function traceView(id: string): Promise<{ panel: HTMLElement[]; job: { namespace: string; name: string } | undefined }> {
  // Asks for the key first when the catalog protects reads; the trace then sends it with every request.
  await get('namespaces?limit=1');
  showBusy('Tracing…');
  const key = catalogKey();
  const report = await traceNode(location.origin, id, key ? { apiKey: key } : {});
  showBusy('');
  const run = report.run;
  return {
    job: run?.job,
    panel: [
      titleBlock(
        'TRACE',
        run ? run.job.name : id,
        run ? [el('span', { class: 'mono' }, run.id), ` · started ${when(run.startedAt)}`] : '',
        run ? stateBadge(run.state) : '',
      ),
      run && run.id !== id
        ? el(
            'p',
            { class: 'muted' },
            `Run ${id.slice(0, 8)} is a pipeline run; traced through its ${run.state === 'FAILED' || run.state === 'ABORTED' ? 'failed' : 'last'} step run.`,
          )
        : '',
      run?.error ? el('div', { class: 'error-box' }, el('strong', {}, 'Error: '), run.error) : '',
      section('Root-cause candidates, nearest first', 'trace-causes', rootCauses(report)),
      section(
        'Upstream',
        'trace-upstream',
        el(
          'ol',
          { class: 'chain' },
          report.upstream.map((s) =>
            el(
              'li',
              {},
              ...runLink(s.run),
              el(
                'ul',
                { class: 'plain' },
                s.read.map((v) => el('li', {}, 'read ', ...versionLink(v))),
              ),
            ),
          ),
        ),
      ),
      report.written.length === 0
        ? ''
        : section(
            'Written by the run',
            'trace-written',
            el(
              'ul',
              { class: 'plain', id: 'written' },
              report.written.map((w) =>
                el(
                  'li',
                  { class: w.quarantined ? 'quarantined' : '' },
                  w.quarantined ? [badge('QUARANTINED', 'quarantined'), ' '] : '',
                  ...versionLink(w),
                ),
              ),
            ),
          ),
      section(
        'Downstream (blast radius)',
        'trace-downstream',
        el(
          'p',
          {},
          'jobs: ',
          report.downstream.jobs.length === 0
            ? 'none'
            : report.downstream.jobs.flatMap((j, i) => [i > 0 ? ', ' : '', el('a', { href: jobHash(j.namespace, j.name) }, j.name)]),
        ),
        el(
          'p',
          {},
          'datasets: ',
          report.downstream.datasets.length === 0
            ? 'none'
            : report.downstream.datasets.flatMap((d, i) => [
                i > 0 ? ', ' : '',
                el('a', { href: datasetHash(d.namespace, d.name) }, d.name),
              ]),
        ),
        el(
          'p',
          {},
          'runs that read what it wrote: ',
          report.downstream.runs.length === 0 ? 'none' : report.downstream.runs.flatMap((r) => [...runLink(r), ' ']),
        ),
      ),
      section(
        'In a terminal',
        'trace-cli',
        copyable(`${traceCommand(id)} --json`),
        el(
          'details',
          {},
          el('summary', {}, 'The report as JSON (what --json prints)'),
          el('pre', { class: 'mono', id: 'trace-json' }, JSON.stringify(report, null, 2)),
        ),
      ),
    ].filter((x): x is HTMLElement => x !== ''),
  };
}
