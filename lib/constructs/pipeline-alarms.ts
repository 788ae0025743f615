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
import { SLUICE_METRICS } from '../../core/metrics.ts';

/** The metric name of undelivered lineage events, counted from the functions' logs. */
export const LINEAGE_DELIVERY_FAILURES = 'LineageDeliveryFailures';
/** The metric the outbox replay reports (embedded metric format): the oldest undelivered event's age, in seconds. */
export const LINEAGE_OUTBOX_OLDEST_AGE = SLUICE_METRICS.lineageOutboxOldestAge;

/** Settings of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  readonly pipelineName: string;
  readonly metricNamespace: string;
  /** Failed, timed-out and aborted executions. */
  readonly executionsFailed: cloudwatch.IMetric;
  readonly lineageDeliveryFailures: cloudwatch.IMetric;
  readonly deadLetterQueue: sqs.Queue;
  /** The oldest undelivered lineage event's age, and the age above which it alarms. */
  readonly outboxOldestAge: cloudwatch.IMetric;
  readonly outboxMaxAge: Duration;
  /** A topic of the user's; else one is created, encrypted with a key of its own. */
  readonly topic?: sns.ITopic;
  /** Who the alarms reach (email, a queue, a function, an HTTPS endpoint). */
  readonly subscriptions?: readonly sns.ITopicSubscription[];
}

/**
 * Alarms on failed executions, function errors and throttles, undelivered lineage, an outbox that stays undelivered
 * and dead letters, sent to one SNS topic, which the alerts share. The topic it creates is encrypted with a key of its
 * own (alarms need a key CloudWatch may use, which AWS's SNS key is not).
 */
export class PipelineAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly #alarms: cloudwatch.Alarm[] = [];
  readonly #name: string;
  readonly #metricNamespace: string;
  readonly #notify: cwActions.SnsAction;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    this.#name = props.pipelineName;
    this.#metricNamespace = props.metricNamespace;
    this.topic = props.topic ?? this.#encryptedTopic(this.#name);
    for (const subscription of props.subscriptions ?? []) this.topic.addSubscription(subscription);
    this.#notify = new cwActions.SnsAction(this.topic);
    this.#alarm('ExecutionsFailed', 'an execution failed, timed out or was aborted', props.executionsFailed);
    this.#alarm('LineageDelivery', 'lineage events were not delivered (kept in the outbox for replay)', props.lineageDeliveryFailures);
    this.#alarm(
      'LineageOutboxAge',
      `an undelivered lineage event has waited in the outbox for more than ${props.outboxMaxAge.toHumanString()} (is the lineage backend reachable?)`,
      props.outboxOldestAge,
      props.outboxMaxAge.toSeconds(),
    );
    this.#alarm(
      'DeadLetters',
      'a trigger or a status change could not be delivered (see the dead-letter queue)',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    );
  }

  /** Every alarm made so far. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return this.#alarms;
  }

  /**
   * Watches the pipeline's functions: every "sluice: warning" line of their logs (an undelivered lineage event) counts
   * in the delivery metric, and their errors and throttles get an alarm each.
   */
  watchFunctions(functions: readonly SluiceFunction[]): void {
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
    // One alarm over every function: SUM ignores functions without datapoints in the period.
    const across = (label: string, metric: (fn: SluiceFunction) => cloudwatch.IMetric): cloudwatch.IMetric =>
      new cloudwatch.MathExpression({
        label,
        expression: `SUM([${functions.map((_, i) => `m${i}`).join(', ')}])`,
        usingMetrics: Object.fromEntries(functions.map((fn, i) => [`m${i}`, metric(fn)])),
        period: Duration.minutes(5),
      });
    this.#alarm(
      'FunctionErrors',
      'a function failed (a step, the alert, the lineage status or the outbox replay; see its logs)',
      across('Errors', (fn) => fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })),
    );
    this.#alarm(
      'FunctionThrottles',
      'a function was throttled (its reserved concurrency or the account limit was reached; steps are retried)',
      across('Throttles', (fn) => fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' })),
    );
  }

  #alarm(id: string, description: string, metric: cloudwatch.IMetric, threshold = 1): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `${this.#name}: ${description}`,
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.#notify);
    this.#alarms.push(alarm);
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
