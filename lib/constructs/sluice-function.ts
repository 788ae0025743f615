import { Duration, Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  DUCKDB_EXTERNALS,
  DUCKDB_FUNCTIONS,
  ESBUILD_TARGET,
  ESM_REQUIRE_BANNER,
  FUNCTION_ENTRIES,
  PACKAGE_ROOT,
  RUNTIME_PROVIDED_EXTERNALS,
  packagePath,
  type SluiceFunctionName,
} from './lambda-bundling.ts';

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
}

/**
 * One Sluice Lambda function: nodejs24.x, ESM, minified, bundled by the local esbuild (DuckDB left to the
 * layer), X-Ray tracing, its own log group, and the Parameters and Secrets extension for the lineage key.
 */
export class SluiceFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SluiceFunctionProps) {
    super(scope, id);
    const duckdb = DUCKDB_FUNCTIONS.has(props.name);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: packagePath(FUNCTION_ENTRIES[props.name]),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      // The layer carries DuckDB's linux-x64 binding.
      architecture: lambda.Architecture.X86_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
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
      projectRoot: PACKAGE_ROOT,
      depsLockFilePath: packagePath('package-lock.json'),
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: ESBUILD_TARGET,
        minify: true,
        sourceMap: false,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        externalModules: [...DUCKDB_EXTERNALS, ...RUNTIME_PROVIDED_EXTERNALS],
        metafile: false,
        logLevel: nodejs.LogLevel.WARNING,
      },
    });
  }
}
