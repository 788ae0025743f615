import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { deployPipelines, loadPipelines } from '../../lib/constructs/index.ts';
import { validDefinition } from '../support/pipelines.ts';
import { definePipeline } from '../../lib/index.ts';
import { churn, resources, testApp } from './support.ts';

const templatePipelines = new URL('../../templates/scoring/pipelines/', import.meta.url);
const app = (context: Record<string, unknown> = {}) => testApp({ context });
const orders = definePipeline(validDefinition());

describe('deployPipelines', () => {
  it('deploys each pipeline in a stack of its own, buckets suffixed with the stage and account', () => {
    const stacks = deployPipelines(app(), [churn, orders], { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(stacks.map((s) => s.stackName)).toEqual(['Sluice-churn-dev', 'Sluice-orders-dev']);
    const buckets = resources(Template.fromStack(stacks[1]!), 'AWS::S3::Bucket').map(([, r]) => r.Properties.BucketName);
    expect(buckets).toEqual(expect.arrayContaining(['orders-data-dev-123456789012', 'orders-models-dev-123456789012']));
  });

  it('subscribes the alarm emails given in the CDK context, and names one that is not an address', () => {
    const [stack] = deployPipelines(app({ alarmEmail: 'oncall@example.com, lead@example.com' }), [churn]);
    const emails = resources(Template.fromStack(stack!), 'AWS::SNS::Subscription').map(([, r]) => [
      r.Properties.Protocol,
      r.Properties.Endpoint,
    ]);
    expect(emails).toEqual([
      ['email', 'oncall@example.com'],
      ['email', 'lead@example.com'],
    ]);
    expect(() => deployPipelines(app({ alarmEmail: 'oncall' }), [churn])).toThrow('alarmEmail: expected an email address, got "oncall"');
  });

  it('takes the stage, lineage URL, lineage page URL and runtime from the CDK context', () => {
    const [stack] = deployPipelines(
      app({
        stage: 'prod',
        lineageUrl: 'https://marquez.example.com',
        lineagePageUrl: 'https://lineage.example.com',
        runtime: 'nodejs22.x',
      }),
      [churn],
    );
    expect(stack!.stackName).toBe('Sluice-churn-prod');
    const functions = resources(Template.fromStack(stack!), 'AWS::Lambda::Function');
    expect(new Set(functions.map(([, f]) => f.Properties.Runtime))).toEqual(new Set(['nodejs22.x']));
    expect(functions[0]![1].Properties.Environment.Variables.OPENLINEAGE_URL).toBe('https://marquez.example.com');
    const alert = functions.find(([, f]) => f.Properties.Environment.Variables.SLUICE_ALERT_TOPIC_ARN !== undefined);
    expect(alert![1].Properties.Environment.Variables.SLUICE_LINEAGE_PAGE_URL).toBe('https://lineage.example.com');
    const layers = resources(Template.fromStack(stack!), 'AWS::Lambda::LayerVersion');
    expect(layers[0]![1].Properties.CompatibleRuntimes).toEqual(['nodejs22.x']);
  });

  it('outputs the command that uploads each model, from the project folder', async () => {
    const stacks = deployPipelines(app(), await loadPipelines(templatePipelines));
    const outputs = Template.fromStack(stacks[0]!).toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs['UploadModel']!.Value).toBe(
      `aws s3 cp templates/scoring/models/late-delivery.json s3://orders-models-dev/late-delivery/logistic/model.json`,
    );
    expect(outputs['UploadPrefix']!.Value).toBe('s3://orders-data-dev/raw/orders/');
  });

  it('fails naming the stage, the runtime and a pipeline name used twice', () => {
    expect(() => deployPipelines(app({ stage: 'Prod!' }), [churn])).toThrow(
      /stage: expected 1-20 lowercase letters, digits or hyphens, got "Prod!"/,
    );
    expect(() => deployPipelines(app({ runtime: 'nodejs20.x' }), [churn])).toThrow(
      /runtime: expected nodejs24.x or nodejs22.x, got "nodejs20.x"/,
    );
    expect(() => deployPipelines(app(), [churn, churn])).toThrow(/two pipelines are named "churn"/);
  });
});

describe('loadPipelines', () => {
  it('loads every pipeline module of a folder with its file', async () => {
    const loaded = await loadPipelines(templatePipelines);
    expect(loaded.map((p) => [p.spec.name, p.file])).toEqual([['orders', join(templatePipelines.pathname, 'orders.ts')]]);
  });

  it('fails naming each module that is not a valid pipeline', async () => {
    await expect(loadPipelines(new URL('../fixtures/pipelines/', import.meta.url))).rejects.toThrow(
      /broken\.ts: Pipeline definition "broken" is invalid/,
    );
  });

  it('fails for a folder that does not exist', async () => {
    await expect(loadPipelines('/nonexistent/pipelines')).rejects.toThrow(/pipelines folder \/nonexistent\/pipelines cannot be read/);
  });
});

describe('DataPipeline runtime', () => {
  it('rejects a runtime Sluice does not build for', () => {
    expect(() => deployPipelines(app(), [churn], { runtime: lambda.Runtime.NODEJS_20_X })).toThrow(
      /runtime: expected nodejs24.x or nodejs22.x, got nodejs20.x/,
    );
  });

  it('rejects a feature step with a TypeScript transform, which only runs locally', () => {
    const withTransform = definePipeline({
      ...validDefinition(),
      steps: validDefinition().steps.map((s) => (s.kind === 'featureBuild' ? { ...s, transform: 'enrich' } : s)),
    });
    expect(() => deployPipelines(app(), [withTransform])).toThrow(/spec\.steps\[2\]\.transform: TypeScript transforms run locally only/);
  });
});
