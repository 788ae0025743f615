import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline } from '../../lib/index.ts';
import { runLocal } from '../../lib/local/index.ts';

const spec = definePipeline({
  name: 'twins',
  datasets: {
    raw: { bucket: 'twins', prefix: 'raw', format: 'csv', schema: z.object({ id: z.string(), n: z.int() }) },
    staged: { bucket: 'twins', prefix: 'staged', format: 'parquet' },
    rejected: { bucket: 'twins', prefix: 'rejected', format: 'parquet' },
  },
  triggers: [{ kind: 'upload', dataset: 'raw' }],
  steps: [{ name: 'ingest', kind: 'ingest', input: 'raw', output: 'staged', rejects: 'rejected' }],
});

describe('two local runs in one process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-twins-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('run at once, each with its own state directory and lineage settings, and leave process.env as it was', async () => {
    const before = { ...process.env };
    const runs = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const input = join(dir, `${name}.csv`);
        await writeFile(input, `id,n\n${name}1,1\n${name}2,2\n`);
        const events = join(dir, `${name}-events.jsonl`);
        const report = await runLocal(spec, {
          stateDir: join(dir, `state-${name}`),
          input,
          env: {
            OPENLINEAGE__TRANSPORT__TYPE: 'file',
            OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: events,
            OPENLINEAGE__TRANSPORT__APPEND: 'true',
          },
        });
        return { name, report, events: (await readFile(events, 'utf8')).trim().split('\n') };
      }),
    );
    for (const { name, report, events } of runs) {
      expect(report.status).toBe('SUCCEEDED');
      expect(report.stateDir).toBe(join(dir, `state-${name}`));
      // Each run's events went to its own file only: the pipeline run and its step, START and COMPLETE each.
      expect(events).toHaveLength(4);
      for (const line of events) expect(JSON.parse(line).run.runId === report.runId || line.includes(report.runId)).toBe(true);
    }
    expect(process.env).toEqual(before);
  });
});
