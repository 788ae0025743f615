import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { Stack } from 'aws-cdk-lib';
import { DataPipeline, stepAccess } from '../../lib/constructs/index.ts';
import { churn, refId, resources, synthPipeline, testApp } from './support.ts';

const { template } = synthPipeline();
const score = churn.steps.find((s) => s.kind === 'batchScore')!;
const model = score.kind === 'batchScore' && score.model.registry === undefined ? score.model : { bucket: '', key: '' };

/** The S3 statements of a function's policy, as `<action> <resource suffix>` lines. */
function s3Grants(functionDescription: string): string[] {
  const [[, fn]] = resources(template, 'AWS::Lambda::Function').filter(([, r]) =>
    String(r.Properties.Description).includes(functionDescription),
  ) as [[string, { Properties: Record<string, any> }]];
  const roleId = refId(fn.Properties.Role);
  const policy = resources(template, 'AWS::IAM::Policy').find(([, p]) => p.Properties.Roles.some((r: unknown) => refId(r) === roleId))!;
  const lines: string[] = [];
  for (const statement of policy[1].Properties.PolicyDocument.Statement as Array<Record<string, any>>) {
    const actions = ([] as string[]).concat(statement.Action).filter((a) => a.startsWith('s3:'));
    for (const action of actions) {
      for (const resource of [].concat(statement.Resource)) {
        const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
        const suffix = join ? String(join[1][1]) : '(bucket)';
        const condition = statement.Condition ? ` if s3:prefix ${JSON.stringify(statement.Condition.StringLike['s3:prefix'])}` : '';
        lines.push(`${action} ${suffix}${condition}`);
      }
    }
  }
  return lines.sort();
}

describe('step permissions', () => {
  it('computes reads and writes per step kind from the spec', () => {
    const access = stepAccess(churn);
    // Beside the staged dataset, outside its prefix: the plan and counts of an upload ingested in parts.
    const parts = { bucket: 'churn-data', prefix: '_sluice/ingest-parts/staged/customers' };
    expect(access.get('ingest')).toEqual({
      reads: [{ bucket: 'churn-data', prefix: 'raw/customers' }, parts],
      writes: [{ bucket: 'churn-data', prefix: 'staged/customers' }, { bucket: 'churn-data', prefix: 'rejected/customers' }, parts],
      objects: [],
    });
    expect(access.get('batchScore')?.objects).toEqual([{ bucket: model.bucket, key: model.key }]);
  });

  it.each([
    [
      'ingest:',
      [
        's3:GetObject /_sluice/ingest-parts/staged/customers/*',
        's3:GetObject /raw/customers/*',
        's3:ListBucket (bucket) if s3:prefix ["raw/customers/*","_sluice/ingest-parts/staged/customers/*"]',
        's3:PutObject /_lineage/outbox/*',
        's3:PutObject /_sluice/ingest-parts/staged/customers/*',
        's3:PutObject /_sluice/runs/churn/*',
        's3:PutObject /rejected/customers/*',
        's3:PutObject /staged/customers/*',
      ],
    ],
    [
      'batch score:',
      [
        `s3:GetObject /${model.key}`,
        's3:GetObject /features/churn/*',
        // Sharded scoring's plan, items, map results and materialised input.
        's3:GetObject /_sluice/score-shards/score/*',
        's3:ListBucket (bucket) if s3:prefix ["features/churn/*","_sluice/score-shards/score/*"]',
        's3:PutObject /_lineage/outbox/*',
        's3:PutObject /_sluice/runs/churn/*',
        's3:PutObject /_sluice/score-shards/score/*',
        's3:PutObject /predictions/churn/*',
      ],
    ],
    [
      'publishes an alert',
      [
        's3:GetObject /_sluice/runs/churn/*',
        's3:ListBucket (bucket) if s3:prefix ["_sluice/runs/churn/*"]',
        's3:PutObject /_sluice/runs/churn/*',
      ],
    ],
    [
      'replays the lineage outbox',
      [
        's3:DeleteObject /_lineage/outbox/*',
        's3:GetObject /_lineage/outbox/*',
        's3:ListBucket (bucket) if s3:prefix ["_lineage/outbox/*"]',
        // The claim markers under the outbox, so two replays never send an event twice.
        's3:PutObject /_lineage/outbox/*',
      ],
    ],
  ])('gives the %s function exactly its prefixes', (description, expected) => {
    expect(s3Grants(description)).toEqual([...expected].sort());
  });

  it('never grants s3:* or S3 actions on every resource', () => {
    for (const [, policy] of resources(template, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>) {
        const actions = ([] as string[]).concat(statement.Action);
        expect(actions).not.toContain('s3:*');
        if (actions.some((a) => a.startsWith('s3:'))) expect(statement.Resource).not.toBe('*');
      }
    }
  });

  it('grants a dataset to another principal, and names an unknown dataset with the construct path', () => {
    const app = testApp();
    const stack = new Stack(app, 'Test');
    const pipeline = new DataPipeline(stack, 'Churn', { spec: churn });
    const consumer = new Role(stack, 'Consumer', { assumedBy: new ServicePrincipal('glue.amazonaws.com') });
    pipeline.grantRead(consumer, 'predictions');
    const consumerPolicy = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('Consumer') }] },
    });
    expect(JSON.stringify(consumerPolicy)).toContain('/predictions/churn/*');
    expect(() => pipeline.grantRead(consumer, 'nope')).toThrow(/Test\/Churn: unknown dataset "nope" \(datasets: raw, staged/);
  });
});
