import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLocal } from '../../../lib/local/index.ts';
import type { RunReport } from '../../../lib/local/index.ts';
import { generateCustomers } from '../../../examples/churn/generate-data.ts';
import churn from '../../../examples/churn/pipeline.ts';

/** The churn example's real event stream: a good batch, then a bad one that fails its data tests. */
export type ChurnStream = { events: Record<string, unknown>[]; good: RunReport; bad: RunReport };

const exampleDir = join(import.meta.dirname, '..', '..', '..', 'examples', 'churn');

/** Runs the example twice (good, then bad batch) and returns the OpenLineage events it emitted, in order. */
export async function churnEventStream(rows = 500): Promise<ChurnStream> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-catalog-'));
  try {
    const eventsFile = join(dir, 'events.jsonl');
    const env = {
      OPENLINEAGE__TRANSPORT__TYPE: 'file',
      OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: eventsFile,
      OPENLINEAGE__TRANSPORT__APPEND: 'true',
    };
    await generateCustomers(join(dir, 'good.csv'), { rows });
    await generateCustomers(join(dir, 'bad.csv'), { rows, bad: true });
    const good = await runLocal(churn, { stateDir: join(dir, 'state'), input: join(dir, 'good.csv'), baseDir: exampleDir, env });
    const bad = await runLocal(churn, { stateDir: join(dir, 'state'), input: join(dir, 'bad.csv'), baseDir: exampleDir, env });
    const text = await readFile(eventsFile, 'utf8');
    const events = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { events, good, bad };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** POSTs one event (or raw text) to a catalog or Marquez. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/v1/lineage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

/** GETs a JSON answer from `/api/v1/…`. */
export async function getJson(url: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/v1/${path}`);
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}
