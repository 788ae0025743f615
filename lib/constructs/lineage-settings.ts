import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SLUICE_ENV } from '../../core/env.ts';
import type { PrefixRef } from '../definition/step-kinds/index.ts';

/** Settings of {@link lineageSettings}. */
export interface LineageSettingsProps {
  readonly pipelineName: string;
  /** Where undelivered events are kept. */
  readonly outbox: PrefixRef;
  readonly lineageUrl?: string;
  readonly lineageEndpoint?: string;
  /** A secret the user already has; else one is created when a URL is given. */
  readonly lineageApiKeySecret?: secretsmanager.ISecret;
}

/** Where every function sends lineage, and the secret holding the backend's API key. */
export interface LineageSettings {
  /** The environment every Sluice function gets: transport, outbox and the ARN (never the value) of the key. */
  readonly environment: Record<string, string>;
  readonly apiKeySecret?: secretsmanager.ISecret;
  /** The secret, when this construct created it. */
  readonly createdSecret?: secretsmanager.Secret;
}

/**
 * Lineage goes to the backend at `lineageUrl` with its API key read from Secrets Manager, or, without a URL, to the
 * functions' logs; either way undelivered events wait in the S3 outbox.
 */
export function lineageSettings(scope: Construct, props: LineageSettingsProps): LineageSettings {
  const environment: Record<string, string> = { [SLUICE_ENV.lineageOutbox]: `s3://${props.outbox.bucket}/${props.outbox.prefix}` };
  if (!props.lineageUrl) return { environment: { ...environment, OPENLINEAGE__TRANSPORT__TYPE: 'console' } };
  const createdSecret = props.lineageApiKeySecret
    ? undefined
    : new secretsmanager.Secret(scope, 'LineageApiKey', {
        description: `OpenLineage API key for ${props.pipelineName}: set {"apiKey": "<key>"} (empty means no auth)`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ apiKey: '' }),
          generateStringKey: 'unused',
          excludePunctuation: true,
        },
      });
  const apiKeySecret = props.lineageApiKeySecret ?? createdSecret!;
  environment.OPENLINEAGE_URL = props.lineageUrl;
  if (props.lineageEndpoint) environment.OPENLINEAGE_ENDPOINT = props.lineageEndpoint;
  environment[SLUICE_ENV.lineageApiKeySecretArn] = apiKeySecret.secretArn;
  return { environment, apiKeySecret, ...(createdSecret ? { createdSecret } : {}) };
}
