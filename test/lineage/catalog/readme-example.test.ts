// The catalog README's example, type-checked and run here; it imports the package entries as users do.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startCatalogServer } from 'sluice/catalog';
import type { marquez } from 'sluice/catalog';
import { OpenLineageClient, runEvent, uuidv7 } from 'sluice/lineage';
import { readmeImports, readmeSnippets } from '../../support/readme-snippets.ts';

const readme = join(import.meta.dirname, '..', '..', '..', 'lineage', 'catalog', 'README.md');

it('does run the README example: events in over HTTP, Marquez shapes out', async () => {
  // README start
  const catalog = await startCatalogServer({ port: 0 }); // 127.0.0.1, a free port, in memory; `db` names a SQLite file
  const client = new OpenLineageClient({ config: { transport: { type: 'http', url: catalog.url } } }); // or OPENLINEAGE_URL
  await client.emit(runEvent({ eventType: 'COMPLETE', run: { runId: uuidv7() }, job: { namespace: 'sluice', name: 'churn' } }));
  const { jobs } = (await (await fetch(`${catalog.url}/api/v1/jobs`)).json()) as marquez.JobList;
  await catalog.close();
  // README end
  expect(jobs.map((j) => [j.id, j.latestRun?.state])).toEqual([[{ namespace: 'sluice', name: 'churn' }, 'COMPLETED']]);
});

it('does show the example in lineage/catalog/README.md, importing names the entries export', async () => {
  const text = await readFile(readme, 'utf8');
  for (const snippet of readmeSnippets(import.meta.filename)) expect(text).toContain(snippet);
  for (const [entry, names] of readmeImports(readme)) expect(Object.keys(await import(entry))).toEqual(expect.arrayContaining(names));
});
