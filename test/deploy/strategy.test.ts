import { Duration, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeployPlatform, DeploymentStrategy, StrategyKind } from '../../lib';
import { newStack } from '../util';

const min = (n: number) => Duration.minutes(n);

describe('DeploymentStrategy mapping', () => {
  test.each([
    [DeploymentStrategy.allAtOnce(), 'CodeDeployDefault.AllAtOnce'],
    [DeploymentStrategy.oneAtATime(), 'CodeDeployDefault.OneAtATime'],
    [DeploymentStrategy.halfAtATime(), 'CodeDeployDefault.HalfAtATime'],
  ])('EC2 %s maps to %s', (strategy, name) => {
    const stack = newStack();
    expect(stack.resolve(strategy._serverConfig(stack, 'C', 'T').deploymentConfigName)).toBe(name);
  });

  test.each([
    [DeploymentStrategy.minimumHealthyHostsCount(2), { Type: 'HOST_COUNT', Value: 2 }],
    [DeploymentStrategy.minimumHealthyHostsPercentage(75), { Type: 'FLEET_PERCENT', Value: 75 }],
  ])('EC2 minimum healthy hosts makes a custom config', (strategy, hosts) => {
    const stack = newStack();
    strategy._serverConfig(stack, 'C', 'T');
    Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { MinimumHealthyHosts: hosts });
  });

  test.each([
    [DeploymentStrategy.allAtOnce(), 'CodeDeployDefault.ECSAllAtOnce'],
    [DeploymentStrategy.canary({ percent: 10, interval: min(5) }), 'CodeDeployDefault.ECSCanary10Percent5Minutes'],
    [DeploymentStrategy.canary({ percent: 10, interval: min(15) }), 'CodeDeployDefault.ECSCanary10Percent15Minutes'],
    [DeploymentStrategy.linear({ percent: 10, interval: min(1) }), 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'],
    [DeploymentStrategy.linear({ percent: 10, interval: min(3) }), 'CodeDeployDefault.ECSLinear10PercentEvery3Minutes'],
  ])('ECS %s maps to %s', (strategy, name) => {
    const stack = newStack();
    expect(stack.resolve(strategy._ecsConfig(stack, 'C', 'T').deploymentConfigName)).toBe(name);
  });

  test.each([
    [DeploymentStrategy.allAtOnce(), 'CodeDeployDefault.LambdaAllAtOnce'],
    [DeploymentStrategy.canary({ percent: 10, interval: min(5) }), 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
    [DeploymentStrategy.canary({ percent: 10, interval: min(10) }), 'CodeDeployDefault.LambdaCanary10Percent10Minutes'],
    [DeploymentStrategy.canary({ percent: 10, interval: min(15) }), 'CodeDeployDefault.LambdaCanary10Percent15Minutes'],
    [DeploymentStrategy.canary({ percent: 10, interval: min(30) }), 'CodeDeployDefault.LambdaCanary10Percent30Minutes'],
    [DeploymentStrategy.linear({ percent: 10, interval: min(1) }), 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'],
    [DeploymentStrategy.linear({ percent: 10, interval: min(2) }), 'CodeDeployDefault.LambdaLinear10PercentEvery2Minutes'],
    [DeploymentStrategy.linear({ percent: 10, interval: min(3) }), 'CodeDeployDefault.LambdaLinear10PercentEvery3Minutes'],
    [DeploymentStrategy.linear({ percent: 10, interval: min(10) }), 'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes'],
  ])('Lambda %s maps to %s', (strategy, name) => {
    const stack = newStack();
    expect(stack.resolve(strategy._lambdaConfig(stack, 'C', 'T').deploymentConfigName)).toBe(name);
  });

  test('other canary and linear shapes make custom configs', () => {
    const stack = newStack();
    DeploymentStrategy.canary({ percent: 20, interval: min(7) })._ecsConfig(stack, 'Ecs', 'T');
    DeploymentStrategy.linear({ percent: 25, interval: min(4) })._lambdaConfig(stack, 'Lambda', 'T');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { ComputePlatform: 'ECS', TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 20, CanaryInterval: 7 } } });
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { ComputePlatform: 'Lambda', TrafficRoutingConfig: { Type: 'TimeBasedLinear', TimeBasedLinear: { LinearPercentage: 25, LinearInterval: 4 } } });
  });

  test('describes itself and its shift time', () => {
    expect(DeploymentStrategy.canary({ percent: 10, interval: min(5) }).describe()).toBe('canary 10% then 100% after 5 minutes');
    expect(DeploymentStrategy.linear({ percent: 10, interval: min(1) }).describe()).toBe('linear 10% every 1 minute');
    expect(DeploymentStrategy.linear({ percent: 10, interval: min(3) }).shiftMinutes).toBe(27);
    expect(DeploymentStrategy.minimumHealthyHostsPercentage(75).describe()).toBe('at least 75% healthy hosts');
    expect(DeploymentStrategy.oneAtATime().kind).toBe(StrategyKind.ONE_AT_A_TIME);
  });
});

describe('DeploymentStrategy errors', () => {
  test.each([
    [DeployPlatform.SERVER, DeploymentStrategy.canary({ percent: 10, interval: min(5) }), /EC2\/on-premises deployments cannot run canary 10% then 100% after 5 minutes \(got DeploymentStrategy\.canary\(\{ percent, interval \}\)\)\. Fix: use one of DeploymentStrategy\.allAtOnce\(\), DeploymentStrategy\.oneAtATime\(\)/],
    [DeployPlatform.ECS, DeploymentStrategy.oneAtATime(), /ECS deployments cannot run one at a time.*Fix: use one of DeploymentStrategy\.allAtOnce\(\), DeploymentStrategy\.canary/],
    [DeployPlatform.LAMBDA, DeploymentStrategy.minimumHealthyHostsCount(1), /Lambda deployments cannot run at least 1 healthy hosts/],
  ])('fails when %s is asked to run an unsupported strategy', (platform, strategy, message) => {
    expect(() => strategy._requirePlatform(platform, "Target 'X'")).toThrow(message);
  });

  test.each([0, 100, 12.5])('fails when the percent is %p', (percent) => {
    expect(() => DeploymentStrategy.canary({ percent, interval: min(5) })).toThrow(/DeploymentStrategy\.canary has 1 problem:\n {2}- percent: must be a whole number from 1 to 99/);
  });

  test('fails when the interval is not whole minutes', () => {
    expect(() => DeploymentStrategy.linear({ percent: 10, interval: Duration.seconds(90) })).toThrow(/interval: must be a whole number of minutes, at least 1 \(got "1\.5 minutes"\)/);
    expect(() => DeploymentStrategy.linear({ percent: 10 } as never)).toThrow(/interval: is required/);
  });

  test('fails when the shift would take more than 2880 minutes', () => {
    expect(() => DeploymentStrategy.linear({ percent: 1, interval: min(30) })).toThrow(/the traffic shift would take 2970 minutes; CodeDeploy allows at most 2880/);
    expect(() => DeploymentStrategy.canary({ percent: 10, interval: min(2881) })).toThrow(/2881 minutes/);
  });

  test('fails when the interval or percent is a token', () => {
    expect(() => DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(Token.asNumber({ Ref: 'Minutes' })) })).toThrow(/interval: must be known at synth/);
  });

  test('fails when minimum healthy hosts are out of range', () => {
    expect(() => DeploymentStrategy.minimumHealthyHostsCount(-1)).toThrow(/count: must be a whole number, 0 or more/);
    expect(() => DeploymentStrategy.minimumHealthyHostsPercentage(100)).toThrow(/percent: must be a whole number from 0 to 99 \(CodeDeploy FLEET_PERCENT\)/);
  });
});
