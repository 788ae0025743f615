// The README's example, kept here so it is type-checked and run; it imports the package entry as users do.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DirectoryOutbox, OpenLineageClient, SafeEmitter, facets, runEvent, uuidv7 } from 'sluice/lineage';

it('does run the README example when lineage goes to a file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-readme-'));
  const env = { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: join(dir, 'events.jsonl'), OPENLINEAGE__TRANSPORT__APPEND: 'true' };
  try {
    const outboxDir = join(dir, 'outbox');
    // README start
    // Configured like the Python client (openlineage.yml, OPENLINEAGE_URL, OPENLINEAGE__…); undelivered events wait in the outbox.
    const lineage = new SafeEmitter(new OpenLineageClient({ env }), { outbox: new DirectoryOutbox(outboxDir) });
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
