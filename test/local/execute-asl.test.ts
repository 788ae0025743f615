import { describe, expect, it } from 'vitest';
import { executeAsl } from '../../lib/local/execute-asl.ts';
import { compileAsl, definePipeline, substituteAsl } from '../../lib/index.ts';
import { twoSourceDefinition, validDefinition } from '../support/pipelines.ts';

const asl = substituteAsl(compileAsl(definePipeline(validDefinition())), {});
const options = {
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:orders:x',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:orders',
};
const ok = (name: string) => async () => ({ step: name });

describe('executeAsl', () => {
  it('retries a step that throws Sluice.Retryable and counts its attempts like Step Functions', async () => {
    const seen: number[] = [];
    let calls = 0;
    const flaky = async (payload: any) => {
      seen.push(payload.attempt);
      if (++calls < 3) throw Object.assign(new Error('S3 answered 503'), { name: 'Sluice.Retryable' });
      return { step: 'test' };
    };
    const outcome = await executeAsl(
      asl,
      { trigger: { kind: 'upload', dataset: 'raw', bucket: 'b', key: 'raw/orders/a.csv' } },
      {
        ...options,
        handlers: { ingest: ok('ingest'), test: flaky, features: ok('features'), score: ok('score') },
      },
    );
    expect(outcome.status).toBe('SUCCEEDED');
    expect(seen).toEqual([0, 1, 2]);
    expect(outcome.attempts.map((a) => [a.state, a.attempt, a.error?.name])).toEqual([
      ['ingest', 0, undefined],
      ['test', 0, 'Sluice.Retryable'],
      ['test', 1, 'Sluice.Retryable'],
      ['test', 2, undefined],
      ['features', 0, undefined],
      ['score', 0, undefined],
    ]);
  });

  it('does not retry a terminal error and ends in the Failed state with its name and message', async () => {
    let calls = 0;
    const outcome = await executeAsl(
      asl,
      { trigger: { kind: 'upload', dataset: 'raw', bucket: 'b', key: 'raw/orders/a.csv' } },
      {
        ...options,
        handlers: {
          ingest: async () => {
            calls++;
            throw Object.assign(new Error('bad header'), { name: 'Sluice.INGEST_HEADER' });
          },
        },
      },
    );
    expect(calls).toBe(1);
    expect(outcome).toMatchObject({ status: 'FAILED', error: { name: 'Sluice.INGEST_HEADER', message: 'bad header' } });
  });

  it('stops an execution started without a trigger before any step runs', async () => {
    const outcome = await executeAsl(asl, {}, { ...options, handlers: { ingest: ok('ingest') } });
    expect(outcome).toMatchObject({ status: 'FAILED', error: { name: 'Sluice.InvalidInput' }, attempts: [] });
  });

  describe('a pipeline with two upload sources', () => {
    const shop = substituteAsl(compileAsl(definePipeline(twoSourceDefinition())), {});
    const names = ['ingest_customers', 'test_customers', 'ingest_orders', 'test_orders', 'features', 'score'];
    const handlers = Object.fromEntries(names.map((n) => [n, ok(n)]));
    const ran = async (trigger: Record<string, unknown>) => {
      const outcome = await executeAsl(shop, { trigger }, { ...options, handlers });
      return { status: outcome.status, steps: outcome.attempts.map((a) => a.state) };
    };

    it.each([
      ['customers', { kind: 'upload', dataset: 'raw_customers', bucket: 'shop-data', key: 'raw/customers/c.csv' }, [0, 1, 4, 5]],
      ['orders', { kind: 'upload', dataset: 'raw_orders', bucket: 'shop-data', key: 'raw/orders/o.jsonl' }, [2, 3, 4, 5]],
      ['the nightly schedule', { kind: 'schedule', name: 'nightly', nominalTime: '2026-11-23T06:00:00Z' }, [4, 5]],
    ])('runs only the steps an upload of %s feeds', async (_, trigger, steps) => {
      expect(await ran(trigger)).toEqual({ status: 'SUCCEEDED', steps: steps.map((i) => names[i]) });
    });

    it('fails an execution whose trigger names no trigger of the pipeline, before any step', async () => {
      const outcome = await executeAsl(
        shop,
        { trigger: { kind: 'upload', dataset: 'raw_returns', bucket: 'b', key: 'k' } },
        { ...options, handlers },
      );
      expect(outcome).toMatchObject({ status: 'FAILED', error: { name: 'Sluice.InvalidInput' }, attempts: [] });
      expect((outcome as { error: { message: string } }).error.message).toContain(
        'upload raw_customers, upload raw_orders, schedule nightly',
      );
    });
  });
});
