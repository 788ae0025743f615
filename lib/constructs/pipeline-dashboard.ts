import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The metric names each step run writes in CloudWatch's embedded format (`lib/runtime/step-end.ts`). */
export const STEP_METRICS = ['RowsIn', 'RowsOut', 'RejectedRows', 'FailedRules', 'WarnedRules', 'StepFailed', 'Duration'] as const;

/** Settings of {@link PipelineDashboard}. */
export interface PipelineDashboardProps {
  readonly pipelineName: string;
  readonly metricNamespace: string;
  readonly steps: readonly string[];
  readonly executionsSucceeded: cloudwatch.IMetric;
  readonly executionsFailed: cloudwatch.IMetric;
  readonly executionTime: cloudwatch.IMetric;
  readonly lineageDeliveryFailures: cloudwatch.IMetric;
  /** The step functions' log groups, searched for warnings and failures. */
  readonly stepLogGroups: readonly logs.ILogGroup[];
}

/**
 * A CloudWatch dashboard of one pipeline: executions and their time, then per step the rows read, written and
 * rejected, failed and warned rules, failures and duration (from the steps' embedded metrics), undelivered lineage,
 * and the latest warnings and failures from the steps' structured logs.
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const perStep = (metricName: (typeof STEP_METRICS)[number], statistic = 'Sum'): cloudwatch.IMetric[] =>
      props.steps.map(
        (step) =>
          new cloudwatch.Metric({
            namespace: props.metricNamespace,
            metricName,
            dimensionsMap: { Pipeline: props.pipelineName, Step: step },
            statistic,
            period,
            label: step,
          }),
      );
    const graph = (title: string, left: cloudwatch.IMetric[], stacked = false) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, stacked, period });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.TextWidget({
            markdown: `# Sluice ${props.pipelineName}\nExecutions, then each step's rows, rules and time (embedded metrics in \`${props.metricNamespace}\`), and the steps' latest warnings and failures.`,
            width: 24,
            height: 2,
          }),
        ],
        [
          graph('Executions', [props.executionsSucceeded, props.executionsFailed]),
          graph('Execution time', [props.executionTime]),
          graph('Lineage events not delivered (kept in the outbox)', [props.lineageDeliveryFailures]),
        ],
        [
          graph('Rows read by step', perStep('RowsIn')),
          graph('Rows written by step', perStep('RowsOut')),
          graph('Rows rejected by step', perStep('RejectedRows')),
        ],
        [
          graph('Failed rules by step', perStep('FailedRules'), true),
          graph('Warned rules by step', perStep('WarnedRules'), true),
          graph('Step failures', perStep('StepFailed'), true),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Step duration (p90, ms)', left: perStep('Duration', 'p90'), width: 8, height: 6, period }),
          new cloudwatch.LogQueryWidget({
            title: 'Latest step warnings and failures',
            logGroupNames: props.stepLogGroups.map((g) => g.logGroupName),
            queryLines: [
              'fields @timestamp, step, level, message, execution',
              'filter level = "WARN" or level = "ERROR"',
              'sort @timestamp desc',
              'limit 50',
            ],
            width: 16,
            height: 6,
          }),
        ],
      ],
    });
  }
}
