import { basename } from 'node:path';
import { runLocal, type RunReport } from '../../lib/local/index.ts';
import type { PipelineSpec } from '../../lib/index.ts';

/** What one object came to: its verdict and the rows each step counted. */
export interface ObjectOutcome {
  readonly verdict: 'PASSED' | 'QUARANTINED' | 'FAILED';
  readonly rowsIn?: number;
  readonly rejectedRows?: number;
  readonly published?: number;
  readonly tests?: { passed: number; failed: number; warned: number };
}

/** The pipeline's upload path cut to its ingest and data-test steps: what a backfill child runs per object. */
export function ingestAndTests(spec: PipelineSpec): PipelineSpec {
  return {
    ...spec,
    triggers: spec.triggers.filter((t) => t.kind === 'upload'),
    steps: spec.steps.filter((s) => s.kind === 'ingest' || s.kind === 'dataTests'),
  };
}

/** Runs each file through the single path (one upload, one execution) in one state directory, in order. */
export async function singlePathOutcomes(
  spec: PipelineSpec,
  files: readonly string[],
  options: { stateDir: string; baseDir: string; env: NodeJS.ProcessEnv; onFile?: (i: number) => void },
): Promise<Map<string, ObjectOutcome>> {
  const single = ingestAndTests(spec);
  const outcomes = new Map<string, ObjectOutcome>();
  for (const [i, file] of files.entries()) {
    const report = await runLocal(single, { stateDir: options.stateDir, baseDir: options.baseDir, input: file, env: options.env });
    outcomes.set(basename(file), singleOutcome(report));
    options.onFile?.(i);
  }
  return outcomes;
}

function singleOutcome(report: RunReport): ObjectOutcome {
  const ingest = report.steps.find((s) => s.kind === 'ingest');
  const tests = report.steps.find((s) => s.kind === 'dataTests');
  const verdict = report.status === 'SUCCEEDED' ? 'PASSED' : report.error?.name === 'Sluice.DATA_TESTS_FAILED' ? 'QUARANTINED' : 'FAILED';
  return verdict === 'PASSED'
    ? {
        verdict,
        rowsIn: ingest?.result?.rowsIn,
        rejectedRows: ingest?.result?.rejectedRows,
        published: tests?.result?.rowsOut,
        tests: tests?.result?.tests,
      }
    : { verdict };
}

/** The same per object from a backfill's report (by file name). */
export function backfillOutcomes(report: RunReport): Map<string, ObjectOutcome> {
  const outcomes = new Map<string, ObjectOutcome>();
  for (const o of report.backfill?.perObject ?? []) {
    const results = Object.values(o.results ?? {});
    const ingest = results.find((r) => r.kind === 'ingest');
    const tests = results.find((r) => r.kind === 'dataTests');
    const verdict = o.status === 'NOT_RUN' ? 'FAILED' : o.status;
    outcomes.set(
      basename(o.key),
      verdict === 'PASSED'
        ? { verdict, rowsIn: ingest?.rowsIn, rejectedRows: ingest?.rejectedRows, published: tests?.rowsOut, tests: tests?.tests }
        : { verdict },
    );
  }
  return outcomes;
}
