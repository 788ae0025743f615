import type { TraceReport, TracedRun, TracedVersion } from './trace-model.ts';

const ds = (v: { namespace: string; name: string }) => `${v.namespace}/${v.name}`;
const runLine = (r: TracedRun) =>
  `${r.job.namespace}:${r.job.name} run ${r.id} ${r.state}${r.startedAt ? ` (started ${r.startedAt})` : ''}`;
const versionLine = (v: TracedVersion) =>
  `${ds(v)}${v.subset ? ` [${v.subset}]` : ''}${v.label ? ` version ${v.label}` : ` version ${v.version}`}${v.rowCount !== undefined ? `, ${v.rowCount} rows` : ''}`;

/** The report as text for a terminal: incident, root-cause candidates, upstream chain, what was written, blast radius. */
export function formatTrace(report: TraceReport): string {
  const out: string[] = [];
  if (report.run) {
    out.push(`Incident: ${runLine(report.run)}`);
    if (report.run.error) out.push(`  error: ${report.run.error}`);
  }
  if (report.dataset) out.push(`Dataset: ${versionLine(report.dataset)}`);
  out.push('', 'Root-cause candidates (nearest first):');
  if (report.rootCauses.length === 0) out.push('  none found upstream (no failed assertions, no failed runs)');
  for (const c of report.rootCauses) {
    if (c.kind === 'run') out.push(`  failed run ${runLine(c.run)}${c.run.error ? `: ${c.run.error}` : ''}`);
    else {
      out.push(`  ${versionLine(c.version)}${c.version.producedByRunId ? `, written by run ${c.version.producedByRunId}` : ''}`);
      for (const a of c.version.failedAssertions)
        out.push(
          `    ${a.outcome === 'warned' ? 'WARNED' : 'FAILED'} ${a.name ?? a.assertion}${a.column ? ` on ${a.column}` : ''}: expected ${a.expected ?? '?'}, got ${a.actual ?? '?'}`,
        );
    }
  }
  out.push('', 'Upstream:');
  for (const step of report.upstream) {
    out.push(`  ${runLine(step.run)}`);
    for (const v of step.read) out.push(`    read ${versionLine(v)}${v.producedByRunId ? ` ← run ${v.producedByRunId}` : ''}`);
  }
  if (report.written.length > 0) {
    out.push('', 'Written by the incident run:');
    for (const w of report.written)
      out.push(
        `  ${w.quarantined ? 'QUARANTINED ' : ''}${versionLine(w)}${w.rowCount === undefined && w.subset === undefined ? ' (declared, nothing written)' : ''}`,
      );
  }
  out.push('', 'Downstream (blast radius):');
  out.push(`  jobs: ${report.downstream.jobs.map((j) => `${j.namespace}:${j.name}`).join(', ') || 'none'}`);
  out.push(`  datasets: ${report.downstream.datasets.map(ds).join(', ') || 'none'}`);
  out.push(
    `  runs that read what the incident wrote: ${report.downstream.runs.map((r) => `${r.job.name} ${r.id} (${r.read.join(', ')})`).join('; ') || 'none'}`,
  );
  return `${out.join('\n')}\n`;
}

const esc = (text: string) => text.replace(/["<>]/g, (c) => `#${c.charCodeAt(0)};`);

/** The report as a Mermaid flowchart: upstream runs and versions, the incident, what it wrote and what lies downstream. */
export function formatTraceMermaid(report: TraceReport): string {
  const lines = ['flowchart LR'];
  const ids = new Map<string, string>();
  const id = (key: string, label: string, style?: string) => {
    if (!ids.has(key)) {
      const n = `n${ids.size}`;
      ids.set(key, n);
      lines.push(`  ${n}["${esc(label)}"]${style ? `:::${style}` : ''}`);
    }
    return ids.get(key)!;
  };
  // A version whose assertions only warned is drawn as warned, not failed.
  const bad = new Set(
    report.rootCauses.flatMap((c) =>
      c.kind === 'run' ? [c.run.id] : c.version.failedAssertions.some((a) => a.outcome === 'failed') ? [c.version.version] : [],
    ),
  );
  const warned = new Set(
    report.rootCauses.flatMap((c) => (c.kind === 'dataset-version' && !bad.has(c.version.version) ? [c.version.version] : [])),
  );
  const versionClass = (v: string) => (bad.has(v) ? 'failed' : warned.has(v) ? 'warned' : undefined);
  for (const step of report.upstream) {
    const r = id(step.run.id, `${step.run.job.name} · ${step.run.state}`, step.run.state === 'FAILED' ? 'failed' : undefined);
    for (const v of step.read) {
      const d = id(v.version, `${ds(v)}${v.subset ? ` · ${v.subset}` : ''}`, versionClass(v.version));
      lines.push(`  ${d} --> ${r}`);
      if (v.producedByRunId && ids.has(v.producedByRunId)) lines.push(`  ${ids.get(v.producedByRunId)} --> ${d}`);
    }
  }
  for (const step of report.upstream) {
    for (const v of step.read)
      if (v.producedByRunId && ids.has(v.producedByRunId) && !lines.includes(`  ${ids.get(v.producedByRunId)} --> ${ids.get(v.version)}`))
        lines.push(`  ${ids.get(v.producedByRunId)} --> ${ids.get(v.version)}`);
  }
  if (report.run) {
    const r = id(report.run.id, `${report.run.job.name} · ${report.run.state}`, report.run.state === 'FAILED' ? 'failed' : undefined);
    for (const w of report.written)
      lines.push(`  ${r} --> ${id(w.version, `${ds(w)}${w.subset ? ` · ${w.subset}` : ''}`, w.quarantined ? 'quarantined' : undefined)}`);
    for (const j of report.downstream.jobs) lines.push(`  ${r} -.-> ${id(`job:${j.namespace}:${j.name}`, j.name, 'downstream')}`);
    const writtenNames = new Set(report.written.map(ds));
    for (const d of report.downstream.datasets.filter((x) => !writtenNames.has(ds(x))))
      lines.push(`  ${r} -.-> ${id(`dataset:${ds(d)}`, ds(d), 'downstream')}`);
  }
  lines.push(
    '  classDef failed fill:#fdd,stroke:#c00',
    '  classDef warned fill:#fff4cc,stroke:#b80',
    '  classDef quarantined fill:#ffe8cc,stroke:#d60',
    '  classDef downstream stroke-dasharray:4',
  );
  return `${lines.join('\n')}\n`;
}
