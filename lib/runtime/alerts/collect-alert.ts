import { traceNode } from '../../../lineage/trace/index.ts';
import type { AslDocument } from '../../asl/compile-asl.ts';
import type { TriggerInput } from '../../asl/step-invocation.ts';
import type { ObjectStore } from '../object-store.ts';
import { readStepRecords, type StepRecord, type StepRecordsLocation } from '../step-record.ts';
import { buildAlert, type Alert, type AlertFacts } from './alert.ts';
import { graphFromAsl } from './pipeline-graph.ts';

/** How long an alert waits for the lineage catalog before going without it. */
const CATALOG_DEADLINE_MS = 3000;

/** Where an alert's facts come from. */
export interface AlertSources {
  readonly store: ObjectStore;
  /** Where the steps wrote their records (`SLUICE_STEP_RECORDS`); without it only the execution's error is known. */
  readonly records?: StepRecordsLocation;
  /** The ASL document the execution ran. */
  readonly asl: AslDocument;
  readonly execution: AlertFacts['execution'];
  readonly trigger?: TriggerInput;
  readonly lineagePageUrl?: string;
  /** A Marquez-compatible catalog to ask for further downstream jobs (other pipelines reading what was not updated). */
  readonly catalog?: { readonly url: string; readonly apiKey?: string };
}

/**
 * Gathers an execution's facts — the pipeline from its ASL, its steps' records, and the catalog when one is configured
 * and answers in time — and builds its alert (none for a clean success). The same code runs at the end of a local run
 * and in the alert function in AWS. The catalog is optional: the pipeline's own facts suffice for the alert.
 */
export async function collectAlert(
  sources: AlertSources,
): Promise<{ alert?: Alert; records: Map<string, StepRecord>; unreadable: string[] }> {
  const graph = graphFromAsl(sources.asl);
  const { records, unreadable } = sources.records
    ? await readStepRecords(sources.store, sources.records, graph.name, sources.execution.arn)
    : { records: new Map<string, StepRecord>(), unreadable: [] };
  const facts: AlertFacts = {
    graph,
    execution: sources.execution,
    ...(sources.trigger ? { trigger: sources.trigger } : {}),
    records,
    ...(sources.lineagePageUrl ? { lineagePageUrl: sources.lineagePageUrl } : {}),
  };
  const alert = buildAlert(facts);
  if (!alert || !sources.catalog || alert.notUpdated.datasets.length === 0) return { ...(alert ? { alert } : {}), records, unreadable };
  const catalogDownstream = await catalogJobs(sources.catalog, alert);
  return { alert: buildAlert({ ...facts, catalogDownstream }) ?? alert, records, unreadable };
}

/** Jobs outside the pipeline that the catalog shows downstream of the datasets the run did not update. */
async function catalogJobs(catalog: { url: string; apiKey?: string }, alert: Alert): Promise<{ jobs: string[]; note?: string }> {
  const own = `${alert.namespace}:${alert.pipeline}`;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CATALOG_DEADLINE_MS / 1000} s`)), CATALOG_DEADLINE_MS);
  });
  try {
    const found = new Set<string>();
    const ask = async (uri: string) => {
      const report = await traceNode(catalog.url, uri, { depth: 3, ...(catalog.apiKey ? { apiKey: catalog.apiKey } : {}) }).catch(
        (error: unknown) => {
          // A dataset the catalog never saw has no downstream there; anything else is the catalog's problem.
          if ((error as { code?: string }).code === 'TRACE_NOT_FOUND') return undefined;
          throw error;
        },
      );
      for (const j of report?.downstream.jobs ?? []) {
        const name = `${j.namespace}:${j.name}`;
        if (name !== own && !name.startsWith(`${own}.`)) found.add(name);
      }
    };
    await Promise.race([Promise.all(alert.notUpdated.datasets.map((d) => ask(d.uri))), deadline]);
    return { jobs: [...found].sort() };
  } catch (error) {
    // A URL may carry credentials; an alert never shows them.
    const where = catalog.url.replace(/\/\/[^/@]*@/, '//');
    return { jobs: [], note: `the catalog at ${where} could not be asked: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
