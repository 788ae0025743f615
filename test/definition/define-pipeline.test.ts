import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline, isSluiceError, parsePipelineSpec, type PipelineDefinition } from '../../lib/index.ts';
import { validDefinition } from '../support/pipelines.ts';

function problemsOf(definition: unknown): string[] {
  try {
    definePipeline(definition as PipelineDefinition);
  } catch (error) {
    if (isSluiceError(error) && error.code === 'SPEC_INVALID') return [...error.details];
    throw error;
  }
  return [];
}

function edit(change: (d: any) => void): PipelineDefinition {
  const d = validDefinition() as any;
  change(d);
  return d;
}

describe('definePipeline', () => {
  it('compiles a valid definition to plain JSON with typed columns', () => {
    const spec = definePipeline(validDefinition());
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(spec.namespace).toBe('sluice');
    expect(spec.datasets.raw?.columns).toEqual([
      { name: 'order_id', type: 'string', nullable: false },
      { name: 'amount', type: 'number', nullable: false },
      { name: 'qty', type: 'integer', nullable: false },
      { name: 'paid', type: 'boolean', nullable: true },
    ]);
    expect(spec.datasets.staged?.tests?.[0]).toEqual({ rule: 'notNull', column: 'order_id', severity: 'error' });
    expect(parsePipelineSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('passes semantics declared where uploads arrive on to the datasets ingest and the data tests write', () => {
    const spec = definePipeline(edit((d) => (d.datasets.raw.semantics = { upsert: { key: ['order_id'], orderBy: 'qty' } })));
    for (const name of ['raw', 'staged', 'published', 'quarantine']) {
      expect([name, spec.datasets[name]?.semantics]).toEqual([name, { upsert: { key: ['order_id'], orderBy: 'qty' } }]);
    }
    expect(spec.datasets.features?.semantics).toBeUndefined();
    const own = definePipeline(edit((d) => ((d.datasets.raw.semantics = 'snapshot'), (d.datasets.published.semantics = 'append'))));
    expect(own.datasets.published?.semantics).toBe('append');
  });

  it('maps every supported zod column type', () => {
    const spec = definePipeline(
      edit((d) => {
        d.datasets.staged.tests = [];
        d.datasets.raw.schema = z.object({
          s: z.string(),
          n: z.number().nullable(),
          i: z.int().optional(),
          b: z.boolean(),
          t: z.iso.datetime(),
          d: z.iso.date(),
          e: z.enum(['a', 'b']),
        });
      }),
    );
    expect(spec.datasets.raw?.columns?.map((c) => [c.name, c.type, c.nullable, c.enum])).toEqual([
      ['s', 'string', false, undefined],
      ['n', 'number', true, undefined],
      ['i', 'integer', true, undefined],
      ['b', 'boolean', false, undefined],
      ['t', 'timestamp', false, undefined],
      ['d', 'date', false, undefined],
      ['e', 'string', false, ['a', 'b']],
    ]);
  });

  it.each<[string, (d: any) => void, string]>([
    ['a missing name', (d) => delete d.name, 'name: required'],
    // A value of the wrong type is not "required": the message names the value and the type.
    ['a timeout that is text', (d) => (d.steps[0].timeoutSeconds = 'ten'), 'steps[0].timeoutSeconds: expected a number, got "ten"'],
    [
      'a row count that is not whole',
      (d) => (d.datasets.staged.tests = [{ rule: 'rowCount', min: 1.5 }]),
      'datasets.staged.tests[0].min: expected a whole number, got 1.5',
    ],
    ['a bad pipeline name', (d) => (d.name = '9 lives'), 'name: expected a name of letters'],
    ['a bad namespace', (d) => (d.namespace = 'has space'), 'namespace: expected 1-1024 characters'],
    ['a bad bucket', (d) => (d.datasets.raw.bucket = 'Bad_Bucket'), 'datasets.raw.bucket: expected an S3 bucket name'],
    ['a bad prefix', (d) => (d.datasets.raw.prefix = '/raw orders'), 'datasets.raw.prefix: expected a key prefix'],
    [
      'a prefix leading out of its bucket',
      (d) => (d.datasets.raw.prefix = 'raw/../../../escape'),
      'datasets.raw.prefix: expected a key prefix without "." or ".." segments, got "raw/../../../escape"',
    ],
    ['an unknown format', (d) => (d.datasets.raw.format = 'xml'), 'datasets.raw.format: expected "csv", "jsonl" or "parquet", got "xml"'],
    ['an unknown dataset key', (d) => (d.datasets.raw.partitions = 3), 'datasets.raw.partitions: unknown key'],
    ['a non-object schema', (d) => (d.datasets.raw.schema = z.string()), 'datasets.raw.schema: expected a z.object'],
    ['a date column', (d) => (d.datasets.raw.schema = z.object({ at: z.date() })), 'datasets.raw.schema: cannot be stored as plain JSON'],
    [
      'an unknown rule',
      (d) => (d.datasets.staged.tests = [{ rule: 'unicorn' }]),
      'datasets.staged.tests[0].rule: expected one of "notNull", "unique"',
    ],
    [
      'a range without bounds',
      (d) => (d.datasets.staged.tests = [{ rule: 'range', column: 'amount' }]),
      'datasets.staged.tests[0].min: expected min, max or both',
    ],
    [
      'a range with min > max',
      (d) => (d.datasets.staged.tests = [{ rule: 'range', column: 'amount', min: 5, max: 1 }]),
      'datasets.staged.tests[0].max: expected min <= max',
    ],
    [
      'a bad severity',
      (d) => (d.datasets.staged.tests = [{ rule: 'notNull', column: 'x', severity: 'fatal' }]),
      'datasets.staged.tests[0].severity',
    ],
    ['no triggers', (d) => (d.triggers = []), 'triggers: expected at least one trigger'],
    [
      'an unknown trigger kind',
      (d) => (d.triggers = [{ kind: 'webhook' }]),
      'triggers[0].kind: expected kind "upload" or "schedule", got "webhook"',
    ],
    [
      'a 5-field cron',
      (d) => d.triggers.push({ kind: 'schedule', name: 'n', cron: '0 6 * * *', startAt: 'features' }),
      'triggers[1].cron: expected an EventBridge cron',
    ],
    ['no steps', (d) => (d.steps = []), 'steps: expected at least one step'],
    [
      'an unknown step kind',
      (d) => (d.steps[1] = { name: 'x', kind: 'train' }),
      'steps[1].kind: expected kind "ingest", "dataTests", "featureBuild" or "batchScore", got "train"',
    ],
    ['a missing sql', (d) => delete d.steps[2].sql, 'steps[2].sql: required'],
    ['an empty sql', (d) => (d.steps[2].sql = '   '), 'steps[2].sql: required'],
    ['no feature inputs', (d) => (d.steps[2].inputs = {}), 'steps[2].inputs: expected at least one input'],
    ['a threshold above 1', (d) => (d.steps[3].threshold = 2), 'steps[3].threshold'],
    ['a missing model key', (d) => delete d.steps[3].model.key, 'steps[3].model.key: required'],
    [
      'an unknown model registry',
      (d) => (d.steps[3].model = { registry: 'sagemaker', name: 'm' }),
      'steps[3].model.registry: expected { bucket, key } or { registry: "mlflow", name, alias | version }, got registry "sagemaker"',
    ],
    [
      'an MLflow model with neither alias nor version',
      (d) => (d.steps[3].model = { registry: 'mlflow', name: 'churn' }),
      'steps[3].model.alias: expected exactly one of alias (e.g. "champion") or version (e.g. 3)',
    ],
    [
      'an MLflow model with both alias and version',
      (d) => (d.steps[3].model = { registry: 'mlflow', name: 'churn', alias: 'champion', version: 2 }),
      'steps[3].model.alias: expected exactly one of alias',
    ],
    [
      'an MLflow alias MLflow reserves',
      (d) => (d.steps[3].model = { registry: 'mlflow', name: 'churn', alias: 'latest' }),
      'steps[3].model.alias: "latest" is reserved by MLflow',
    ],
    [
      'an MLflow version that is not a number',
      (d) => (d.steps[3].model = { registry: 'mlflow', name: 'churn', version: 'v2' }),
      'steps[3].model.version: expected a version number such as 3, got "v2"',
    ],
    [
      'an S3 model field on an MLflow model',
      (d) => (d.steps[3].model = { registry: 'mlflow', name: 'churn', alias: 'champion', bucket: 'b' }),
      'steps[3].model.bucket: unknown key',
    ],
    [
      'a shard threshold of zero rows',
      (d) => (d.steps[3].shards = { minRows: 0 }),
      'steps[3].shards.minRows: expected a number of input rows, an integer from 1 to 9007199254740991, got 0',
    ],
    [
      'a fractional shard size',
      (d) => (d.steps[3].shards = { rowsPerShard: 2.5 }),
      'steps[3].shards.rowsPerShard: expected a number of rows per shard, an integer from 1 to 9007199254740991, got 2.5',
    ],
    [
      'a shard concurrency above the map limit',
      (d) => (d.steps[3].shards = { concurrency: 20_000 }),
      'steps[3].shards.concurrency: expected a number of shards scored at once, an integer from 1 to 10000, got 20000',
    ],
    ['an unknown shard setting', (d) => (d.steps[3].shards = { rows: 5 }), 'steps[3].shards.rows: unknown key'],
  ])('fails on %s', (_, change, expected) => {
    expect(problemsOf(edit(change)).join('\n')).toContain(expected);
  });

  it.each<[string, (d: any) => void, string]>([
    ['an unknown dataset in a step', (d) => (d.steps[1].publishTo = 'pub'), 'steps[1].publishTo: unknown dataset "pub"'],
    ['an unknown feature input', (d) => (d.steps[2].inputs = { orders: 'nope' }), 'steps[2].inputs.orders: unknown dataset "nope"'],
    ['a csv staging dataset', (d) => (d.datasets.staged.format = 'csv'), 'steps[0].output: dataset "staged" must have format "parquet"'],
    [
      'a rule on an unknown column',
      (d) => ((d.datasets.staged.tests = [{ rule: 'notNull', column: 'nope' }]), (d.datasets.staged.schema = z.object({ a: z.string() }))),
      'datasets.staged.tests[0].column: "nope" is not a column of dataset "staged"',
    ],
    [
      'an entity key not in the input schema',
      (d) => ((d.datasets.features.schema = z.object({ id: z.string() })), (d.steps[3].entityKey = 'order_id')),
      'steps[3].entityKey: "order_id" is not a column of dataset "features"',
    ],
    [
      'a rule on a column the ingested schema lacks',
      (d) => (d.datasets.staged.tests = [{ rule: 'notNull', column: 'nope' }]),
      'datasets.staged.tests[0].column: "nope" is not a column of dataset "staged" (columns: order_id, amount, qty, paid)',
    ],
    [
      'a freshness rule on a number',
      (d) => (d.datasets.staged.tests = [{ rule: 'freshness', column: 'amount', maxAge: '1d' }]),
      'datasets.staged.tests[0].column: a freshness rule needs a timestamp or date column; "amount" is number',
    ],
    [
      'a mean rule on text',
      (d) => (d.datasets.staged.tests = [{ rule: 'mean', column: 'order_id', max: 1 }]),
      'a mean rule needs a number or integer column; "order_id" is string',
    ],
    [
      'a referential rule to an unknown dataset',
      (d) => (d.datasets.staged.tests = [{ rule: 'referential', column: 'order_id', dataset: 'orders' }]),
      'datasets.staged.tests[0].dataset: unknown dataset "orders"',
    ],
    [
      'a referential rule to a missing column',
      (d) => (d.datasets.staged.tests = [{ rule: 'referential', column: 'order_id', dataset: 'raw', referencedColumn: 'id' }]),
      'datasets.staged.tests[0].referencedColumn: "id" is not a column of dataset "raw"',
    ],
    [
      'a bad duration',
      (d) => (d.datasets.staged.tests = [{ rule: 'freshness', column: 'order_id', maxAge: '3 days' }]),
      'datasets.staged.tests[0].maxAge: expected a duration like "30m", "26h" or "7d", got "3 days"',
    ],
    [
      'a bad regex',
      (d) => (d.datasets.staged.tests = [{ rule: 'pattern', column: 'order_id', regex: '([' }]),
      'datasets.staged.tests[0].regex: expected a valid regular expression',
    ],
    [
      'a fraction above 1',
      (d) => (d.datasets.staged.tests = [{ rule: 'nullFraction', column: 'amount', max: 2 }]),
      'datasets.staged.tests[0].max',
    ],
    [
      'an empty accepted values list',
      (d) => (d.datasets.staged.tests = [{ rule: 'acceptedValues', column: 'order_id', values: [] }]),
      'datasets.staged.tests[0].values',
    ],
    [
      'an empty sql predicate',
      (d) => (d.datasets.staged.tests = [{ rule: 'sql', name: 'x', predicate: ' ' }]),
      'datasets.staged.tests[0].predicate: required',
    ],
    [
      'a psi rule with one bin',
      (d) => (d.datasets.staged.tests = [{ rule: 'psi', column: 'amount', max: 0.2, bins: 1 }]),
      'datasets.staged.tests[0].bins',
    ],
    ['duplicate step names', (d) => (d.steps[1].name = 'ingest'), 'steps[1].name: duplicate step name "ingest"'],
    ['overlapping prefixes', (d) => (d.datasets.staged.prefix = 'raw/orders/staged'), 'overlaps dataset "raw"'],
    [
      'an upload to a dataset a step writes',
      (d) => (d.triggers = [{ kind: 'upload', dataset: 'staged' }]),
      'triggers[0].dataset: step "ingest" writes "staged"; an upload trigger watches a dataset that files arrive in, not one the pipeline writes',
    ],
    [
      'an upload to a dataset nobody reads',
      (d) => {
        d.datasets.other = { bucket: 'orders-data', prefix: 'raw/other', format: 'csv' };
        d.triggers.push({ kind: 'upload', dataset: 'other' });
      },
      'triggers[1].dataset: no step reads "other", so an upload would start a run with nothing to do; add an ingest step with input "other"',
    ],
    [
      'two upload triggers on one dataset',
      (d) => d.triggers.push({ kind: 'upload', dataset: 'raw' }),
      'triggers[1].dataset: triggers[0] already starts runs on uploads to "raw"',
    ],
    [
      'a feature step reading uploads directly',
      (d) => (d.steps[2].inputs = { orders: 'raw' }),
      'steps[2]: "raw" receives uploads (triggers[0]), which only an ingest step reads',
    ],
    [
      'steps listed against the data flow',
      (d) => (d.steps = [d.steps[0], d.steps[2], d.steps[1], d.steps[3]]),
      'steps[1]: step "features" reads "published", which step "test" (steps[2]) writes after it; list steps in the order data flows',
    ],
    [
      'an unknown semantics',
      (d) => (d.datasets.published.semantics = 'latest'),
      `datasets.published.semantics: expected "append", "snapshot" or { upsert: { key: ['id'], orderBy: 'updated_at' } }, got "latest"`,
    ],
    ['an upsert without key columns', (d) => (d.datasets.published.semantics = { upsert: { key: [] } }), 'datasets.published.semantics'],
    [
      'an upsert keyed by an unknown column',
      (d) => (d.datasets.published.semantics = { upsert: { key: ['id'], orderBy: 'at' } }),
      'datasets.published.semantics.upsert.key[0]: "id" is not a column of dataset "published"',
    ],
    [
      'an upsert ordered by an unknown column',
      (d) => (d.datasets.published.semantics = { upsert: { key: ['order_id'], orderBy: 'at' } }),
      'datasets.published.semantics.upsert.orderBy: "at" is not a column of dataset "published"',
    ],
    [
      'an ingest parts threshold of 0 bytes',
      (d) => (d.steps[0].parts = { above: 0 }),
      'steps[0].parts.above: expected the size above which an object is split as a number of bytes > 0',
    ],
    [
      'an ingest part size that is not whole',
      (d) => (d.steps[0].parts = { size: 1.5e6 + 0.5 }),
      'steps[0].parts.size: expected the size of a part as a whole number of bytes',
    ],
    [
      'ingest parts with no concurrency',
      (d) => (d.steps[0].parts = { concurrency: 0 }),
      'steps[0].parts.concurrency: expected at least 1 part at once',
    ],
    [
      'a maxRejectedFraction above 1',
      (d) => (d.datasets.raw.maxRejectedFraction = 1.5),
      'datasets.raw.maxRejectedFraction: expected a fraction from 0 to 1',
    ],
    [
      'an ingest setting on a dataset uploads do not arrive in',
      (d) => (d.datasets.staged.maxRejectedFraction = 0.1),
      'datasets.staged.maxRejectedFraction: applies to a dataset that uploads arrive in',
    ],
    [
      'an unknown extraColumns policy',
      (d) => (d.datasets.raw.extraColumns = 'drop'),
      'datasets.raw.extraColumns: expected "ignore", "reject" or "keep", got "drop"',
    ],
    [
      'extraColumns without a schema',
      (d) => {
        delete d.datasets.raw.schema;
        d.datasets.staged.tests = [];
        d.datasets.raw.extraColumns = 'keep';
      },
      'datasets.raw.extraColumns: needs a schema',
    ],
    [
      'a window over a snapshot dataset',
      (d) => {
        d.datasets.published.semantics = 'snapshot';
        d.steps[2].windows = { orders: { days: 3 } };
      },
      'steps[2].windows.orders: a window reads the batches of recent days, so its dataset must be append; "published" is snapshot',
    ],
    [
      'a step no trigger runs',
      (d) => {
        d.datasets.other = { bucket: 'orders-data', prefix: 'other', format: 'parquet' };
        d.steps[3].input = 'other';
      },
      'steps[3]: no trigger runs step "score"',
    ],
    [
      'a schedule starting at ingest',
      (d) => d.triggers.push({ kind: 'schedule', name: 'n', cron: 'cron(0 6 * * ? *)' }),
      'triggers[1].startAt: a schedule has no uploaded batch to ingest; start at a feature or scoring step (features, score)',
    ],
    [
      'a schedule starting at the data tests',
      (d) => d.triggers.push({ kind: 'schedule', name: 'n', cron: 'cron(0 6 * * ? *)', startAt: 'test' }),
      'triggers[1].startAt: a schedule has no uploaded batch to audit',
    ],
    [
      'a range rule on a text column',
      (d) => (
        (d.datasets.staged.schema = z.object({ order_id: z.string(), amount: z.number() })),
        (d.datasets.staged.tests = [{ rule: 'range', column: 'order_id', min: 1 }])
      ),
      'datasets.staged.tests[0].column: a range rule needs a number or integer column; "order_id" is string',
    ],
    [
      'a reserved column name',
      (d) => (d.datasets.raw.schema = z.object({ __record: z.string() })),
      'datasets.raw.schema.__record: names starting with "__" are reserved',
    ],
    [
      'a schedule starting at an unknown step',
      (d) => d.triggers.push({ kind: 'schedule', name: 'n', cron: 'cron(0 6 * * ? *)', startAt: 'x' }),
      'triggers[1].startAt: unknown step "x"',
    ],
    ['a step named like a reserved state', (d) => (d.steps[3].name = 'Failed'), 'steps[3].name: "Failed" is reserved'],
  ])('fails on %s', (_, change, expected) => {
    expect(problemsOf(edit(change)).join('\n')).toContain(expected);
  });

  it('validates a namespace taken from OPENLINEAGE_NAMESPACE', () => {
    const saved = process.env.OPENLINEAGE_NAMESPACE;
    process.env.OPENLINEAGE_NAMESPACE = 'bad namespace';
    try {
      expect(problemsOf(validDefinition()).join('\n')).toContain('namespace: expected 1-1024 characters');
    } finally {
      if (saved === undefined) delete process.env.OPENLINEAGE_NAMESPACE;
      else process.env.OPENLINEAGE_NAMESPACE = saved;
    }
  });

  it('lists every problem at once, each with its path', () => {
    const problems = problemsOf(
      edit((d) => {
        delete d.steps[2].sql;
        d.datasets.raw.format = 'xml';
        d.name = '';
      }),
    );
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(expect.arrayContaining(['steps[2].sql: required']));
  });

  it('puts the pipeline name and every problem in the message', () => {
    expect(() => definePipeline(edit((d) => delete d.steps[2].sql))).toThrowErrorMatchingInlineSnapshot(`
      [SluiceError: Pipeline definition "orders" is invalid:
        steps[2].sql: required]
    `);
  });
});
