import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice, scratchProject, writePipeline } from './project.ts';
import { serveCatalog, type ServedCatalog } from './serve-catalog.ts';
import { tally } from './tally.ts';

/**
 * A proxy in front of the catalog that passes each request on at once (the catalog stores the event) and holds the
 * answer back for `delayMs`, as a backend behind a slow network does: the sender gives up first and keeps the event.
 */
async function lateProxy(target: string, delayMs: () => number): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST') bodies.push(body.toString('utf8'));
      const url = new URL(req.url ?? '/', target);
      const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
        const back: Buffer[] = [];
        answer.on('data', (c: Buffer) => back.push(c));
        answer.on('end', () => {
          setTimeout(() => {
            if (res.destroyed) return;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(back));
          }, delayMs());
        });
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('a lineage backend that stores each event but answers after the sender’s deadline', () => {
  let dir: string;
  let project: Awaited<ReturnType<typeof scratchProject>>;
  let catalog: ServedCatalog;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-late-'));
    project = await scratchProject('late');
    catalog = await serveCatalog(dir, join(dir, 'catalog.db'));
  });
  afterAll(async () => {
    await catalog?.stop();
    await project?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('never fails the run, keeps every event in the outbox, and the replay stores each one once', async () => {
    const pipeline = await writePipeline(
      project.dir,
      'late.ts',
      `{
  name: 'late',
  datasets: {
    raw: { bucket: 'late-data', prefix: 'raw', format: 'csv', schema: z.object({ id: z.string(), n: z.int() }) },
    staged: { bucket: 'late-data', prefix: 'staged', format: 'parquet' },
    rejected: { bucket: 'late-data', prefix: 'rejected', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' }],
}`,
    );
    let late = true;
    const proxy = await lateProxy(catalog.url, () => (late ? 1_500 : 0));
    try {
      const runs = 3;
      let succeeded = 0;
      const state = join(project.dir, 'state');
      for (let i = 0; i < runs; i++) {
        const input = join(project.dir, `batch-${i}.csv`);
        await writeFile(input, `id,n\n${Array.from({ length: 100 }, (_, j) => `b${i}-${j},${j}`).join('\n')}\n`);
        const run = await runSluice(['run', '--state-dir', state, '--input', input, pipeline], {
          OPENLINEAGE__TRANSPORT__TYPE: 'http',
          OPENLINEAGE__TRANSPORT__URL: proxy.url,
          OPENLINEAGE__TRANSPORT__TIMEOUT: '0.5',
        });
        if (run.code === 0) succeeded += 1;
      }
      const kept = (await readdir(join(state, 'lineage', 'outbox'))).filter((f) => f.endsWith('.json')).length;
      late = false;
      const replay = await runSluice(['lineage', 'replay', '--state-dir', state, '--json'], { OPENLINEAGE_URL: proxy.url });
      expect(replay.code, replay.stderr).toBe(0);
      const distinct = new Set(proxy.bodies.map((b) => JSON.stringify(JSON.parse(b)))).size;
      const db = new DatabaseSync(join(dir, 'catalog.db'), { readOnly: true });
      const stored = (db.prepare('SELECT count(*) AS n FROM lineage_events').get() as { n: number }).n;
      db.close();
      tally({
        promise: 'no run fails because of lineage',
        scenario: 'runs whose every lineage answer came after the deadline',
        tried: runs,
        held: succeeded,
        lost: runs - succeeded,
        note: `${kept} events kept in the outbox`,
      });
      tally({
        promise: 'at-least-once lineage, idempotent replays',
        scenario: `events stored, answered late, kept and replayed: sent ${proxy.bodies.length} times in all`,
        tried: distinct,
        held: Math.min(distinct, stored),
        lost: Math.abs(distinct - stored),
        note: `${stored} stored for ${distinct} distinct events`,
      });
      expect(succeeded).toBe(runs);
      expect(kept).toBeGreaterThan(0);
      expect(proxy.bodies.length).toBeGreaterThan(distinct);
      expect(stored).toBe(distinct);
    } finally {
      await proxy.close();
    }
  });
});
