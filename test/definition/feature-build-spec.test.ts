import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline, isSluiceError, type PipelineDefinition } from '../../lib/index.ts';

function feature(options: Record<string, unknown>): PipelineDefinition {
  return {
    name: 'fs',
    datasets: {
      events: {
        bucket: 'fs-data',
        prefix: 'published/events',
        format: 'parquet',
        schema: z.object({ user: z.string(), amount: z.number() }),
      },
      features: { bucket: 'fs-data', prefix: 'features', format: 'parquet' },
    },
    triggers: [{ kind: 'schedule', name: 'daily', cron: 'cron(0 6 * * ? *)' }],
    steps: [
      {
        name: 'features',
        kind: 'featureBuild',
        inputs: { e: 'events' },
        output: 'features',
        sql: 'SELECT user FROM e',
        ...options,
      } as never,
    ],
  };
}

function problemsOf(definition: PipelineDefinition): string[] {
  try {
    definePipeline(definition);
  } catch (error) {
    if (isSluiceError(error) && error.code === 'SPEC_INVALID') return [...error.details];
    throw error;
  }
  return [];
}

describe('feature-build options in a pipeline definition', () => {
  it("accepts windows, params, a transform and declared lineage that name the step's inputs", () => {
    const spec = definePipeline(
      feature({
        windows: { e: { days: 7 } },
        params: { factor: 2, region: 'eu' },
        transform: 'addRank',
        columnLineage: { fields: { user: [{ from: 'e.user', subtype: 'IDENTITY' }] }, dataset: [{ from: 'e.amount', subtype: 'FILTER' }] },
      }),
    );
    expect(spec.steps[0]).toMatchObject({ windows: { e: { days: 7 } }, transform: 'addRank' });
  });

  it.each([
    [{ windows: { x: { days: 7 } } }, 'steps[0].windows.x: "x" is not an input of this step (inputs: e)'],
    [{ windows: { e: { days: 0 } } }, 'steps[0].windows.e.days: Too small: expected number to be >=1'],
    [{ params: { batch_id: 'b' } }, 'steps[0].params.batch_id: $batch_id is bound by Sluice ($nominal_time, $nominal_date, $batch_id)'],
    [
      { columnLineage: { fields: { user: [{ from: 'x.user' }] } } },
      'steps[0].columnLineage.fields.user[0].from: "x" is not an input of this step (inputs: e)',
    ],
    [
      { columnLineage: { fields: { user: [{ from: 'e.nope' }] } } },
      'steps[0].columnLineage.fields.user[0].from: "nope" is not a column of input e (columns: user, amount)',
    ],
    [
      { columnLineage: { fields: { user: [{ from: 'user' }] } } },
      'steps[0].columnLineage.fields.user[0].from: expected "<input alias>.<column>", got "user"',
    ],
    [{ columnLineage: { fields: {}, dataset: [{ from: 'e.amount', subtype: 'IDENTITY' }] } }, 'steps[0].columnLineage.dataset[0].subtype'],
  ])('fails when %j', (options, problem) => {
    expect(problemsOf(feature(options)).join('\n')).toContain(problem);
  });
});
