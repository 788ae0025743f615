import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import churn from '../examples/churn/pipeline.ts';
import { deployPipelines } from '../lib/constructs/index.ts';

// The CDK app of this repository: deploys the churn example, checked by cdk-nag. Context: stage (default dev),
// lineageUrl, lineageEndpoint, bucketSuffix, runtime (see docs/deploy.md).
const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
deployPipelines(app, [{ spec: churn, file: fileURLToPath(new URL('../examples/churn/pipeline.ts', import.meta.url)) }], {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
