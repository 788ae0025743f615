import { describe, expect, it } from 'vitest';
import {
  statusChangeRunEvent,
  pipelineIdentityFromEnv,
  type ExecutionStatusChange,
} from '../../lib/runtime/lineage/status-change-event.ts';
import { pipelineRunId } from '../../lib/runtime/lineage/run-ids.ts';
import { apiKeyFromSecret, loadLineageApiKey } from '../../lib/runtime/lineage/api-key-secret.ts';
import { churn } from './support.ts';

const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:churn:run-1';
const identity = pipelineIdentityFromEnv({
  SLUICE_PIPELINE: JSON.stringify({ name: churn.name, namespace: churn.namespace, datasets: churn.datasets }),
});
const upload = {
  trigger: {
    kind: 'upload',
    dataset: 'raw',
    bucket: 'churn-data',
    key: 'raw/customers/a.csv',
    versionId: 'v1',
    etag: 'e',
    size: 1,
    time: '2026-01-01T00:00:00Z',
  },
};

function change(status: string, extra: Partial<ExecutionStatusChange['detail']> = {}): ExecutionStatusChange {
  return {
    'detail-type': 'Step Functions Execution Status Change',
    detail: { executionArn: ARN, status, input: JSON.stringify(upload), ...extra },
  };
}

describe('lineage-status: execution status change → pipeline-run event', () => {
  it.each([
    ['RUNNING', 'START'],
    ['SUCCEEDED', 'COMPLETE'],
    ['FAILED', 'FAIL'],
    ['TIMED_OUT', 'FAIL'],
    ['ABORTED', 'ABORT'],
  ])('maps %s to %s for the run id of the execution ARN', (status, eventType) => {
    const event = statusChangeRunEvent(identity, change(status))!;
    expect(event.eventType).toBe(eventType);
    expect(event.run.runId).toBe(pipelineRunId(ARN));
    expect(event.job).toMatchObject({ namespace: churn.namespace, name: 'churn' });
    expect(event.inputs).toMatchObject([{ namespace: 's3://churn-data', name: 'raw/customers' }]);
  });

  it('carries the error of a failed or timed-out execution', () => {
    const failed = statusChangeRunEvent(identity, change('FAILED', { error: 'Sluice.DATA_TESTS_FAILED', cause: '2 rules failed' }))!;
    expect(failed.run.facets?.['errorMessage']).toMatchObject({ message: 'Sluice.DATA_TESTS_FAILED: 2 rules failed' });
    const timedOut = statusChangeRunEvent(identity, change('TIMED_OUT'))!;
    expect(timedOut.run.facets?.['errorMessage']).toMatchObject({ message: 'States.Timeout: the execution timed out' });
  });

  it('records the nominal time of a scheduled run', () => {
    const input = JSON.stringify({
      trigger: { kind: 'schedule', name: 'nightly', nominalTime: '2026-01-02T06:00:00Z', startAt: 'features' },
    });
    const event = statusChangeRunEvent(identity, change('RUNNING', { input }))!;
    expect(event.run.facets?.['nominalTime']).toMatchObject({ nominalStartTime: '2026-01-02T06:00:00Z' });
  });

  it('skips statuses lineage does not record, and fails when the input has no trigger', () => {
    expect(statusChangeRunEvent(identity, change('PENDING_REDRIVE'))).toBeUndefined();
    expect(() => statusChangeRunEvent(identity, change('RUNNING', { input: '{}' }))).toThrow(
      /execution .*run-1: its input has no valid "trigger"/,
    );
  });

  it("records a backfill's own run, and leaves its Distributed Map's child executions to it", () => {
    const input = JSON.stringify({
      trigger: {
        kind: 'backfill',
        dataset: 'raw',
        prefix: 'raw/customers/',
        concurrency: 4,
        objectsPerChild: 1,
        toleratedFailurePercentage: 0,
      },
    });
    const event = statusChangeRunEvent(identity, change('RUNNING', { input }))!;
    expect(event.run.runId).toBe(pipelineRunId(ARN));
    expect(event.inputs).toEqual([]);
    const child = 'arn:aws:states:eu-west-1:123456789012:execution:churn/0f3e5b6a-map-run:1a2b3c';
    const childInput = JSON.stringify({ Items: [upload.trigger], BatchInput: { parent: { executionId: ARN } } });
    expect(statusChangeRunEvent(identity, change('SUCCEEDED', { executionArn: child, input: childInput }))).toBeUndefined();
  });

  it('fails at cold start when SLUICE_PIPELINE is missing or invalid', () => {
    expect(() => pipelineIdentityFromEnv({})).toThrow(/SLUICE_PIPELINE: required/);
    expect(() => pipelineIdentityFromEnv({ SLUICE_PIPELINE: '{"name":1}' })).toThrow(/SLUICE_PIPELINE is invalid/);
  });
});

describe('lineage API key from Secrets Manager', () => {
  const reply = (body: unknown, status = 200): typeof fetch => (async () => new Response(JSON.stringify(body), { status })) as typeof fetch;

  it('reads a plain or JSON secret value', () => {
    expect(apiKeyFromSecret('k-1')).toBe('k-1');
    expect(apiKeyFromSecret('{"apiKey":"k-2"}')).toBe('k-2');
    expect(apiKeyFromSecret('{"apiKey":"","unused":"x"}')).toBeUndefined();
  });

  it('sets OPENLINEAGE_API_KEY from the secret named by its ARN, through the extension with the session token', async () => {
    const env: Record<string, string | undefined> = { SLUICE_LINEAGE_API_KEY_SECRET_ARN: 'arn:secret', AWS_SESSION_TOKEN: 'tok' };
    let seen: { url: string; token: string | null } | undefined;
    const fetchImpl = (async (url: string, init: RequestInit) => {
      seen = { url, token: new Headers(init.headers).get('X-Aws-Parameters-Secrets-Token') };
      return new Response(JSON.stringify({ SecretString: '{"apiKey":"secret-key"}' }));
    }) as unknown as typeof fetch;
    expect(await loadLineageApiKey(env, fetchImpl)).toBe('loaded');
    expect(env.OPENLINEAGE_API_KEY).toBe('secret-key');
    expect(seen).toEqual({ url: 'http://localhost:2773/secretsmanager/get?secretId=arn%3Asecret', token: 'tok' });
  });

  it('does nothing without the ARN, keeps a key already set, and never throws when the secret is unreadable', async () => {
    expect(await loadLineageApiKey({}, reply({}))).toBe('not-configured');
    expect(await loadLineageApiKey({ SLUICE_LINEAGE_API_KEY_SECRET_ARN: 'a', OPENLINEAGE_API_KEY: 'k' }, reply({}))).toBe('already-set');
    const env: Record<string, string | undefined> = { SLUICE_LINEAGE_API_KEY_SECRET_ARN: 'a' };
    const stderr = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await loadLineageApiKey(env, reply({ message: 'denied' }, 403))).toBe('unavailable');
    } finally {
      process.stderr.write = stderr;
    }
    expect(env.OPENLINEAGE_API_KEY).toBeUndefined();
  });
});
