// The trace README's example, type-checked and run here against the embedded catalog.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCatalogServer } from 'sluice/catalog';
import type { CatalogServer } from 'sluice/catalog';
import { OpenLineageClient, facets, runEvent, uuidv7 } from 'sluice/lineage';
import { formatTrace, traceNode } from 'sluice/trace';
import { readmeImports, readmeSnippets } from '../../support/readme-snippets.ts';

const readme = join(import.meta.dirname, '..', '..', '..', 'lineage', 'trace', 'README.md');
let catalog: CatalogServer;
const runId = uuidv7();

beforeAll(async () => {
  catalog = await startCatalogServer({ port: 0 });
  const client = new OpenLineageClient({ config: { transport: { type: 'http', url: catalog.url } } });
  const job = { namespace: 'sluice', name: 'churn.test' };
  const outputs = [{ namespace: 's3://churn-data', name: 'quarantine/customers' }];
  await client.emit(runEvent({ eventType: 'START', run: { runId }, job, outputs }));
  await client.emit(
    runEvent({
      eventType: 'FAIL',
      run: { runId, facets: { errorMessage: facets.errorMessageRunFacet({ message: 'data tests failed' }) } },
      job,
      outputs,
    }),
  );
});
afterAll(async () => {
  await catalog?.close();
});

it('does run the README example against the embedded catalog', async () => {
  const url = catalog.url;
  // README start
  const report = await traceNode(url, 'churn.test');
  const text = formatTrace(report); // or formatTraceMermaid(report), or the report itself as JSON
  // README end
  expect(report.run).toMatchObject({ id: runId, state: 'FAILED', error: 'data tests failed' });
  expect(text).toContain(`Incident: sluice:churn.test run ${runId} FAILED`);
});

it('does show the example in lineage/trace/README.md, importing names the entries export', async () => {
  const text = await readFile(readme, 'utf8');
  for (const snippet of readmeSnippets(import.meta.filename)) expect(text).toContain(snippet);
  for (const [entry, names] of readmeImports(readme)) expect(Object.keys(await import(entry))).toEqual(expect.arrayContaining(names));
});
