import aslValidator from 'asl-validator';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAsl, FUNCTION_ARN_VARIABLES, substituteAsl } from '../../lib/asl/compile-asl.ts';
import type { StepKind } from '../../lib/definition/pipeline-schema.ts';
import { STEP_KINDS } from '../../lib/definition/step-kinds/index.ts';
import { matchUploadTrigger } from '../../lib/local/object-created-event.ts';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { DataPipelineProps } from '../../lib/constructs/index.ts';
import { churn, refId, resources, synthPipeline } from './support.ts';

let template: Template;

beforeAll(() => {
  ({ template } = synthPipeline({ lineageUrl: 'http://marquez.internal:5000' }));
});

/** The Lambda function whose entry serves a step kind, found by its description. */
function stepFunctionId(kind: StepKind, of: Template = template): string {
  const words: Record<StepKind, string> = {
    ingest: 'ingest:',
    dataTests: 'data tests:',
    featureBuild: 'feature build:',
    batchScore: 'batch score:',
  };
  const found = resources(of, 'AWS::Lambda::Function').filter(([, r]) => String(r.Properties.Description).includes(words[kind]));
  expect(found).toHaveLength(1);
  return found[0]![0];
}

describe('DataPipeline', () => {
  it('passes cdk-nag AwsSolutions with every finding acknowledged (synth throws otherwise)', () => {
    expect(resources(template, 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
  });

  it('deploys the very ASL the local runner executes, after substitution, and it validates', () => {
    const [[, machine]] = resources(template, 'AWS::StepFunctions::StateMachine') as [[string, { Properties: Record<string, any> }]];
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, unknown>;
    const kinds = [...new Set(churn.steps.map((s) => s.kind))];
    expect(Object.keys(substitutions).sort()).toEqual(kinds.map((k) => FUNCTION_ARN_VARIABLES[k]).sort());
    const values: Record<string, string> = {};
    for (const kind of kinds) {
      const variable = FUNCTION_ARN_VARIABLES[kind];
      // Each variable points at the function of its own step kind.
      expect(refId(substitutions[variable])).toBe(stepFunctionId(kind));
      values[variable] = `arn:aws:lambda:eu-west-1:123456789012:function:churn-${kind}`;
    }
    const deployed = substituteAsl(JSON.parse(machine.Properties.DefinitionString as string), values);
    expect(deployed).toEqual(substituteAsl(compileAsl(churn), values));
    // The Distributed Maps are in it: the backfill's and the scoring step's shards.
    expect(deployed.States['Backfill raw']).toMatchObject({ ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } } });
    expect(deployed.States['Shards score']).toMatchObject({ ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } } });
    const { isValid, errors } = aslValidator(deployed);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('deploys the ingest-in-parts states: a Choice on the upload size, the plan, a Distributed Map of parts and the gather', () => {
    const [[, machine]] = resources(template, 'AWS::StepFunctions::StateMachine') as [[string, { Properties: Record<string, any> }]];
    const states = JSON.parse(machine.Properties.DefinitionString as string).States as Record<string, Record<string, any>>;
    const ingest = churn.steps.find((s) => s.kind === 'ingest')!.name;
    expect(states[`${ingest}.size`]!.Type).toBe('Choice');
    expect(states[`${ingest}.size`]!.Default).toBe(ingest);
    expect(states[`${ingest}.size`]!.Choices[0].Next).toBe(`${ingest}.plan`);
    expect(states[`${ingest}.plan`]!.Parameters.Payload.ingestTask).toEqual({ mode: 'plan' });
    const map = states[`${ingest}.parts`]!;
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
    expect(map.ItemReader.Resource).toBe('arn:aws:states:::s3:getObject');
    expect(map.ItemProcessor.States[`${ingest}.part`].Parameters.Payload.ingestTask).toEqual({ mode: 'part', 'part.$': '$.part' });
    // The gather's result is stored where the single Task's would be, so the next steps read it the same way.
    expect(states[`${ingest}.gather`]!.ResultPath).toBe(states[ingest]!.ResultPath);
    expect(states[`${ingest}.gather`]!.Next).toBe(states[ingest]!.Next);
  });

  it("gives each step function its kind's memory size, or stepMemorySize to all of them", () => {
    const memory = (t: Template, kind: StepKind) =>
      resources(t, 'AWS::Lambda::Function').find(([id]) => id === stepFunctionId(kind, t))![1].Properties.MemorySize;
    const kinds = [...new Set(churn.steps.map((s) => s.kind))];
    expect(kinds.map((k) => memory(template, k))).toEqual(kinds.map((k) => STEP_KINDS[k].lambda.memoryMb));
    const sized = synthPipeline({ stepMemorySize: 3008 }).template;
    expect(kinds.map((k) => memory(sized, k))).toEqual(kinds.map(() => 3008));
  });

  it('gives each step function 2 GiB of /tmp, or stepEphemeralStorageSize', () => {
    const storage = (t: Template, kind: StepKind) =>
      resources(t, 'AWS::Lambda::Function').find(([id]) => id === stepFunctionId(kind, t))![1].Properties.EphemeralStorage;
    const kinds = [...new Set(churn.steps.map((s) => s.kind))];
    expect(kinds.map((k) => storage(template, k))).toEqual(kinds.map(() => ({ Size: 2048 })));
    const sized = synthPipeline({ stepEphemeralStorageSize: 10240 }).template;
    expect(kinds.map((k) => storage(sized, k))).toEqual(kinds.map(() => ({ Size: 10240 })));
  });

  it('logs every state machine event and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: Match.anyValue() },
    });
  });

  it('creates one nodejs24.x ESM function per step kind plus the two lineage functions and the alert function, traced, DuckDB in a layer', () => {
    const functions = resources(template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(7);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Architectures: ['x86_64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
    const [[layerId]] = resources(template, 'AWS::Lambda::LayerVersion') as [[string, unknown]];
    const withLayer = functions.filter(([, fn]) => JSON.stringify(fn.Properties.Layers ?? []).includes(layerId));
    expect(withLayer.map(([id]) => id).sort()).toEqual(
      (['ingest', 'dataTests', 'featureBuild', 'batchScore'] as const).map((kind) => stepFunctionId(kind)).sort(),
    );
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['nodejs24.x'],
      CompatibleArchitectures: ['x86_64'],
    });
  });

  it('passes the lineage endpoint and only the ARN of the API key secret to functions', () => {
    const [[secretId]] = resources(template, 'AWS::SecretsManager::Secret') as [[string, unknown]];
    for (const [, fn] of resources(template, 'AWS::Lambda::Function')) {
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect(env.OPENLINEAGE_URL).toBe('http://marquez.internal:5000');
      expect(refId(env.SLUICE_LINEAGE_API_KEY_SECRET_ARN)).toBe(secretId);
      expect(env.OPENLINEAGE_API_KEY).toBeUndefined();
      expect(env.SLUICE_LINEAGE_OUTBOX).toBe('s3://churn-data/_lineage/outbox');
    }
  });

  it('makes each data bucket encrypted, private, TLS-only, versioned, access-logged and sending EventBridge events', () => {
    for (const name of ['churn-data', 'churn-models']) {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: name,
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: `${name}/` },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      });
    }
    const policies = resources(template, 'AWS::S3::BucketPolicy');
    expect(policies.length).toBe(3);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it("expires quarantined batches, the lineage outbox and the Distributed Maps' scratch work with lifecycle rules", () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'churn-data',
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'quarantine/customers/', ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({ Prefix: '_sluice/ingest-parts/', ExpirationInDays: 15, Status: 'Enabled' }),
          Match.objectLike({ Prefix: '_sluice/test-parts/', ExpirationInDays: 15, Status: 'Enabled' }),
          Match.objectLike({ Prefix: '_sluice/score-shards/', ExpirationInDays: 15, Status: 'Enabled' }),
          Match.objectLike({ Prefix: '_lineage/outbox/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('starts the state machine on Object Created under the upload prefix with the trigger input', () => {
    const rule = resources(template, 'AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern?.source?.[0] === 'aws.s3');
    expect(rule).toBeDefined();
    const props = rule![1].Properties;
    expect(props.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['churn-data'] }, object: { key: [{ prefix: 'raw/customers/' }] } },
    });
    const [target] = props.Targets;
    expect(refId(target.Arn)).toBe(resources(template, 'AWS::StepFunctions::StateMachine')[0]![0]);
    expect(target.InputTransformer.InputPathsMap).toMatchObject({
      'detail-bucket-name': '$.detail.bucket.name',
      'detail-object-key': '$.detail.object.key',
      'detail-object-version-id': '$.detail.object.version-id',
      'detail-object-etag': '$.detail.object.etag',
      'detail-object-size': '$.detail.object.size',
    });
    // Fill the template as EventBridge does (placeholders take the JSON value) and read it back.
    const event = { bucket: 'churn-data', key: 'raw/customers/a.csv', version: 'v1', etag: 'e1', size: 42, time: '2026-01-01T00:00:00Z' };
    const values: Record<string, unknown> = {
      'detail-bucket-name': event.bucket,
      'detail-object-key': event.key,
      'detail-object-version-id': event.version,
      'detail-object-etag': event.etag,
      'detail-object-size': event.size,
      time: event.time,
    };
    const filled = (target.InputTransformer.InputTemplate as string).replace(/<([a-z-]+)>/g, (_, name: string) =>
      JSON.stringify(values[name]),
    );
    const deployed = JSON.parse(filled);
    expect(deployed).toEqual({
      trigger: {
        kind: 'upload',
        dataset: 'raw',
        bucket: event.bucket,
        key: event.key,
        versionId: 'v1',
        etag: 'e1',
        size: 42,
        time: event.time,
      },
    });
    // The local runner's matching turns the same event into the same input.
    const local = matchUploadTrigger(churn, {
      version: '0',
      id: 'e',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: '123456789012',
      time: event.time,
      region: 'eu-west-1',
      resources: [],
      detail: {
        version: '0',
        bucket: { name: event.bucket },
        object: { key: event.key, size: event.size, etag: event.etag, 'version-id': event.version },
        'request-id': 'r',
        requester: '123456789012',
        reason: 'PutObject',
      },
    });
    expect(local).toEqual(deployed);
  });

  it('creates a Scheduler schedule per schedule trigger passing the scheduled time as nominal time', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      Target: {
        Input: JSON.stringify({
          trigger: { kind: 'schedule', name: 'nightly', nominalTime: '<aws.scheduler.scheduled-time>', startAt: 'features' },
        }),
      },
    });
  });

  it('sends every execution status change of the state machine to the lineage-status function', () => {
    const rule = resources(template, 'AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern?.source?.[0] === 'aws.states');
    expect(rule![1].Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [{ Ref: resources(template, 'AWS::StepFunctions::StateMachine')[0]![0] }] },
    });
    const targetId = refId(rule![1].Properties.Targets[0].Arn);
    const fn = template.findResources('AWS::Lambda::Function')[targetId]!;
    const identity = JSON.parse(fn.Properties.Environment.Variables.SLUICE_PIPELINE as string);
    expect(identity).toMatchObject({
      name: 'churn',
      namespace: churn.namespace,
      datasets: { raw: { bucket: 'churn-data', prefix: 'raw/customers' } },
    });
  });

  it('replays the lineage outbox on a schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
  });

  it('alarms on failed executions, function errors and throttles, undelivered lineage, outbox age and dead letters through one SNS topic', () => {
    const alarms = resources(template, 'AWS::CloudWatch::Alarm');
    expect(
      alarms.map(
        ([, a]) =>
          String(a.Properties.AlarmDescription)
            .replace(/^churn: /, '')
            .split(' (')[0],
      ),
    ).toEqual([
      'an execution failed, timed out or was aborted',
      'lineage events were not delivered',
      'an undelivered lineage event has waited in the outbox for more than 1 hour',
      'a trigger or a status change could not be delivered',
      'a function failed',
      'a function was throttled',
    ]);
    const [[topicId]] = resources(template, 'AWS::SNS::Topic') as [[string, unknown]];
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    const age = alarms.find(([, a]) => String(a.Properties.AlarmDescription).includes('outbox for more'))![1];
    expect(age.Properties).toMatchObject({ MetricName: 'LineageOutboxOldestAgeSeconds', Namespace: 'Sluice/churn', Threshold: 3600 });
    template.resourcePropertiesCountIs(
      'AWS::Logs::MetricFilter',
      { FilterPattern: '"sluice: warning"', MetricTransformations: [Match.objectLike({ MetricName: 'LineageDeliveryFailures' })] },
      7,
    );
  });

  it('encrypts the alarm topic with a rotated key that CloudWatch alarms may use, and subscribes who is given', () => {
    // Synthesised with cdk-nag: the key and the subscription add no finding.
    const { template: t } = synthPipeline({ alarmSubscriptions: [new EmailSubscription('data-oncall@example.com')] });
    const [[keyId, key]] = resources(t, 'AWS::KMS::Key') as [[string, any]];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'data-oncall@example.com' });
  });

  it('reserves 10 instances per step function by default, the number given, or none', () => {
    const concurrency = (props: Partial<DataPipelineProps>) => {
      return resources(synthPipeline(props).template, 'AWS::Lambda::Function')
        .filter(([, f]) => String(f.Properties.Description).includes(': '))
        .map(([, f]) => [String(f.Properties.Description).split(':')[0], f.Properties.ReservedConcurrentExecutions]);
    };
    // Step functions are described "Sluice churn <kind>: …"; the lineage functions "Sluice churn: …" (the replay reserves 1).
    const steps = (rows: unknown[][]) => rows.filter(([d]) => /^Sluice churn [^:]/.test(String(d)));
    expect(new Set(steps(concurrency({})).map(([, n]) => n))).toEqual(new Set([10]));
    expect(new Set(steps(concurrency({ stepReservedConcurrency: 3 })).map(([, n]) => n))).toEqual(new Set([3]));
    expect(new Set(steps(concurrency({ stepReservedConcurrency: false })).map(([, n]) => n))).toEqual(new Set([undefined]));
    expect(() => concurrency({ stepReservedConcurrency: 0 })).toThrow(
      'stepReservedConcurrency: expected an integer from 1 to 1000, or false to reserve none, got 0',
    );
  });

  it('encrypts the topic with a rotated key of its own that CloudWatch alarms of the account may use', () => {
    const [[topicId, topic]] = resources(template, 'AWS::SNS::Topic') as [[string, { Properties: Record<string, any> }]];
    expect(topicId).toBeTruthy();
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    const key = resources(template, 'AWS::KMS::Key').find(([id]) => id === keyId)![1];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': expect.anything() } },
      }),
    );
  });

  it('alerts once per ended execution through a function that reads the definition and the step records and publishes to the topic', () => {
    const [[topicId]] = resources(template, 'AWS::SNS::Topic') as [[string, unknown]];
    const [[alertId, alert]] = resources(template, 'AWS::Lambda::Function').filter(([, r]) =>
      String(r.Properties.Description).includes('publishes an alert'),
    ) as [[string, { Properties: Record<string, any> }]];
    expect(alert.Properties.Environment.Variables).toMatchObject({
      SLUICE_ALERT_TOPIC_ARN: { Ref: topicId },
      SLUICE_STEP_RECORDS: 's3://churn-data/_sluice/runs',
      OPENLINEAGE_URL: 'http://marquez.internal:5000',
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        'detail-type': ['Step Functions Execution Status Change'],
        detail: Match.objectLike({ status: ['FAILED', 'TIMED_OUT', 'ABORTED', 'SUCCEEDED'] }),
      }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [alertId, 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
    });
    const roleId = refId(alert.Properties.Role);
    const policy = resources(template, 'AWS::IAM::Policy').find(([, p]) => p.Properties.Roles.some((r: unknown) => refId(r) === roleId))!;
    const statements = JSON.stringify(policy[1].Properties.PolicyDocument.Statement);
    expect(statements).toContain('states:DescribeStateMachineForExecution');
    expect(statements).toContain('sns:Publish');
    // Every step function writes its record, and its metrics go to the pipeline's namespace.
    for (const kind of ['ingest', 'dataTests', 'featureBuild', 'batchScore'] as const) {
      const [, fn] = resources(template, 'AWS::Lambda::Function').find(([id]) => id === stepFunctionId(kind))!;
      expect(fn.Properties.Environment.Variables).toMatchObject({
        SLUICE_STEP_RECORDS: 's3://churn-data/_sluice/runs',
        SLUICE_METRIC_NAMESPACE: 'Sluice/churn',
      });
    }
  });

  it("draws a dashboard with every step's rows, rejects, rules, failures and duration", () => {
    const [[, dashboard]] = resources(template, 'AWS::CloudWatch::Dashboard') as [[string, { Properties: Record<string, any> }]];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of ['RowsIn', 'RowsOut', 'RejectedRows', 'FailedRules', 'WarnedRules', 'StepFailed', 'Duration']) {
      for (const step of churn.steps)
        expect(body).toContain(`Sluice/churn\\",\\"${metric}\\",\\"Pipeline\\",\\"churn\\",\\"Step\\",\\"${step.name}`);
    }
    expect(body).toMatch(/filter level = \W+WARN\W+ or level = \W+ERROR/);
  });
});
