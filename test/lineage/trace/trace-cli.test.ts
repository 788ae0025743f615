import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalogServer } from '../../../lineage/catalog/index.ts';
import type { CatalogServer } from '../../../lineage/catalog/index.ts';
import { churnEventStream, post } from '../catalog/churn-events.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const node = join(root, 'node_modules', 'node', 'bin', 'node');

function sluice(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(node, ['--conditions=sluice-source', join(root, 'bin', 'sluice.ts'), ...args], {
      cwd: root,
      env: { ...process.env, OPENLINEAGE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('sluice trace (CLI)', () => {
  let catalog: CatalogServer;
  let badRun: string;
  beforeAll(async () => {
    const stream = await churnEventStream();
    badRun = stream.bad.runId;
    catalog = await startCatalogServer({ port: 0 });
    for (const event of stream.events) await post(catalog.url, event);
  }, 60_000);
  afterAll(async () => {
    await catalog?.close();
  });

  it('prints the report as JSON for the failed pipeline run', async () => {
    const out = await sluice(['trace', badRun, '--url', catalog.url, '--json']);
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as { run: { job: { name: string } }; rootCauses: unknown[] };
    expect(report.run.job.name).toBe('churn.test');
    expect(report.rootCauses).toHaveLength(1);
  });

  it('exits 2 for an unknown node or bad flags, 1 when the backend is down', async () => {
    expect(await sluice(['trace', 'nope', '--url', catalog.url])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no run, job or dataset'),
    });
    expect((await sluice(['trace', badRun, '--json', '--mermaid'])).code).toBe(2);
    expect((await sluice(['trace', badRun, '--url', 'http://127.0.0.1:1'])).code).toBe(1);
  });
});
