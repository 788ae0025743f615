import { App, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import churn from '../examples/churn/pipeline.ts';
import { DataPipeline, specBuckets } from '../lib/constructs/index.ts';

// The CDK app: deploys the churn example. Context: stage (default dev), lineageUrl, lineageEndpoint, bucketSuffix.
const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
};
const stage = context('stage') ?? 'dev';
if (!/^[a-z0-9-]{1,20}$/.test(stage))
  throw new Error(`context stage: expected 1-20 lowercase letters, digits or hyphens, got ${JSON.stringify(stage)}`);
// Bucket names are global: suffix them with the stage and, when the CLI knows it, the account.
const suffix = context('bucketSuffix') ?? process.env.CDK_DEFAULT_ACCOUNT;
const bucketNames = Object.fromEntries(specBuckets(churn).map((name) => [name, [name, stage, suffix].filter(Boolean).join('-')]));

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stack = new Stack(app, `Sluice-${churn.name}-${stage}`, {
  description: `Sluice pipeline ${churn.name} (${stage})`,
  ...(process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
    ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }
    : {}),
});
const lineageUrl = context('lineageUrl');
const lineageEndpoint = context('lineageEndpoint');
const pipeline = new DataPipeline(stack, 'Pipeline', {
  spec: churn,
  bucketNames,
  metricNamespace: `Sluice/${stage}/${churn.name}`,
  ...(lineageUrl ? { lineageUrl } : {}),
  ...(lineageEndpoint ? { lineageEndpoint } : {}),
});

const raw = pipeline.spec.datasets['raw']!;
const score = pipeline.spec.steps.find((s) => s.kind === 'batchScore');
new CfnOutput(stack, 'StateMachineArn', { value: pipeline.stateMachine.stateMachineArn });
new CfnOutput(stack, 'UploadPrefix', { value: `s3://${raw.bucket}/${raw.prefix}/`, description: 'An upload here starts a run' });
if (score?.kind === 'batchScore') {
  new CfnOutput(stack, 'UploadModel', {
    value: `aws s3 cp examples/churn/${score.model.source ?? 'model.json'} s3://${score.model.bucket}/${score.model.key}`,
    description: 'Run once after the first deploy: the scoring step reads the model from here',
  });
}
if (pipeline.lineageApiKeySecret) new CfnOutput(stack, 'LineageApiKeySecretArn', { value: pipeline.lineageApiKeySecret.secretArn });
