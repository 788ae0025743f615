import { App } from 'aws-cdk-lib';
import { deployPipelines, loadPipelines } from 'sluice/constructs';

// One stack per pipeline in pipelines/: `npx cdk deploy --all -c stage=prod` (stage defaults to dev).
const app = new App();
deployPipelines(app, await loadPipelines(new URL('../pipelines/', import.meta.url)), {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
