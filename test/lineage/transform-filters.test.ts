import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LineageConfigError,
  OpenLineageClient,
  TransformTransport,
  jobEvent,
  jobNamespaceReplaceTransformer,
  runEvent,
  uuidv7,
} from '../../lineage/index.ts';
import { parentRunFacet } from '../../lineage/client/facets.ts';
import { createTransport } from '../../lineage/client/transports/create-transport.ts';
import type { LineageEvent, Transport } from '../../lineage/index.ts';

type Sent = {
  job: { namespace: string; name: string };
  run?: { facets?: { parent?: { job: { namespace: string }; root?: { job: { namespace: string } } } } };
};

function recording(): Transport & { events: Sent[] } {
  const events: Sent[] = [];
  return { events, emit: async (e: LineageEvent) => void events.push(e as Sent) };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-transform-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const parentRunId = uuidv7();
const stepEvent = (name = 'churn.ingest') =>
  runEvent({
    eventType: 'START',
    run: {
      runId: uuidv7(),
      facets: {
        parent: parentRunFacet({
          run: { runId: parentRunId },
          job: { namespace: 'sluice', name: 'churn' },
          root: { run: { runId: parentRunId }, job: { namespace: 'sluice', name: 'churn' } },
        }),
      },
    },
    job: { namespace: 'sluice', name },
  });

const readLines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Sent);

describe('transform transport', () => {
  it('does replace the job, parent and root namespaces when configured like openlineage-python', async () => {
    const log = join(dir, 'events.jsonl');
    const client = new OpenLineageClient({
      env: {},
      config: {
        transport: {
          type: 'transform',
          transformer_class: 'openlineage.client.transport.transform.JobNamespaceReplaceTransformer',
          transformer_properties: { new_job_namespace: 'prod' },
          transport: { type: 'file', log_file_path: log, append: true },
        },
      },
    });
    expect(client.describe()).toBe(`transform (JobNamespaceReplaceTransformer) → file ${log}`);
    const original = stepEvent();
    await client.emit(original);
    const [sent] = await readLines(log);
    expect([sent!.job.namespace, sent!.run?.facets?.parent?.job.namespace, sent!.run?.facets?.parent?.root?.job.namespace]).toEqual([
      'prod',
      'prod',
      'prod',
    ]);
    expect(original.job.namespace).toBe('sluice');
  });

  it('does keep the parent namespace when include_parent_facet is false', async () => {
    const sink = recording();
    const transport = new TransformTransport(
      sink,
      jobNamespaceReplaceTransformer({ new_job_namespace: 'prod', include_parent_facet: 'false' }),
    );
    await transport.emit(stepEvent());
    await transport.emit(jobEvent({ job: { namespace: 'sluice', name: 'churn' } }));
    const [run, job] = sink.events;
    expect([run!.job.namespace, run!.run?.facets?.parent?.job.namespace, job!.job.namespace]).toEqual(['prod', 'sluice', 'prod']);
  });

  it('does skip the event and report it when the transformer throws or returns nothing', async () => {
    const sink = recording();
    const skipped: string[] = [];
    const throwing = new TransformTransport(
      sink,
      () => {
        throw new Error('bad rule');
      },
      { name: 'strict', onSkip: (m) => skipped.push(m) },
    );
    await expect(throwing.emit(stepEvent())).resolves.toBeUndefined();
    await new TransformTransport(sink, () => null).emit(stepEvent());
    expect(sink.events).toEqual([]);
    expect(skipped).toEqual(['transform transport: strict failed, event skipped: bad rule']);
  });

  it('fails when the transformer class is unknown or its properties are missing', () => {
    const config = (transformer_class: string, transformer_properties?: Record<string, unknown>) => ({
      type: 'transform',
      transformer_class,
      transformer_properties,
      transport: { type: 'console' },
    });
    expect(() => createTransport(config('my.module.Custom'))).toThrow(
      /transport.transformer_class: unknown transformer "my.module.Custom"/,
    );
    expect(() => createTransport(config('JobNamespaceReplaceTransformer'))).toThrow(
      'transport.transformer_properties.new_job_namespace: expected a non-empty string, got nothing',
    );
    expect(() => createTransport({ type: 'transform', transformer_class: 'JobNamespaceReplaceTransformer' })).toThrow(LineageConfigError);
  });
});

describe('filters', () => {
  const client = (filters: unknown[], sink: Transport) => new OpenLineageClient({ env: {}, transport: sink, config: { filters } });

  it('does drop RunEvents whose job name matches exactly or by a regex anchored at the start', async () => {
    const sink = recording();
    const filtered = client(
      [
        { type: 'exact', match: 'churn.test' },
        { type: 'regex', regex: 'tmp_.*' },
      ],
      sink,
    );
    for (const name of ['churn.ingest', 'churn.test', 'churn.test2', 'tmp_scratch', 'churn.tmp_x']) await filtered.emit(stepEvent(name));
    expect(sink.events.map((e) => e.job.name)).toEqual(['churn.ingest', 'churn.test2', 'churn.tmp_x']);
  });

  it('does let JobEvents through whatever their name', async () => {
    const sink = recording();
    await client([{ type: 'exact', match: 'churn' }], sink).emit(jobEvent({ job: { namespace: 'sluice', name: 'churn' } }));
    expect(sink.events).toHaveLength(1);
  });

  it('does read filters from the environment like the Python client', async () => {
    const log = join(dir, 'events.jsonl');
    const filtered = new OpenLineageClient({
      env: {
        OPENLINEAGE__TRANSPORT__TYPE: 'file',
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: log,
        OPENLINEAGE__TRANSPORT__APPEND: 'true',
        OPENLINEAGE__FILTERS: '[{"type":"regex","regex":"churn\\\\.(test|score)$"}]',
      },
    });
    for (const name of ['churn.ingest', 'churn.test', 'churn.score']) await filtered.emit(stepEvent(name));
    expect((await readLines(log)).map((e) => e.job.name)).toEqual(['churn.ingest']);
  });

  it('fails when a filter has no match, an unknown type or a regex that does not compile', () => {
    const sink = recording();
    expect(() => client([{ type: 'exact' }], sink)).toThrow(
      'invalid lineage configuration (filters): filters[0].match: missing; expected a string',
    );
    expect(() => client([{ type: 'glob', match: 'x' }], sink)).toThrow('filters[0].type: expected one of "exact", "regex", got "glob"');
    expect(() => client([{ type: 'regex', regex: '(' }], sink)).toThrow('filters[0].regex: expected a valid regular expression');
  });
});
