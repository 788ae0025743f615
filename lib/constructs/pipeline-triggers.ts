import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PipelineSpec } from '../definition/pipeline-schema.ts';

/** Settings of {@link PipelineTriggers}. */
export interface PipelineTriggersProps {
  readonly spec: PipelineSpec;
  readonly stateMachine: sfn.IStateMachine;
  readonly deadLetterQueue: sqs.IQueue;
}

/** A schedule's cron as Scheduler wants it: `cron(…)` (the spec also accepts the six bare fields). */
export function schedulerCron(cron: string): string {
  const trimmed = cron.trim();
  return trimmed.startsWith('cron(') ? trimmed : `cron(${trimmed})`;
}

/**
 * What starts runs: an EventBridge rule on "Object Created" under each upload trigger's dataset prefix, and an
 * EventBridge Scheduler schedule per schedule trigger. Both build the `{ trigger }` input the ASL expects.
 */
export class PipelineTriggers extends Construct {
  /** Upload rules by dataset reference. */
  readonly uploadRules: ReadonlyMap<string, events.Rule>;
  /** Schedules by trigger name. */
  readonly schedules: ReadonlyMap<string, scheduler.Schedule>;

  constructor(scope: Construct, id: string, props: PipelineTriggersProps) {
    super(scope, id);
    const { spec, stateMachine, deadLetterQueue } = props;
    const uploadRules = new Map<string, events.Rule>();
    const schedules = new Map<string, scheduler.Schedule>();
    for (const trigger of spec.triggers) {
      if (trigger.kind === 'upload') {
        const dataset = spec.datasets[trigger.dataset]!;
        uploadRules.set(
          trigger.dataset,
          new events.Rule(this, `Upload-${trigger.dataset}`, {
            description: `Starts ${spec.name} when an object lands under s3://${dataset.bucket}/${dataset.prefix}/`,
            eventPattern: {
              source: ['aws.s3'],
              detailType: ['Object Created'],
              detail: { bucket: { name: [dataset.bucket] }, object: { key: [{ prefix: `${dataset.prefix}/` }] } },
            },
            targets: [
              new targets.SfnStateMachine(stateMachine, {
                // The same input lib/local/object-created-event.ts builds for local runs.
                input: events.RuleTargetInput.fromObject({
                  trigger: {
                    kind: 'upload',
                    dataset: trigger.dataset,
                    bucket: events.EventField.fromPath('$.detail.bucket.name'),
                    key: events.EventField.fromPath('$.detail.object.key'),
                    versionId: events.EventField.fromPath('$.detail.object.version-id'),
                    etag: events.EventField.fromPath('$.detail.object.etag'),
                    size: events.EventField.fromPath('$.detail.object.size'),
                    time: events.EventField.time,
                  },
                }),
                deadLetterQueue,
                retryAttempts: 8,
                maxEventAge: Duration.hours(24),
              }),
            ],
          }),
        );
      } else {
        schedules.set(
          trigger.name,
          new scheduler.Schedule(this, `Schedule-${trigger.name}`, {
            description: `Runs ${spec.name} on ${trigger.cron}${trigger.startAt ? ` from step ${trigger.startAt}` : ''}`,
            schedule: scheduler.ScheduleExpression.expression(schedulerCron(trigger.cron)),
            target: new schedulerTargets.StepFunctionsStartExecution(stateMachine, {
              input: scheduler.ScheduleTargetInput.fromObject({
                trigger: {
                  kind: 'schedule',
                  name: trigger.name,
                  nominalTime: scheduler.ContextAttribute.scheduledTime,
                  ...(trigger.startAt ? { startAt: trigger.startAt } : {}),
                },
              }),
              deadLetterQueue,
              retryAttempts: 8,
              maxEventAge: Duration.hours(24),
            }),
          }),
        );
      }
    }
    this.uploadRules = uploadRules;
    this.schedules = schedules;
  }
}
