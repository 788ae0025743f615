import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SluiceFunction } from './sluice-function.ts';

/** The metric name of undelivered lineage events, counted from the functions' logs. */
export const LINEAGE_DELIVERY_FAILURES = 'LineageDeliveryFailures';

/** Settings of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  readonly pipelineName: string;
  readonly metricNamespace: string;
  /** Failed, timed-out and aborted executions. */
  readonly executionsFailed: cloudwatch.IMetric;
  readonly lineageDeliveryFailures: cloudwatch.IMetric;
  readonly deadLetterQueue: sqs.Queue;
  /** A topic of the user's; else one is created. */
  readonly topic?: sns.ITopic;
}

/**
 * Alarms on failed executions, undelivered lineage and dead letters, sent to one SNS topic, which the alerts share. The
 * topic it creates is encrypted with a key of its own (alarms need a key CloudWatch may use, which AWS's SNS key is not).
 */
export class PipelineAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly #metricNamespace: string;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const name = props.pipelineName;
    this.#metricNamespace = props.metricNamespace;
    this.topic = props.topic ?? this.#encryptedTopic(name);
    const alarm = (id: string, description: string, metric: cloudwatch.IMetric): cloudwatch.Alarm =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: `${name}: ${description}`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      alarm('ExecutionsFailed', 'an execution failed, timed out or was aborted', props.executionsFailed),
      alarm('LineageDelivery', 'lineage events were not delivered (kept in the outbox for replay)', props.lineageDeliveryFailures),
      alarm(
        'DeadLetters',
        'a trigger or a status change could not be delivered (see the dead-letter queue)',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      ),
    ];
    const notify = new cwActions.SnsAction(this.topic);
    for (const a of this.alarms) a.addAlarmAction(notify);
  }

  /** Counts every "sluice: warning" line of these functions' logs (an undelivered lineage event) in the delivery metric. */
  watchLineageWarnings(functions: readonly SluiceFunction[]): void {
    for (const [i, fn] of functions.entries()) {
      new logs.MetricFilter(this, `LineageWarnings${i}`, {
        logGroup: fn.logGroup,
        // Every "sluice: warning" line is a lineage event not delivered (SafeEmitter, the key loader, replay).
        filterPattern: logs.FilterPattern.literal('"sluice: warning"'),
        metricNamespace: this.#metricNamespace,
        metricName: LINEAGE_DELIVERY_FAILURES,
        metricValue: '1',
      });
    }
  }

  /** A topic encrypted with a customer-managed key that CloudWatch alarms of this account may use to publish. */
  #encryptedTopic(name: string): sns.Topic {
    const key = new kms.Key(this, 'TopicKey', {
      description: `Sluice ${name}: encrypts the alarm and alert topic`,
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return new sns.Topic(this, 'Topic', { displayName: `Sluice ${name} alarms and alerts`, enforceSSL: true, masterKey: key });
  }
}
