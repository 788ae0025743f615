// The README's examples, kept here so they are type-checked and run; they import the package entry as users do.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { DirectoryOutbox, OpenLineageClient, SafeEmitter, facets, runEvent, uuidv7 } from 'sluice/lineage';
import { readmeImports, readmeSnippets } from '../support/readme-snippets.ts';

const readme = join(import.meta.dirname, '..', '..', 'lineage', 'README.md');

// The examples configure the client from the environment, as users do: point it at a file here.
async function fileTransportEnv(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-readme-'));
  vi.stubEnv('OPENLINEAGE__TRANSPORT__TYPE', 'file');
  vi.stubEnv('OPENLINEAGE__TRANSPORT__LOG_FILE_PATH', join(dir, 'events.jsonl'));
  vi.stubEnv('OPENLINEAGE__TRANSPORT__APPEND', 'true');
  return dir;
}
afterEach(() => {
  vi.unstubAllEnvs();
});

it('does run the README quick start', async () => {
  const dir = await fileTransportEnv();
  try {
    // README start
    const client = new OpenLineageClient();
    const job = { namespace: 'sluice', name: 'churn.ingest' };
    await client.emit(runEvent({ eventType: 'START', run: { runId: uuidv7() }, job })); // rejects when not delivered
    // README end
    const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { job: unknown }).job)).toEqual([job]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('does run the README example when lineage goes to a file', async () => {
  const dir = await fileTransportEnv();
  try {
    const outboxDir = join(dir, 'outbox');
    // README start
    // Configured like the Python client (openlineage.yml, OPENLINEAGE_URL, OPENLINEAGE__…); undelivered events wait in the outbox.
    const lineage = new SafeEmitter(new OpenLineageClient(), { outbox: new DirectoryOutbox(outboxDir) });
    const runId = uuidv7();
    const job = {
      namespace: 'sluice',
      name: 'churn.ingest',
      facets: { jobType: facets.jobTypeJobFacet({ processingType: 'BATCH', integration: 'SLUICE', jobType: 'TASK' }) },
    };
    await lineage.emit(runEvent({ eventType: 'START', run: { runId }, job }));
    // ... the step's work ...
    const { delivered } = await lineage.emit(runEvent({ eventType: 'COMPLETE', run: { runId }, job })); // never throws
    // README end
    expect(delivered).toBe(true);
    const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { eventType: string }).eventType)).toEqual(['START', 'COMPLETE']);
    expect(await new DirectoryOutbox(outboxDir).list()).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('does show these examples in lineage/README.md, importing names the entries export', async () => {
  const text = await readFile(readme, 'utf8');
  for (const snippet of readmeSnippets(import.meta.filename)) expect(text).toContain(snippet);
  for (const [entry, names] of readmeImports(readme)) expect(Object.keys(await import(entry))).toEqual(expect.arrayContaining(names));
});
