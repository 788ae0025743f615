// Row ids are each server's own: Marquez names a dataset version by a random row uuid in `/versions` and
// `currentVersion` but by a content hash in a run's IO, a job version likewise, and a parent job by its row uuid; the
// catalog uses hashes of names. So before two readings are compared, every version id is replaced by what it stands
// for (the dataset and the run that wrote it, `s3://lake:orders@<run id>`, or a job and the first run of that job
// version), and a parent job's uuid by a marker. Run ids come from the events, so they compare as they are.
import type { Reading } from './read-api.ts';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function visit(value: unknown, fn: (o: Obj) => void): void {
  if (Array.isArray(value)) for (const v of value) visit(v, fn);
  else if (isObj(value)) {
    fn(value);
    for (const v of Object.values(value)) visit(v, fn);
  }
}

const isRun = (o: Obj) => typeof o['id'] === 'string' && 'inputDatasetVersions' in o && 'outputDatasetVersions' in o;
const isDatasetVersion = (o: Obj) => 'createdByRun' in o && 'version' in o;

/** Maps every version id a reading mentions to a token naming the dataset (or job) and the run behind it. */
export function versionTokens(reading: Reading): Map<string, string> {
  const tokens = new Map<string, string>();
  const runsOfJobVersion = new Map<string, { job: string; runs: string[] }>();
  const inputs: Array<{ version: string; dataset: string }> = [];
  const versionRows: Obj[] = [];
  for (const answer of reading.values()) {
    visit(answer.body, (o) => {
      if (isDatasetVersion(o)) versionRows.push(o);
      if (!isRun(o)) return;
      for (const io of (o['outputDatasetVersions'] as Obj[]) ?? []) {
        const id = io['datasetVersionId'] as Obj;
        tokens.set(String(id['version']), `${id['namespace']}:${id['name']}@${o['id']}`);
      }
      for (const io of (o['inputDatasetVersions'] as Obj[]) ?? []) {
        const id = io['datasetVersionId'] as Obj;
        inputs.push({ version: String(id['version']), dataset: `${id['namespace']}:${id['name']}` });
      }
      const jv = o['jobVersion'] as Obj | null;
      if (jv && typeof jv['version'] === 'string') {
        const entry = runsOfJobVersion.get(jv['version']) ?? { job: `${jv['namespace']}:${jv['name']}`, runs: [] };
        entry.runs.push(String(o['id']));
        runsOfJobVersion.set(jv['version'], entry);
      }
    });
  }
  const runless = new Map<string, number>();
  for (const v of versionRows) {
    const run = isObj(v['createdByRun']) ? String(v['createdByRun']['id']) : undefined;
    const dataset = `${v['namespace']}:${v['name']}`;
    if (!run) runless.set(dataset, (runless.get(dataset) ?? 0) + 1);
    tokens.set(String(v['version']), `${dataset}@${run ?? 'no-run'}`);
  }
  // A version read by a run and written by none (an input mention, a DatasetEvent): named by its dataset alone.
  for (const i of inputs) if (!tokens.has(i.version)) tokens.set(i.version, `${i.dataset}@no-run`);
  for (const [dataset, n] of runless) if (n > 1) for (const [k, t] of tokens) if (t === `${dataset}@no-run`) tokens.set(k, `${t}*${n}`);
  for (const [version, { job, runs }] of runsOfJobVersion) tokens.set(version, `job ${job}#${[...new Set(runs)].sort()[0]}`);
  return tokens;
}

/** A copy of a reading with every version id replaced by its token, and job `currentVersion`s and `parentJobUuid`s by markers. */
export function tokenizeIds(reading: Reading): Reading {
  const tokens = versionTokens(reading);
  const swap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(swap);
    if (!isObj(value)) return value;
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      const versionKey = k === 'version' || k === 'currentVersion' || k === 'datasetVersion';
      if (k === 'parentJobUuid' && typeof v === 'string') out[k] = '<job id>';
      else if (versionKey && typeof v === 'string' && UUID.test(v)) {
        // A job's current version is a row id in Marquez that nothing else names; only whether there is one compares.
        if (k === 'currentVersion' && 'simpleName' in value) out[k] = '<job version>';
        else out[k] = tokens.get(v) ?? `<unknown version>`;
      } else out[k] = swap(v);
    }
    return out;
  };
  return new Map([...reading].map(([path, answer]) => [path, { status: answer.status, body: swap(answer.body) }]));
}
