import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DataPipeline, deployPipelines, type DataPipelineProps } from '../../lib/constructs/index.ts';
import type { PipelineSpec } from '../../lib/index.ts';
import { churn, refId, resources, testApp } from './support.ts';

/** The churn example scoring with the champion of an MLflow registry instead of a model file in S3. */
const registrySpec: PipelineSpec = {
  ...churn,
  steps: churn.steps.map((s) =>
    s.kind === 'batchScore' ? { ...s, model: { registry: 'mlflow' as const, name: 'churn', alias: 'champion' } } : s,
  ),
};

function synth(props: Partial<DataPipelineProps>) {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const credentials = new secretsmanager.Secret(stack, 'MlflowCredentials');
  Validations.of(credentials).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'issued by the MLflow server' });
  const pipeline = new DataPipeline(stack, 'Churn', {
    spec: registrySpec,
    mlflow: { trackingUri: 'https://mlflow.example.com', credentials, artifactLocations: ['s3://ml-artifacts/mlflow'] },
    ...props,
  });
  app.synth();
  return { template: Template.fromStack(stack), pipeline, credentials, stack };
}

describe('DataPipeline with an MLflow model registry', () => {
  it('gives only the scoring function the tracking URI, the secret to read and the artifact prefix, cdk-nag clean', () => {
    const { template, pipeline, stack } = synth({});
    const functions = resources(template, 'AWS::Lambda::Function');
    const scorer = stack.getLogicalId(pipeline.stepFunctions.get('batchScore')!.function.node.defaultChild as never);
    for (const [id, fn] of functions) {
      const env = fn.Properties.Environment?.Variables ?? {};
      if (id === scorer) {
        expect(env).toMatchObject({ MLFLOW_TRACKING_URI: 'https://mlflow.example.com', SLUICE_MLFLOW_ARTIFACTS: 's3' });
        expect(refId(env.SLUICE_MLFLOW_SECRET)).toMatch(/^MlflowCredentials/);
      } else {
        expect(Object.keys(env).filter((k) => k.includes('MLFLOW'))).toEqual([]);
      }
    }
    const policies = resources(template, 'AWS::IAM::Policy');
    const readers = policies.filter(([, p]) =>
      p.Properties.PolicyDocument.Statement.some(
        (s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue') && refId(s.Resource).startsWith('MlflowCredentials'),
      ),
    );
    expect(readers.map(([, p]) => p.Properties.Roles.map(refId)).flat()).toHaveLength(1);
    const artifactRead = policies
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .find((s: any) => JSON.stringify(s.Resource).includes('ml-artifacts'));
    expect(artifactRead.Action).toBe('s3:GetObject');
    expect(JSON.stringify(artifactRead.Resource)).toContain(':s3:::ml-artifacts/mlflow/*');
    // No model object in a pipeline bucket to grant: the model comes from the registry.
    expect(pipeline.stepFunctions.get('batchScore')).toBeDefined();
  });

  it('reads files through the server when no artifact location is given, and takes a secret by name', () => {
    const { template } = synth({ mlflow: { trackingUri: 'https://mlflow.example.com', credentials: 'prod/mlflow' } });
    const env = resources(template, 'AWS::Lambda::Function')
      .map(([, fn]) => fn.Properties.Environment?.Variables ?? {})
      .find((v) => v.MLFLOW_TRACKING_URI);
    expect(env).toMatchObject({ SLUICE_MLFLOW_ARTIFACTS: 'server', SLUICE_MLFLOW_SECRET: 'prod/mlflow' });
  });

  it.each<[string, Partial<DataPipelineProps>, string]>([
    [
      'no registry for a spec that needs one',
      { mlflow: undefined },
      'mlflow.trackingUri: required: steps[3] (score) scores with MLflow model churn',
    ],
    [
      'a tracking URI that is not http(s)',
      { mlflow: { trackingUri: 'databricks' } },
      'mlflow.trackingUri: expected an http(s) URL, got "databricks"',
    ],
    [
      'credentials in the tracking URI',
      { mlflow: { trackingUri: 'https://u:secret@mlflow.example.com' } },
      'mlflow.trackingUri: put credentials in mlflow.credentials (a secret), not in the URL',
    ],
    [
      'an artifact location that is not an S3 URI',
      { mlflow: { trackingUri: 'https://mlflow.example.com', artifactLocations: ['ml-artifacts/mlflow'] } },
      'mlflow.artifactLocations[0]: expected s3://<bucket>[/<prefix>], got "ml-artifacts/mlflow"',
    ],
  ])('refuses %s', (_, props, message) => {
    const app = testApp();
    const stack = new Stack(app, 'Test');
    expect(() => new DataPipeline(stack, 'Churn', { spec: registrySpec, ...props } as DataPipelineProps)).toThrow(message);
  });

  it('takes the registry from CDK context in deployPipelines, for the pipelines that use one', () => {
    const app = testApp({ context: { mlflowTrackingUri: 'https://mlflow.example.com', mlflowCredentials: 'prod/mlflow' } });
    const [withRegistry, without] = deployPipelines(app, [registrySpec, { ...churn, name: 'churnfiles' }]);
    const scorerEnv = (stack: Stack) =>
      resources(Template.fromStack(stack), 'AWS::Lambda::Function')
        .map(([, fn]) => fn.Properties.Environment?.Variables ?? {})
        .filter((v) => v.MLFLOW_TRACKING_URI);
    expect(scorerEnv(withRegistry!)).toHaveLength(1);
    expect(scorerEnv(without!)).toHaveLength(0);
  });
});
