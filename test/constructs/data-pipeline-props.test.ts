import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DataPipeline, type DataPipelineProps } from '../../lib/constructs/index.ts';
import { compileAsl, substituteAsl } from '../../lib/asl/compile-asl.ts';
import { churn, testApp } from './support.ts';

function build(props: Partial<DataPipelineProps>): Stack {
  const app = testApp();
  const stack = new Stack(app, 'Props');
  new DataPipeline(stack, 'Churn', { spec: churn, ...props });
  return stack;
}

describe('DataPipeline props', () => {
  it.each<[string, Partial<DataPipelineProps>, RegExp]>([
    [
      'an unknown bucket in bucketNames',
      { bucketNames: { 'not-there': 'x-bucket' } },
      /bucketNames\.not-there: not a bucket of the spec \(buckets: churn-data, churn-models\)/,
    ],
    [
      'an invalid physical bucket name',
      { bucketNames: { 'churn-data': 'Bad_Name' } },
      /bucketNames\.churn-data: expected an S3 bucket name .* got "Bad_Name"/,
    ],
    ['step memory out of range', { stepMemorySize: 64 }, /stepMemorySize: expected an integer from 128 to 10240 MiB, got 64/],
    [
      'step /tmp out of range',
      { stepEphemeralStorageSize: 20000 },
      /stepEphemeralStorageSize: expected an integer from 512 to 10240 MiB, got 20000/,
    ],
    ['a lineage URL that is not http(s)', { lineageUrl: 'ftp://marquez' }, /lineageUrl: expected an http\(s\) URL, got "ftp:\/\/marquez"/],
    [
      'a lineage page URL that is not a URL',
      { lineagePageUrl: 'lineage.example' },
      /lineagePageUrl: expected an http\(s\) URL, got "lineage.example"/,
    ],
    [
      'a quarantine retention under a day',
      { quarantineRetention: Duration.hours(2) },
      /quarantineRetention: expected at least 1 day, got 2 hours/,
    ],
    [
      'an outbox bucket outside the spec',
      { lineageOutboxBucket: 'elsewhere' },
      /lineageOutboxBucket: not a bucket of the spec, got "elsewhere"/,
    ],
    ['an invalid spec', { spec: { ...churn, steps: [] } }, /spec\.steps: expected at least one step/],
  ])('fails with the construct path on %s', (_, props, message) => {
    expect(() => build(props)).toThrow(/^Props\/Churn: invalid DataPipeline props:/);
    expect(() => build(props)).toThrow(message);
  });

  it('lists every problem at once', () => {
    expect(() => build({ stepMemorySize: 1, lineageUrl: 'nope' })).toThrow(/stepMemorySize[\s\S]*lineageUrl/);
  });

  it('deploys renamed buckets everywhere, the ASL included', () => {
    const template = Template.fromStack(
      build({ bucketNames: { 'churn-data': 'churn-data-prod-1', 'churn-models': 'churn-models-prod-1' } }),
    );
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'churn-data-prod-1' });
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const asl = JSON.parse(machine.Properties.DefinitionString as string);
    expect(JSON.stringify(asl)).not.toMatch(/"churn-data"|"churn-models"/);
    expect(substituteAsl(asl, {}).States['score']).toMatchObject({
      Parameters: { Payload: { step: { model: { bucket: 'churn-models-prod-1' } } } },
    });
    expect(Object.keys(asl.States)).toEqual(Object.keys(compileAsl(churn).States));
  });

  it('writes lineage to the logs when no lineage URL is given, with no secret', () => {
    const template = Template.fromStack(build({}));
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables).toMatchObject({ OPENLINEAGE__TRANSPORT__TYPE: 'console' });
      expect(fn.Properties.Environment.Variables.OPENLINEAGE_URL).toBeUndefined();
    }
  });
});
