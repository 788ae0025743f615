import { SluiceError } from '../../core/errors.ts';
import type { StepResult } from '../asl/step-invocation.ts';
import { ChildInputSchema, ChildOutputSchema, MapRunManifestSchema, MapRunResultsSchema } from '../asl/map-run-results.ts';
import type { ObjectStore } from '../runtime/object-store.ts';

/** What happened to one object of a backfill. */
export interface BackfillObject {
  readonly key: string;
  /**
   * quarantined: a data test failed, so its batch was kept back; failed: any other error; not run: a child stops at
   * its first object that does not pass, so the objects after it in the same child did not run.
   */
  readonly status: 'PASSED' | 'QUARANTINED' | 'FAILED' | 'NOT_RUN';
  /** Each step's result, by step name: objects that passed, unless their child failed later (its output is lost). */
  readonly results?: Readonly<Record<string, StepResult>>;
  /** Why the object did not pass, or why the child it ran in failed. */
  readonly error?: { readonly name: string; readonly message: string };
  readonly childExecutionArn: string;
}

/** The outcome of a backfill, read from the Distributed Map's ResultWriter files. */
export interface BackfillReport {
  readonly dataset: string;
  readonly mapRunArn: string;
  /** Where the ResultWriter's manifest is. */
  readonly manifest: { readonly bucket: string; readonly key: string };
  readonly children: number;
  readonly objects: number;
  readonly passed: number;
  readonly quarantined: number;
  readonly failed: number;
  readonly notRun: number;
  /** Objects that passed in a child that failed later: published, but their rows are not in the counts below. */
  readonly passedUncounted: number;
  /** Rows read from the raw objects and rows published, over the objects that passed. */
  readonly rowsIn: number;
  readonly rowsPublished: number;
  readonly rejectedRows: number;
  readonly perObject: readonly BackfillObject[];
}

/** The error name a data-test step fails with when its batch is quarantined. */
const QUARANTINE_ERROR = 'Sluice.DATA_TESTS_FAILED';

/**
 * Reads a backfill's outcome from what the Distributed Map's ResultWriter wrote (the same files in AWS and locally):
 * each object passed, was quarantined by its data tests, or failed, with rows counted over the objects that passed.
 */
export async function readBackfillReport(
  store: ObjectStore,
  dataset: string,
  manifest: { bucket: string; key: string },
  steps: { readonly ingest?: string; readonly published?: string },
): Promise<BackfillReport> {
  const parsed = MapRunManifestSchema.safeParse(JSON.parse(await store.getText(manifest.bucket, manifest.key)));
  if (!parsed.success) throw new SluiceError('BACKFILL_RESULTS', `s3://${manifest.bucket}/${manifest.key}: not a ResultWriter manifest`);
  const perObject: BackfillObject[] = [];
  let children = 0;
  for (const file of Object.values(parsed.data.ResultFiles).flat()) {
    const entries = MapRunResultsSchema.parse(JSON.parse(await store.getText(manifest.bucket, file.Key)));
    for (const entry of entries) {
      children++;
      if (entry.Status === 'SUCCEEDED') {
        for (const object of ChildOutputSchema.parse(JSON.parse(entry.Output ?? '[]'))) {
          const results = Object.fromEntries(Object.entries(object.results).map(([name, r]) => [name, r.output]));
          perObject.push({ key: object.key, status: 'PASSED', results, childExecutionArn: entry.ExecutionArn });
        }
      } else {
        const failure = failedObject(entry.Error ?? 'States.Failed', entry.Cause ?? '');
        const items = ChildInputSchema.parse(JSON.parse(entry.Input)).Items;
        const at = failure.index ?? -1;
        items.forEach((item, i) => {
          const status =
            at < 0 || i === at ? (failure.error.name === QUARANTINE_ERROR ? 'QUARANTINED' : 'FAILED') : i < at ? 'PASSED' : 'NOT_RUN';
          perObject.push({ key: item.key, status, error: failure.error, childExecutionArn: entry.ExecutionArn });
        });
      }
    }
  }
  perObject.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const sum = (pick: (o: BackfillObject) => number | undefined) => perObject.reduce((n, o) => n + (pick(o) ?? 0), 0);
  const ingest = (o: BackfillObject) => (steps.ingest ? o.results?.[steps.ingest] : undefined);
  return {
    dataset,
    mapRunArn: parsed.data.MapRunArn,
    manifest,
    children,
    objects: perObject.length,
    passed: perObject.filter((o) => o.status === 'PASSED').length,
    quarantined: perObject.filter((o) => o.status === 'QUARANTINED').length,
    failed: perObject.filter((o) => o.status === 'FAILED').length,
    notRun: perObject.filter((o) => o.status === 'NOT_RUN').length,
    passedUncounted: perObject.filter((o) => o.status === 'PASSED' && !o.results).length,
    rowsIn: sum((o) => ingest(o)?.rowsIn),
    rowsPublished: sum((o) => (steps.published ? o.results?.[steps.published]?.rowsOut : undefined)),
    rejectedRows: sum((o) => ingest(o)?.rejectedRows),
    perObject,
  };
}

/**
 * The place in the child's Items of the object a failed child stopped at, and its error, from the child's cause
 * (`<index>: <cause>`, written by the child's last states); a Lambda error's cause is itself JSON in AWS (`{"errorMessage", …}`).
 */
function failedObject(name: string, cause: string): { index?: number; error: { name: string; message: string } } {
  const match = /^(\d+): ([\s\S]*)$/.exec(cause);
  if (!match) return { error: { name, message: cause } };
  const message = parseJson(match[2]!)?.['errorMessage'];
  return { index: Number(match[1]), error: { name, message: typeof message === 'string' ? message : match[2]! } };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
