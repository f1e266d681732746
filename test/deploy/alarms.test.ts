import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentAlarms } from '../../lib';
import { newStack } from '../util';
import { ecsService } from './ecs-fixture';

describe('DeploymentAlarms', () => {
  test('target group 5xx and p99 response time', () => {
    const stack = newStack();
    const f = ecsService(stack);
    DeploymentAlarms.targetGroup5xx(stack, 'Errors', f.blue);
    DeploymentAlarms.targetResponseTime(stack, 'Slow', f.blue, { threshold: Duration.millis(800) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Threshold: 5, EvaluationPeriods: 1, Period: 60, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99', Threshold: 0.8, EvaluationPeriods: 2 });
  });

  test('function errors and throttles', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    DeploymentAlarms.functionErrors(stack, 'Errors', fn, { threshold: 3 });
    DeploymentAlarms.functionThrottles(stack, 'Throttles', fn);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 3 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Threshold: 1 });
  });

  test('fails when the threshold or evaluation periods are out of range', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    expect(() => DeploymentAlarms.functionErrors(stack, 'A', fn, { threshold: 0 })).toThrow(/DeploymentAlarms 'A' has 1 problem:\n {2}- threshold: must be above 0/);
    expect(() => DeploymentAlarms.functionErrors(stack, 'B', fn, { evaluationPeriods: 0 })).toThrow(/evaluationPeriods: must be a whole number, at least 1/);
  });
});
