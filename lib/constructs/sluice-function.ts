import { Duration, Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionCode } from './function-code.ts';
import { BUNDLE_HANDLER, DUCKDB_FUNCTIONS, type SluiceFunctionName } from './lambda-bundling.ts';

/** Settings of one {@link SluiceFunction}. */
export interface SluiceFunctionProps {
  readonly name: SluiceFunctionName;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly ephemeralStorageSize?: Size;
  readonly logRetention: logs.RetentionDays;
  readonly duckDbLayer?: lambda.ILayerVersion;
  /** nodejs22.x or nodejs24.x. */
  readonly runtime: lambda.Runtime;
  /** Instances it may run at once, reserved from the account's pool; none reserved when undefined. */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One Sluice Lambda function: Node.js 22 or 24, an ESM bundle (DuckDB left to the layer, see {@link functionCode}),
 * X-Ray tracing, its own log group, and the Parameters and Secrets extension for the lineage key.
 */
export class SluiceFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SluiceFunctionProps) {
    super(scope, id);
    const duckdb = DUCKDB_FUNCTIONS.has(props.name);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.function = new lambda.Function(this, 'Function', {
      code: functionCode(props.name),
      handler: BUNDLE_HANDLER,
      description: props.description,
      runtime: props.runtime,
      // The layer carries DuckDB's linux-x64 binding.
      architecture: lambda.Architecture.X86_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      // DuckDB writes its home directory state under $HOME, which Lambda leaves unset.
      environment: { ...(duckdb ? { HOME: '/tmp' } : {}), ...props.environment },
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      layers: duckdb && props.duckDbLayer ? [props.duckDbLayer] : [],
      paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
        cacheSize: 10,
        logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
      }),
    });
  }
}
