import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parse } from 'yaml';
import {
  AppSpecOs, BuildStep, DeliveryPipeline, DeploymentEvent, DeploymentStrategy, FileExistsBehavior, ServerAppSpec, ServerDeployment, ServerDeploymentProps, ServerLifecycleEvent,
} from '../../lib';
import { githubSource, newStack } from '../util';

function fleet() {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const asg = new autoscaling.AutoScalingGroup(stack, 'Fleet', {
    vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  });
  return { stack, vpc, asg };
}

function alarm(stack: ReturnType<typeof newStack>, id: string) {
  return new cloudwatch.Alarm(stack, id, { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: id }), threshold: 1, evaluationPeriods: 1 });
}

describe('ServerDeployment', () => {
  test('defaults: one at a time, agent installed, rollback on failure', () => {
    const { stack, asg } = fleet();
    const d = new ServerDeployment(stack, 'Deploy', { autoScalingGroups: [asg] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
      AutoScalingGroups: [{ Ref: Match.stringLikeRegexp('FleetASG') }],
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE'] },
    });
    t.resourceCountIs('AWS::CodeDeploy::Application', 1);
    expect(d.strategy.kind).toBe('ONE_AT_A_TIME');
    expect(JSON.stringify(t.toJSON())).toContain('aws-codedeploy-');
  });

  test('alarms roll back by default; strategy, names and load balancers are passed', () => {
    const { stack, asg, vpc } = fleet();
    const tg = new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc, port: 80, targets: [asg] });
    new ServerDeployment(stack, 'Deploy', {
      autoScalingGroups: [asg],
      deploymentGroupName: 'shop-web',
      strategy: DeploymentStrategy.minimumHealthyHostsPercentage(75),
      alarms: [alarm(stack, 'Errors')],
      loadBalancers: [codedeploy.LoadBalancer.application(tg)],
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentGroupName: 'shop-web',
      DeploymentConfigName: { Ref: Match.stringLikeRegexp('DeploymentConfig') },
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: Match.stringLikeRegexp('Errors') } }] },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      LoadBalancerInfo: { TargetGroupInfoList: [{ Name: Match.anyValue() }] },
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
    });
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { MinimumHealthyHosts: { Type: 'FLEET_PERCENT', Value: 75 } });
  });

  test('tag sets target EC2 and on-premises instances', () => {
    const stack = newStack();
    new ServerDeployment(stack, 'Deploy', {
      ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['shop'] }),
      onPremiseInstanceTags: new codedeploy.InstanceTagSet({ site: ['dc1'] }),
      installAgent: false,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      Ec2TagSet: { Ec2TagSetList: [{ Ec2TagGroup: [{ Key: 'app', Value: 'shop', Type: 'KEY_AND_VALUE' }] }] },
      OnPremisesTagSet: { OnPremisesTagSetList: [{ OnPremisesTagGroup: [{ Key: 'site', Value: 'dc1', Type: 'KEY_AND_VALUE' }] }] },
    });
  });

  test('notifies deployment events to a topic the service role may publish to', () => {
    const { stack, asg } = fleet();
    const topic = new sns.Topic(stack, 'Events');
    new ServerDeployment(stack, 'Deploy', { autoScalingGroups: [asg], notificationTopic: topic });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      TriggerConfigurations: [{ TriggerName: 'cdk-delivery-notifications', TriggerTargetArn: { Ref: Match.stringLikeRegexp('Events') }, TriggerEvents: ['DeploymentFailure', 'DeploymentStop', 'DeploymentRollback'] }],
    });
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Resource: { Ref: Match.stringLikeRegexp('Events') } })]) } });
  });

  test('deploys a build output from the pipeline', () => {
    const { stack, asg } = fleet();
    const appSpec = new ServerAppSpec({ files: [{ source: '/', destination: '/opt/shop' }], hooks: [{ lifecycleEvent: ServerLifecycleEvent.APPLICATION_START, location: 'scripts/start.sh' }] });
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'], generatedFiles: [appSpec.toFile()] });
    const deployment = new ServerDeployment(stack, 'Deploy', { autoScalingGroups: [asg], appSpec });
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: build });
    pipeline.addStage('Production', { steps: [deployment.deployStep({ input: build.output! })] });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Production',
        Actions: [Match.objectLike({
          Name: 'Deploy',
          ActionTypeId: Match.objectLike({ Category: 'Deploy', Provider: 'CodeDeploy' }),
          InputArtifacts: [{ Name: 'Build_Output' }],
          Configuration: { ApplicationName: Match.anyValue(), DeploymentGroupName: Match.anyValue() },
        })],
      })]),
    });
    const spec = parse(build.buildSpecYaml());
    expect(spec.artifacts.files).toEqual(['**/*', 'appspec.yml']);
    expect(spec.phases.build.commands[1]).toMatch(/^printf '%s\\n' 'version: 0\.0' 'os: linux' 'files:'/);
  });
});

describe('ServerAppSpec', () => {
  test('renders files, permissions and hooks with timeouts and runas, keeping version 0.0', () => {
    const spec = new ServerAppSpec({
      files: [{ source: '/', destination: '/opt/shop' }],
      fileExistsBehavior: FileExistsBehavior.OVERWRITE,
      permissions: [{ path: '/opt/shop', owner: 'shop', group: 'shop', mode: '755', pattern: '**' }],
      hooks: [
        { lifecycleEvent: ServerLifecycleEvent.APPLICATION_STOP, location: 'scripts/stop.sh', timeout: Duration.seconds(60), runAs: 'shop' },
        { lifecycleEvent: ServerLifecycleEvent.APPLICATION_START, location: 'scripts/start.sh' },
        { lifecycleEvent: ServerLifecycleEvent.APPLICATION_START, location: 'scripts/warm.sh' },
        { lifecycleEvent: ServerLifecycleEvent.VALIDATE_SERVICE, location: 'scripts/check.sh', timeout: Duration.minutes(5) },
      ],
    });
    const text = spec.render();
    expect(text.startsWith('version: 0.0\nos: linux\n')).toBe(true);
    expect(parse(text, { version: '1.1' })).toEqual({
      version: 0,
      os: 'linux',
      files: [{ source: '/', destination: '/opt/shop' }],
      file_exists_behavior: 'OVERWRITE',
      permissions: [{ object: '/opt/shop', pattern: '**', owner: 'shop', group: 'shop', mode: '755' }],
      hooks: {
        ApplicationStop: [{ location: 'scripts/stop.sh', timeout: 60, runas: 'shop' }],
        ApplicationStart: [{ location: 'scripts/start.sh' }, { location: 'scripts/warm.sh' }],
        ValidateService: [{ location: 'scripts/check.sh', timeout: 300 }],
      },
    });
    expect(spec.toFile().path).toBe('appspec.yml');
    expect(spec.needsLoadBalancer).toBe(false);
  });

  test('fails when a hook times out after more than 3600 seconds', () => {
    expect(() => new ServerAppSpec({ hooks: [{ lifecycleEvent: ServerLifecycleEvent.AFTER_INSTALL, location: 'a.sh', timeout: Duration.minutes(61) }] }))
      .toThrow(/ServerAppSpec has 1 problem:\n {2}- hooks\[0\]\.timeout: must be a whole number of seconds from 1 to 3600 \(got "3660 seconds"\)/);
  });

  test('fails when the scripts of one lifecycle event add up to more than 3600 seconds', () => {
    const start = (location: string, seconds: number) => ({ lifecycleEvent: ServerLifecycleEvent.APPLICATION_START, location, timeout: Duration.seconds(seconds) });
    expect(() => new ServerAppSpec({ hooks: [start('a.sh', 3000), start('b.sh', 3000)] }))
      .toThrow(/ServerAppSpec has 1 problem:\n {2}- hooks\[0, 1\]\.timeout: add up to more than the 3600 seconds CodeDeploy allows all scripts of one lifecycle event together \(got "6000 seconds in all for ApplicationStart"\)\. Fix: give the ApplicationStart scripts at most 3600 seconds in all/);
    // Other events have their own hour.
    expect(() => new ServerAppSpec({ hooks: [start('a.sh', 1800), start('b.sh', 1800), { ...start('c.sh', 3600), lifecycleEvent: ServerLifecycleEvent.VALIDATE_SERVICE }] })).not.toThrow();
  });

  test('fails when a hook event is not an EC2 event', () => {
    expect(() => new ServerAppSpec({ hooks: [{ lifecycleEvent: 'AfterAllowTestTraffic' as never, location: 'a.sh' }] })).toThrow(/hooks\[0\]\.lifecycleEvent: is a string, but one of "ApplicationStop", "BeforeInstall", .*"AfterAllowTraffic" is expected \(got "AfterAllowTestTraffic"\)/);
  });

  test('fails when Windows gets runAs or permissions, or paths are empty', () => {
    expect(() => new ServerAppSpec({ os: AppSpecOs.WINDOWS, hooks: [{ lifecycleEvent: ServerLifecycleEvent.APPLICATION_START, location: 'a.ps1', runAs: 'x' }] })).toThrow(/hooks\[0\]\.runAs: is not supported on Windows/);
    expect(() => new ServerAppSpec({ os: AppSpecOs.WINDOWS, permissions: [{ path: 'C:/app' }] })).toThrow(/permissions: are not supported on Windows/);
    expect(() => new ServerAppSpec({ files: [{ source: '', destination: '' }] })).toThrow(/files\[0\]\.source: is empty[\s\S]*files\[0\]\.destination: is empty/);
    expect(() => new ServerAppSpec({ hooks: [{ lifecycleEvent: ServerLifecycleEvent.APPLICATION_START, location: ' ' }] })).toThrow(/hooks\[0\]\.location: is empty/);
  });
});

describe('ServerDeployment errors', () => {
  const fails = (props: ServerDeploymentProps, message: RegExp, setup?: (s: ReturnType<typeof fleet>) => ServerDeploymentProps) => {
    const f = fleet();
    expect(() => new ServerDeployment(f.stack, 'Deploy', { autoScalingGroups: [f.asg], ...props, ...(setup ? setup(f) : {}) })).toThrow(message);
  };

  test('fails when the strategy is canary or linear', () => {
    fails({ strategy: DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) }) }, /ServerDeployment 'Test\/Deploy' has 1 problem:\n {2}- strategy: EC2\/on-premises deployments cannot run canary/);
  });

  test('fails when more than 10 alarms are given, or alarm rollback has no alarms', () => {
    fails({}, /alarms: CodeDeploy allows at most 10 alarms per deployment group \(got "11 alarms"\)/, (f) => ({ alarms: Array.from({ length: 11 }, (_, i) => alarm(f.stack, `A${i}`)) }));
    fails({ autoRollback: { deploymentInAlarm: true } }, /autoRollback\.deploymentInAlarm: rolls back on alarms, but no alarms are given/);
  });

  test('fails when the deployment group name is invalid', () => {
    fails({ deploymentGroupName: 'shop web' }, /deploymentGroupName: is not a valid CodeDeploy deployment group name/);
    fails({ deploymentGroupName: 'x'.repeat(101) }, /deploymentGroupName: is not a valid CodeDeploy deployment group name/);
  });

  test('fails when more than 10 Auto Scaling groups are given, or no instances', () => {
    fails({}, /autoScalingGroups: CodeDeploy deploys to at most 10 Auto Scaling groups/, (f) => ({ autoScalingGroups: Array.from({ length: 11 }, () => f.asg) }));
    expect(() => new ServerDeployment(newStack(), 'Deploy', {})).toThrow(/autoScalingGroups: no instances are targeted/);
  });

  test('fails when events are chosen without a topic, or the list is empty', () => {
    fails({ notifyOn: [DeploymentEvent.DEPLOYMENT_SUCCESS] }, /notifyOn: is given without notificationTopic/);
    fails({}, /notifyOn: is an empty list/, (f) => ({ notificationTopic: new sns.Topic(f.stack, 'T'), notifyOn: [] }));
  });

  test('fails when traffic hooks are used without a load balancer', () => {
    const appSpec = new ServerAppSpec({ hooks: [{ lifecycleEvent: ServerLifecycleEvent.BEFORE_ALLOW_TRAFFIC, location: 'a.sh' }] });
    fails({ appSpec }, /appSpec: hooks on traffic events .* run only with a load balancer/);
  });

  test('fails when the deploy step has no input or a bad name', () => {
    const f = fleet();
    const d = new ServerDeployment(f.stack, 'Deploy', { autoScalingGroups: [f.asg] });
    expect(() => d.deployStep({} as never)).toThrow(/input: is required/);
    expect(() => d.deployStep({ input: githubSource().output, stepName: 'Deploy now' })).toThrow(/stepName: is not a valid action name/);
  });
});
