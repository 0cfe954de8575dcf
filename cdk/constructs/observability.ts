import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AppFunction } from '../app-function.ts';
import type { StageConfig } from '../stage-config.ts';
import type { Edge } from './edge.ts';

export interface ObservabilityProps {
  readonly config: StageConfig;
  readonly key: IKey;
  readonly functions: readonly AppFunction[];
  /** Functions fed by a table stream: their iterator age is watched. */
  readonly streamConsumers: readonly AppFunction[];
  readonly deadLetters: IQueue;
  /** The WAF in front of the API: its blocks are alarmed on and drawn. */
  readonly edge: Edge;
}

const NAMESPACE = 'Vigil';
const FIVE_MINUTES = Duration.minutes(5);

/** A Vigil business metric, summed; `search` sums it over all values of one dimension. */
function vigilMetric(metricName: string, statistic = 'Sum', dimensions: Record<string, string> = {}): Metric {
  return new Metric({
    namespace: NAMESPACE,
    metricName,
    dimensionsMap: { service: 'vigil', ...dimensions },
    statistic,
    period: FIVE_MINUTES,
  });
}

function byDimension(metricName: string, dimension: string, label: string): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${NAMESPACE},${dimension},service} MetricName="${metricName}"', 'Sum', 300)`,
    label,
    period: FIVE_MINUTES,
  });
}

/**
 * The operators' view (docs/operator-guide.md, runbook): one dashboard, and alarms on dead
 * letters, function errors and throttles, stream iterator age and the callback backlog, sent to
 * an encrypted SNS topic (and the e-mail of the `alarmEmail` context, when set).
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { config, key, functions, streamConsumers, deadLetters, edge } = props;
    this.topic = new Topic(this, 'Alarms', {
      displayName: `Vigil ${config.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(config.alarmEmail));
    const alarm = (name: string, metric: IMetric, threshold: number, periods = 1, description = '') => {
      const created = new Alarm(this, name, {
        alarmName: `vigil-${config.stage}-${name}`,
        alarmDescription: `${description} Runbook: docs/operator-guide.md#${name.toLowerCase()}`,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(created);
    };

    alarm(
      'DeadLetters',
      deadLetters.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      1,
      1,
      'A stream batch failed all its retries.',
    );
    alarm(
      'CallbacksDead',
      vigilMetric('CallbackAttempt', 'Sum', { outcome: 'dead' }),
      1,
      1,
      'A bank callback gave up after 25 hours.',
    );
    alarm(
      'MessengerNotConfigured',
      vigilMetric('MessengerNotConfigured', 'Sum'),
      1,
      1,
      'The Messenger secret still holds a placeholder: webhook requests are refused (503).',
    );
    alarm(
      'WhatsAppNotConfigured',
      vigilMetric('WhatsAppNotConfigured', 'Sum'),
      1,
      1,
      'The WhatsApp secret still holds a placeholder: WhatsApp webhook requests are refused (503) and nothing is sent on WhatsApp.',
    );
    alarm(
      'CallbackBacklog',
      vigilMetric('CallbackBacklog', 'Maximum'),
      100,
      3,
      'Many bank callbacks wait for a retry.',
    );
    alarm(
      'WafBlocks',
      edge.blockedRequests,
      100,
      1,
      'The WAF blocked many requests in 5 minutes: a flood, a misbehaving client, or a bank over its limit.',
    );
    alarm(
      'WafBankPathBlocks',
      edge.blockedBy('PerBankPath'),
      1,
      1,
      'A bank’s path went over its rate limit: that bank’s requests are being refused.',
    );
    for (const fn of functions) {
      const name = fn.node.id;
      const errors = fn.function.metricErrors({ period: FIVE_MINUTES });
      const invocations = fn.function.metricInvocations({ period: FIVE_MINUTES });
      alarm(
        `${name}ErrorRate`,
        new MathExpression({
          expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
          usingMetrics: { errors, invocations },
          period: FIVE_MINUTES,
          label: `${name} error rate (%)`,
        }),
        5,
        2,
        `${name} fails more than 5 % of its invocations.`,
      );
      alarm(
        `${name}Throttles`,
        fn.function.metricThrottles({ period: FIVE_MINUTES }),
        1,
        1,
        `${name} is throttled.`,
      );
    }
    for (const fn of streamConsumers) {
      alarm(
        `${fn.node.id}IteratorAge`,
        fn.function.metric('IteratorAge', { statistic: 'Maximum', period: FIVE_MINUTES }),
        5 * 60_000,
        2,
        `${fn.node.id} is more than 5 minutes behind its stream.`,
      );
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `vigil-${config.stage}` });
    const graph = (title: string, left: IMetric[]) => new GraphWidget({ title, left, width: 8, height: 6 });
    this.dashboard.addWidgets(
      graph('Bank events accepted', [byDimension('BankEvent', 'outcome', '')]),
      graph('Bank events refused, by reason', [byDimension('BankEventRefused', 'reason', '')]),
      graph('Alerts created, by kind', [byDimension('AlertCreated', 'kind', '')]),
    );
    this.dashboard.addWidgets(
      graph('Alerts notified, by outcome', [
        byDimension('AlertNotified', 'outcome', ''),
        vigilMetric('AlertExpired'),
      ]),
      graph('Customers’ answers and commands, by outcome', [byDimension('MessengerEvent', 'outcome', '')]),
      graph('Send API errors, by code', [
        byDimension('SendApiError', 'code', ''),
        vigilMetric('SendApiRetry'),
      ]),
      graph('Bank callbacks', [
        byDimension('CallbackFirstAttempt', 'outcome', ''),
        byDimension('CallbackAttempt', 'outcome', ''),
        vigilMetric('CallbackBacklog', 'Maximum'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Dead letters', [deadLetters.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES })]),
      graph('WAF blocks, by rule', [
        edge.blockedRequests.with({ label: 'all' }),
        ...['PerSourceIpBankApi', 'PerBankPath', 'PerSourceIpMessenger', 'PerSourceIpOther'].map((rule) =>
          edge.blockedBy(rule).with({ label: rule }),
        ),
      ]),
      graph(
        'p99 duration per function (ms)',
        functions.map((fn) =>
          fn.function.metricDuration({ statistic: 'p99', period: FIVE_MINUTES, label: fn.node.id }),
        ),
      ),
      graph(
        'Stream iterator age (ms)',
        streamConsumers.map((fn) =>
          fn.function.metric('IteratorAge', {
            statistic: 'Maximum',
            period: FIVE_MINUTES,
            label: fn.node.id,
          }),
        ),
      ),
    );

    const { region } = Stack.of(this);
    new CfnOutput(Stack.of(this), 'DashboardUrl', {
      value: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=vigil-${config.stage}`,
      description: 'The operators’ CloudWatch dashboard',
    });
    new CfnOutput(Stack.of(this), 'AlarmTopicArn', {
      value: this.topic.topicArn,
      description: 'Alarms are sent here',
    });
  }
}
