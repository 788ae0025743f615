import { Arn, Aws, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { MLFLOW_ENV, SLUICE_ENV } from '../../core/env.ts';
import type { MlflowRegistryProps } from './data-pipeline-props.ts';

/** Settings of {@link ModelRegistryAccess}. */
export interface ModelRegistryAccessProps {
  readonly registry: MlflowRegistryProps;
  /** The scoring function: the only one that talks to the registry. */
  readonly function: iam.IGrantable & Construct;
}

/**
 * What the scoring function needs to resolve models from MLflow: the tracking URI and the credentials secret's id in
 * its environment (never the credentials), read access to that one secret, and s3:GetObject on the artifact prefixes
 * it reads directly. Without artifact locations, `s3://` files are read through the tracking server.
 */
export class ModelRegistryAccess extends Construct {
  /** The variables the scoring function gets. */
  readonly environment: Record<string, string>;
  readonly credentials?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: ModelRegistryAccessProps) {
    super(scope, id);
    const { registry } = props;
    const locations = registry.artifactLocations ?? [];
    this.environment = {
      [MLFLOW_ENV.trackingUri]: registry.trackingUri,
      [SLUICE_ENV.mlflowArtifacts]: locations.length > 0 ? 's3' : 'server',
    };
    const credentials = registry.credentials;
    if (credentials !== undefined) {
      const secret =
        typeof credentials !== 'string'
          ? credentials
          : credentials.startsWith('arn:')
            ? secretsmanager.Secret.fromSecretCompleteArn(this, 'Credentials', credentials)
            : secretsmanager.Secret.fromSecretNameV2(this, 'Credentials', credentials);
      secret.grantRead(props.function);
      this.credentials = secret;
      this.environment[SLUICE_ENV.mlflowSecret] = typeof credentials === 'string' ? credentials : secret.secretArn;
    }
    if (locations.length > 0) {
      const resources = locations.map((location) => {
        const [, bucket, prefix] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location) ?? [];
        const path = prefix ? `${prefix.replace(/\/+$/, '')}/*` : '*';
        return Arn.format(
          { service: 's3', region: '', account: '', partition: Aws.PARTITION, resource: bucket!, resourceName: path },
          Stack.of(this),
        );
      });
      props.function.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources }));
      for (const location of locations) {
        const [, bucket, prefix] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location) ?? [];
        Validations.of(props.function).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/${prefix ? `${prefix.replace(/\/+$/, '')}/*` : '*'}]`,
          reason: `MLflow names each model version's files under ${location}; the scoring function only reads them`,
        });
      }
    }
  }
}
