import { Duration, Size } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { PipelineSpec, StepKind } from '../definition/pipeline-schema.ts';
import { STEP_KINDS } from '../definition/step-kinds/index.ts';
import { grantObjects, grantPrefixes } from './bucket-grants.ts';
import { DuckDbLayer } from './duckdb-layer.ts';
import { SluiceFunction } from './sluice-function.ts';
import { stepAccess } from './step-access.ts';

/** Settings of {@link StepFunctions}. */
export interface StepFunctionsProps {
  readonly spec: PipelineSpec;
  /** The data buckets by physical name. */
  readonly buckets: ReadonlyMap<string, s3.Bucket>;
  readonly environment: Record<string, string>;
  /** One size for every function; undefined gives each kind its registry default. */
  readonly memorySize: number | undefined;
  /** `/tmp` of every function, in MiB. */
  readonly ephemeralStorageMb: number;
  /** Instances each step function may run at once (reserved), or undefined for the account's shared pool. */
  readonly reservedConcurrency?: number;
  readonly logRetention: logs.RetentionDays;
  readonly runtime: lambda.Runtime;
}

/**
 * One Lambda function per step kind the spec uses, with DuckDB in a layer and exactly the S3 access its steps need
 * (the step-kind registry's reads, writes and artifacts); the timeout is the longest of its steps', the memory the
 * kind's default unless one is given.
 */
export class StepFunctions extends Construct {
  /** The function of each kind. */
  readonly byKind: ReadonlyMap<StepKind, SluiceFunction>;

  constructor(scope: Construct, id: string, props: StepFunctionsProps) {
    super(scope, id);
    const { spec } = props;
    const layer = new DuckDbLayer(this, 'DuckDb', { compatibleRuntimes: [props.runtime] }).layer;
    const byKind = new Map<StepKind, SluiceFunction>();
    for (const [kind, access] of stepAccess(spec)) {
      const timeout = Math.max(...spec.steps.filter((s) => s.kind === kind).map((s) => s.timeoutSeconds ?? 900));
      const fn = new SluiceFunction(this, kind, {
        name: kind,
        description: `Sluice ${spec.name} ${STEP_KINDS[kind].label}: ${STEP_KINDS[kind].summary}`,
        environment: props.environment,
        memorySize: props.memorySize ?? STEP_KINDS[kind].lambda.memoryMb,
        timeout: Duration.seconds(timeout),
        ephemeralStorageSize: Size.mebibytes(props.ephemeralStorageMb),
        ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
        logRetention: props.logRetention,
        duckDbLayer: layer,
        runtime: props.runtime,
      });
      grantPrefixes(fn.function, props.buckets, access.reads, ['read']);
      grantPrefixes(fn.function, props.buckets, access.writes, ['write']);
      grantObjects(fn.function, props.buckets, access.objects);
      byKind.set(kind, fn);
    }
    this.byKind = byKind;
  }
}
