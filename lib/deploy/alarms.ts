import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { Problems, isConcreteNumber } from '../private/validation';
import { checkArgs } from '../private/shapes';
import { acceptNagFindings, inPacks } from '../private/nag';

/** Options of a deployment alarm. */
export interface DeploymentAlarmOptions {
  /**
   * Value at or above which the alarm fires.
   *
   * @default - 5 errors for 5xx alarms, 1 for function errors and throttles
   */
  readonly threshold?: number;

  /**
   * Period of the metric.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;

  /**
   * Periods in a row that must breach.
   *
   * @default 1
   */
  readonly evaluationPeriods?: number;
}

/** Options of a response-time alarm. */
export interface ResponseTimeAlarmOptions {
  /** The p99 response time at or above which the alarm fires. */
  readonly threshold: Duration;

  /**
   * Period of the metric.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;

  /**
   * Periods in a row that must breach.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/**
 * The alarms deployments usually roll back on. Each is a plain CloudWatch alarm that treats
 * missing data as not breaching (no traffic is no reason to roll back).
 */
export class DeploymentAlarms {
  /** 5xx responses from the targets of an Application Load Balancer target group (ECS, EC2). */
  public static targetGroup5xx(scope: Construct, id: string, targetGroup: elbv2.IApplicationTargetGroup, options: DeploymentAlarmOptions = {}): cloudwatch.Alarm {
    checkArgs('DeploymentAlarms.targetGroup5xx', [scope, id, targetGroup, options]);
    checkPeriod(id, options?.period);
    return DeploymentAlarms.alarm(scope, id, targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: options.period ?? Duration.minutes(1) }), options.threshold ?? 5, options.evaluationPeriods ?? 1, `5xx responses of ${targetGroup.node.path}`);
  }

  /** p99 response time of the targets of an Application Load Balancer target group (ECS, EC2). */
  public static targetResponseTime(scope: Construct, id: string, targetGroup: elbv2.IApplicationTargetGroup, options: ResponseTimeAlarmOptions): cloudwatch.Alarm {
    checkArgs('DeploymentAlarms.targetResponseTime', [scope, id, targetGroup, options]);
    checkPeriod(id, options?.period);
    const metric = targetGroup.metrics.targetResponseTime({ period: options.period ?? Duration.minutes(1), statistic: 'p99' });
    return DeploymentAlarms.alarm(scope, id, metric, options.threshold.toMilliseconds() / 1000, options.evaluationPeriods ?? 2, `p99 response time of ${targetGroup.node.path}`);
  }

  /** Errors of a function or alias (Lambda). */
  public static functionErrors(scope: Construct, id: string, fn: lambda.IFunction, options: DeploymentAlarmOptions = {}): cloudwatch.Alarm {
    checkArgs('DeploymentAlarms.functionErrors', [scope, id, fn, options]);
    checkPeriod(id, options?.period);
    return DeploymentAlarms.alarm(scope, id, fn.metricErrors({ period: options.period ?? Duration.minutes(1) }), options.threshold ?? 1, options.evaluationPeriods ?? 1, `errors of ${fn.node.path}`);
  }

  /** Throttles of a function or alias (Lambda). */
  public static functionThrottles(scope: Construct, id: string, fn: lambda.IFunction, options: DeploymentAlarmOptions = {}): cloudwatch.Alarm {
    checkArgs('DeploymentAlarms.functionThrottles', [scope, id, fn, options]);
    checkPeriod(id, options?.period);
    return DeploymentAlarms.alarm(scope, id, fn.metricThrottles({ period: options.period ?? Duration.minutes(1) }), options.threshold ?? 1, options.evaluationPeriods ?? 1, `throttles of ${fn.node.path}`);
  }

  private static alarm(scope: Construct, id: string, metric: cloudwatch.IMetric, threshold: number, evaluationPeriods: number, what: string): cloudwatch.Alarm {
    const problems = new Problems(`DeploymentAlarms '${id}'`);
    if (isConcreteNumber(threshold) && !(threshold > 0)) {
      problems.add('threshold', threshold, 'must be above 0', 'give the value at which the deployment should roll back');
    }
    if (isConcreteNumber(evaluationPeriods) && (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1)) {
      problems.add('evaluationPeriods', evaluationPeriods, 'must be a whole number, at least 1', 'give how many periods in a row must breach');
    }
    problems.throwIfAny();
    const alarm = new cloudwatch.Alarm(scope, id, {
      alarmDescription: `Rolls back deployments: ${what}`,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    acceptNagFindings(alarm, inPacks('CloudWatchAlarmAction', 'CodeDeploy watches this alarm during deployments and rolls back when it fires; it needs no alarm action (add one with alarm.addAlarmAction to be paged too).', ['NIST.800.53.R5', 'HIPAA.Security']));
    return alarm;
  }
}

/**
 * CloudWatch takes a metric period of 1, 5, 10 or 30 seconds, or a multiple of 60 seconds
 * (CloudWatch `PutMetricAlarm`, Period); checked before the metric is made, which would throw.
 */
function checkPeriod(id: string, period: Duration | undefined): void {
  if (!period || period.isUnresolved()) return;
  const seconds = period.toSeconds({ integral: false });
  if (![1, 5, 10, 30].includes(seconds) && !(Number.isInteger(seconds / 60) && seconds > 0)) {
    const problems = new Problems(`DeploymentAlarms '${id}'`);
    problems.add('period', `${seconds} seconds`, 'is not a period CloudWatch alarms take', 'use 1, 5, 10 or 30 seconds, or a whole number of minutes, e.g. Duration.minutes(1)');
    problems.throwIfAny();
  }
}
