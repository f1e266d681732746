import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeliveryPipeline, DeliveryTarget, DeploymentStrategy, DockerImageStep, EcsNativeDeployment, EcsNativeDeploymentProps } from '../../lib';
import { ENV, githubSource, newApp, newStack } from '../util';
import { addAwsSolutions, awsSolutionsErrors } from '../util/nag';

/** A Fargate service with the ECS controller behind an ALB: a production rule weighted to blue, a test rule to green. */
function nativeService(stack: Stack, serviceProps: Partial<ecs.FargateServiceProps> = {}, clusterProps: Partial<ecs.ClusterProps> = {}) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, ...clusterProps });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 8080, name: 'web' }] });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, assignPublicIp: true, ...serviceProps });
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  const blue = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 8080, targetType: elbv2.TargetType.IP });
  const green = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 8080, targetType: elbv2.TargetType.IP });
  // ECS fails on listeners that mix forward with other actions: the default action forwards too.
  const listener = lb.addListener('Production', { port: 80, defaultAction: elbv2.ListenerAction.forward([blue]) });
  const rule = new elbv2.ApplicationListenerRule(stack, 'ProductionRule', {
    listener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
    action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 }]),
  });
  const testListener = lb.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: elbv2.ListenerAction.forward([green]) });
  const testRule = new elbv2.ApplicationListenerRule(stack, 'TestRule', {
    listener: testListener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
    action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 0 }, { targetGroup: green, weight: 100 }]),
  });
  const hook = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" })') });
  return { vpc, cluster, taskDefinition, service, lb, blue, green, listener, rule, testListener, testRule, hook };
}

function setup(extra: Partial<EcsNativeDeploymentProps> = {}, stack = newStack()) {
  const f = nativeService(stack);
  const deployment = new EcsNativeDeployment(stack, 'Deploy', { service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListenerRule: f.rule, ...extra });
  return { stack, f, deployment };
}

const policiesOf = (t: Template, role: RegExp) => Object.values(t.findResources('AWS::IAM::Policy'))
  .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => role.test(r.Ref)))
  .flatMap((p) => p.Properties.PolicyDocument.Statement);

describe('EcsNativeDeployment', () => {
  test('defaults: canary 10% for 5 minutes, 10 minutes of bake time, the green target group and rule on the service', () => {
    const { stack, deployment } = setup();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'CANARY', BakeTimeInMinutes: 10, CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
      }),
      LoadBalancers: [{
        ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: { Ref: Match.stringLikeRegexp('^Blue') },
        AdvancedConfiguration: { AlternateTargetGroupArn: { Ref: Match.stringLikeRegexp('^Green') }, ProductionListenerRule: { Ref: Match.stringLikeRegexp('^ProductionRule') }, RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployInfrastructureRole'), 'Arn'] } },
      }],
    });
    // The circuit breaker is documented for blue/green only: canary deployments roll back on alarms.
    expect(JSON.stringify(t.findResources('AWS::ECS::Service'))).not.toContain('DeploymentCircuitBreaker');
    expect(deployment.strategy.describe()).toBe('canary 10% then 100% after 5 minutes');
    expect(deployment.deploymentMinutes).toBe(3 + 5 + 10);
  });

  test('the infrastructure role trusts ECS and may change exactly the target groups and rules', () => {
    const { stack } = setup({ testListenerRule: undefined });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } }], Version: '2012-10-17' },
      Description: Match.stringLikeRegexp('changes the load balancer'),
    });
    expect(policiesOf(t, /^DeployInfrastructureRole/)).toEqual([
      { Effect: 'Allow', Action: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'], Resource: '*' },
      { Effect: 'Allow', Action: ['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets'], Resource: [{ Ref: expect.stringMatching(/^Blue/) }, { Ref: expect.stringMatching(/^Green/) }] },
      { Effect: 'Allow', Action: 'elasticloadbalancing:ModifyRule', Resource: { Ref: expect.stringMatching(/^ProductionRule/) } },
    ]);
    expect(JSON.stringify(t.toJSON())).not.toContain('AmazonECSInfrastructureRolePolicyForLoadBalancers');
  });

  test('blue/green with a test rule, linear, alarms and the circuit breaker', () => {
    const stack = newStack();
    const f = nativeService(stack);
    const alarm = new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count' }), threshold: 1, evaluationPeriods: 1 });
    new EcsNativeDeployment(stack, 'BlueGreen', {
      service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListenerRule: f.rule, testListenerRule: f.testRule,
      strategy: DeploymentStrategy.allAtOnce(), bakeTime: Duration.minutes(15), alarms: [alarm],
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 15, DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        Alarms: { AlarmNames: [{ Ref: Match.stringLikeRegexp('^Errors') }], Enable: true, Rollback: true },
      }),
      LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.objectLike({ TestListenerRule: { Ref: Match.stringLikeRegexp('^TestRule') } }) })],
    });
    const linear = newStack();
    setup({ strategy: DeploymentStrategy.linear({ percent: 20, interval: Duration.minutes(2) }), bakeTime: Duration.minutes(0) }, linear);
    Template.fromStack(linear).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'LINEAR', BakeTimeInMinutes: 0, LinearConfiguration: { StepPercent: 20, StepBakeTimeInMinutes: 2 } }),
    });
  });

  test('hooks: one role trusted by ECS, allowed to invoke exactly the hook functions, one hook per function with its stages', () => {
    const stack = newStack();
    const f = nativeService(stack);
    const other = new lambda.Function(stack, 'Other', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
    new EcsNativeDeployment(stack, 'Deploy', {
      service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListenerRule: f.rule, testListenerRule: f.testRule,
      hooks: { postTestTrafficShift: f.hook, productionTrafficShift: f.hook, postScaleUp: other },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        LifecycleHooks: [
          { HookTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Other'), 'Arn'] }, LifecycleStages: ['POST_SCALE_UP'], RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployHookRole'), 'Arn'] } },
          { HookTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Check'), 'Arn'] }, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'], RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployHookRole'), 'Arn'] } },
        ],
      }),
    });
    expect(policiesOf(t, /^DeployHookRole/)).toEqual([{
      Effect: 'Allow', Action: 'lambda:InvokeFunction',
      Resource: [
        { 'Fn::GetAtt': [expect.stringMatching(/^Check/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^Other/), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Check/), 'Arn'] }, ':*']] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Other/), 'Arn'] }, ':*']] },
      ],
    }]);
  });

  test('a Network Load Balancer: the listeners, ModifyListener on them, and the 10-minute delays in the deployment time', () => {
    const stack = newStack();
    const f = nativeService(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const blue = new elbv2.NetworkTargetGroup(stack, 'NBlue', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP });
    const green = new elbv2.NetworkTargetGroup(stack, 'NGreen', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP });
    const production = nlb.addListener('P', { port: 80, defaultTargetGroups: [blue] });
    const test = nlb.addListener('T', { port: 9000, defaultTargetGroups: [green] });
    const d = new EcsNativeDeployment(stack, 'Deploy', { service: f.service, blueTargetGroup: blue, greenTargetGroup: green, productionListener: production, testListener: test, strategy: DeploymentStrategy.allAtOnce(), bakeTime: Duration.minutes(5) });
    expect(d.deploymentMinutes).toBe(3 + 0 + 20 + 5);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.objectLike({ ProductionListenerRule: { Ref: Match.stringLikeRegexp('^NlbP') }, TestListenerRule: { Ref: Match.stringLikeRegexp('^NlbT') } }) })],
    });
    expect(policiesOf(t, /^DeployInfrastructureRole/)).toContainEqual({ Effect: 'Allow', Action: 'elasticloadbalancing:ModifyListener', Resource: [{ Ref: expect.stringMatching(/^NlbP/) }, { Ref: expect.stringMatching(/^NlbT/) }] });
  });

  test('Service Connect instead of a load balancer', () => {
    const stack = newStack();
    const f = nativeService(stack);
    f.cluster.addDefaultCloudMapNamespace({ name: 'shop.local', useForServiceConnect: true });
    f.service.enableServiceConnect({ services: [{ portMappingName: 'web', port: 8080 }] });
    const d = new EcsNativeDeployment(stack, 'Deploy', { service: f.service, strategy: DeploymentStrategy.allAtOnce(), hooks: { postTestTrafficShift: f.hook } });
    expect(d.infrastructureRole).toBeUndefined();
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN' }) });
  });

  test('deploys the built image with the ECS deploy action and an exact role', () => {
    const { stack, deployment } = setup({ testListenerRule: undefined, hooks: { postScaleUp: undefined } });
    const image = new DockerImageStep('Image', { containerName: 'web' });
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: image });
    pipeline.addStage('Production', { steps: [deployment.deployStep({ image: image.output!, timeout: Duration.minutes(30) })] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Production',
        Actions: [Match.objectLike({
          Name: 'Deploy', RunOrder: 1, InputArtifacts: [{ Name: 'Image_Output' }],
          ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'ECS', Version: '1' },
          Configuration: { ClusterName: { Ref: Match.stringLikeRegexp('^Cluster') }, ServiceName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Service'), 'Name'] }, FileName: 'imagedefinitions.json', DeploymentTimeout: 30 },
        })],
      })]),
    });
    const statements = policiesOf(t, /DeployActionRole/);
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: ['ecs:DescribeServices', 'ecs:UpdateService'], Resource: { Ref: expect.stringMatching(/^Service/) } },
      { Effect: 'Allow', Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], Resource: '*' },
      { Effect: 'Allow', Action: ['ecs:DescribeTasks', 'ecs:ListTasks'], Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^Cluster/), 'Arn'] } } } },
      { Effect: 'Allow', Action: 'ecs:TagResource', Resource: expect.anything(), Condition: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } } },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TaskTaskRole/), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DeployInfrastructureRole/), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'ecs.amazonaws.com' } } },
    ]));
    expect(JSON.stringify(statements)).not.toMatch(/"ecs:\*"|"iam:PassRole","Resource":"\*"/);
  });

  test('deploys to a service in another account through the target\'s deploy role', () => {
    const app = newApp();
    const prod = { account: '222222222222', region: ENV.region };
    const svc = new Stack(app, 'Svc', { env: prod });
    const target = new DeliveryTarget(svc, 'Target', { pipelineAccount: ENV.account });
    expect(() => {
      const unnamed = newApp();
      const there = new Stack(unnamed, 'Svc', { env: prod });
      const { deployment } = setup({}, there);
      const built = new DockerImageStep('Image', { containerName: 'web' });
      const pipeline = new DeliveryPipeline(new Stack(unnamed, 'Pipe', { env: ENV }), 'Pipeline', { source: githubSource(), buildStep: built });
      pipeline.addEnvironment('Prod', { target: new DeliveryTarget(there, 'Target', { pipelineAccount: ENV.account }), deploy: [deployment.deployStep({ image: built.output! })] });
    }).toThrow(/service: the pipeline's ECS action names the cluster and the service, but 222222222222\/us-east-1 is another account and they have no physical name \(got Svc\/Cluster, Svc\/Service\)/);
    const f = nativeService(svc, { serviceName: 'web' }, { clusterName: 'shop' });
    const deployment = new EcsNativeDeployment(svc, 'Deploy', { service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListenerRule: f.rule });
    const pipeStack = new Stack(app, 'Pipe', { env: ENV });
    const image = new DockerImageStep('Image', { containerName: 'web' });
    const pipeline = new DeliveryPipeline(pipeStack, 'Pipeline', { source: githubSource(), buildStep: image });
    pipeline.addEnvironment('Prod', { target, deploy: [deployment.deployStep({ image: image.output! })] });
    const statements = policiesOf(Template.fromStack(svc), /TargetDeployRole/);
    expect(JSON.stringify(statements)).toContain('ecs:UpdateService');
    Template.fromStack(pipeStack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Prod', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'ECS' }), RoleArn: Match.anyValue() })] })]),
    });
  });
});

describe('EcsNativeDeployment in other places', () => {
  test('a service in another region of the pipeline\'s account: the action runs there with a named role of the service\'s stack', () => {
    const app = newApp();
    const west = new Stack(app, 'West', { env: { account: ENV.account, region: 'eu-west-1' } });
    const f = nativeService(west, { serviceName: 'web' }, { clusterName: 'shop' });
    const deployment = new EcsNativeDeployment(west, 'Deploy', { service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListenerRule: f.rule });
    const pipeStack = new Stack(app, 'Pipe', { env: ENV });
    const image = new DockerImageStep('Image', { containerName: 'web' });
    const pipeline = new DeliveryPipeline(pipeStack, 'Pipeline', { source: githubSource(), buildStep: image, deployRegions: ['eu-west-1'] });
    pipeline.addEnvironment('West', { env: { region: 'eu-west-1' }, deploy: [deployment.deployStep({ image: image.output! })] });
    const stage = Object.values(Template.fromStack(pipeStack).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages.find((s: { Name: string }) => s.Name === 'West');
    expect(stage.Actions[0]).toMatchObject({ Region: 'eu-west-1', Configuration: { ClusterName: 'shop', ServiceName: 'web' }, RoleArn: expect.stringMatching(/^arn:aws:iam::111111111111:role\/west/) });
    expect(JSON.stringify(policiesOf(Template.fromStack(west), /ActionRole/))).toContain('ecs:UpdateService');
  });

  test('an EC2 service (awsvpc) deploys the same way', () => {
    const stack = newStack();
    const f = nativeService(stack);
    f.cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.small'), minCapacity: 2 });
    const taskDefinition = new ecs.Ec2TaskDefinition(stack, 'Ec2Task', { networkMode: ecs.NetworkMode.AWS_VPC });
    taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), memoryLimitMiB: 256, portMappings: [{ containerPort: 8080 }] });
    const service = new ecs.Ec2Service(stack, 'Ec2Service', { cluster: f.cluster, taskDefinition });
    const blue = new elbv2.ApplicationTargetGroup(stack, 'Ec2Blue', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP });
    const green = new elbv2.ApplicationTargetGroup(stack, 'Ec2Green', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP });
    const rule = new elbv2.ApplicationListenerRule(stack, 'Ec2Rule', {
      listener: f.listener, priority: 5, conditions: [elbv2.ListenerCondition.pathPatterns(['/ec2/*'])],
      action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 }]),
    });
    new EcsNativeDeployment(stack, 'Ec2Deploy', { service, blueTargetGroup: blue, greenTargetGroup: green, productionListenerRule: rule, strategy: DeploymentStrategy.allAtOnce() });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'EC2',
      DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN', DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
      LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.objectLike({ ProductionListenerRule: { Ref: Match.stringLikeRegexp('^Ec2Rule') } }) })],
    });
  });
});

describe('EcsNativeDeployment errors', () => {
  test('fails on a service with the CODE_DEPLOY controller, or with a strategy of its own', () => {
    const stack = newStack();
    const f = nativeService(stack, { deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } });
    expect(() => new EcsNativeDeployment(stack, 'Deploy', { service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListenerRule: f.rule }))
      .toThrow(/service: uses the CODE_DEPLOY or EXTERNAL deployment controller.*use EcsBlueGreenDeployment for CodeDeploy/s);
    const own = newStack();
    const g = nativeService(own, { deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN, bakeTime: Duration.minutes(5) });
    expect(() => new EcsNativeDeployment(own, 'Deploy', { service: g.service, blueTargetGroup: g.blue, greenTargetGroup: g.green, productionListenerRule: g.rule }))
      .toThrow(/already sets deploymentStrategy[\s\S]*already sets bakeTime/);
    const alarmed = newStack();
    const h = nativeService(alarmed, { deploymentAlarms: { alarmNames: ['shop-5xx'] } });
    const alarm = cloudwatch.Alarm.fromAlarmArn(alarmed, 'A', 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:shop-latency');
    expect(() => new EcsNativeDeployment(alarmed, 'Deploy', { service: h.service, blueTargetGroup: h.blue, greenTargetGroup: h.green, productionListenerRule: h.rule, alarms: [alarm] }))
      .toThrow(/alarms: are given, but the service already has deployment alarms \(got 1\). Fix: give all the alarms to the service or all to the deployment/);
  });

  test('fails on strategies ECS cannot run', () => {
    expect(() => setup({ strategy: DeploymentStrategy.oneAtATime() })).toThrow(/strategy: Amazon ECS native deployments cannot run one at a time \(got DeploymentStrategy.oneAtATime\(\)\). Fix: use one of DeploymentStrategy.allAtOnce\(\), DeploymentStrategy.canary/);
    expect(() => setup({ strategy: DeploymentStrategy.linear({ percent: 2, interval: Duration.minutes(1) }) })).toThrow(/at least 3% of the traffic per step/);
    expect(() => setup({ strategy: DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(1441) }) })).toThrow(/strategy: Amazon ECS waits a whole number of minutes from 0 to 1440 \(24 hours\) between traffic shifts/);
    expect(() => setup({ circuitBreaker: true })).toThrow(/circuitBreaker: Amazon ECS documents the deployment circuit breaker for rolling and blue\/green deployments only/);
  });

  test('fails on an incomplete or mixed load balancer description', () => {
    const stack = newStack();
    const f = nativeService(stack);
    expect(() => new EcsNativeDeployment(stack, 'A', { service: f.service, blueTargetGroup: f.blue })).toThrow(/productionListenerRule: is required with target groups[\s\S]*greenTargetGroup: is required with a load balancer/);
    expect(() => new EcsNativeDeployment(stack, 'B', { service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.blue, productionListenerRule: f.rule })).toThrow(/greenTargetGroup: is the blue target group \(got "Test\/Blue"\)/);
    expect(() => new EcsNativeDeployment(stack, 'C', { service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListenerRule: f.rule, testListenerRule: f.rule })).toThrow(/testListenerRule: is the production listener rule/);
    expect(() => new EcsNativeDeployment(stack, 'D', { service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListenerRule: f.rule, hooks: { postTestTrafficShift: f.hook } }))
      .toThrow(/hooks.postTestTrafficShift: runs while test traffic reaches the new tasks, but there is no test listener rule or test listener \(got "Test\/Check"\). Fix: add testListenerRule, or use another hook/);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const listener = nlb.addListener('P', { port: 80, defaultTargetGroups: [new elbv2.NetworkTargetGroup(stack, 'N', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP })] });
    expect(() => new EcsNativeDeployment(stack, 'E', { service: f.service, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: listener }))
      .toThrow(/blueTargetGroup: is an Application Load Balancer target group, but production traffic comes through a Network Load Balancer/);
  });

  test('fails at synthesis on a rule that does more than forward to both target groups, and on a service attached outside the deployment', () => {
    type Fixture = ReturnType<typeof nativeService>;
    const bad = (mutate: (f: Fixture, stack: Stack) => elbv2.ApplicationListenerRule | void, greenOf?: (f: Fixture, stack: Stack) => elbv2.ApplicationTargetGroup) => {
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      const f = nativeService(stack);
      const rule = mutate(f, stack) ?? f.rule;
      const green = greenOf?.(f, stack) ?? f.green;
      new EcsNativeDeployment(stack, 'Deploy', { service: f.service, blueTargetGroup: f.blue, greenTargetGroup: green, productionListenerRule: rule });
      return () => app.synth();
    };
    expect(bad((f, s) => new elbv2.ApplicationListenerRule(s, 'Only', { listener: f.listener, priority: 2, conditions: [elbv2.ListenerCondition.pathPatterns(['/a'])], action: elbv2.ListenerAction.forward([f.blue]) })))
      .toThrow(/productionListenerRule: does not forward to both target groups; ECS requires the production rule to forward to the blue and the green target group, with weights \(got "S\/Only"\). Fix: action: elbv2.ListenerAction.weightedForward\(\[\{ targetGroup: blue, weight: 100 \}, \{ targetGroup: green, weight: 0 \}\]\)/s);
    expect(bad((f, s) => new elbv2.ApplicationListenerRule(s, 'Redirect', { listener: f.listener, priority: 2, conditions: [elbv2.ListenerCondition.pathPatterns(['/a'])], action: elbv2.ListenerAction.redirect({ path: '/b' }) })))
      .toThrow(/productionListenerRule: is on a listener whose rules or default action redirect; ECS blue\/green, canary and linear deployments fail on listeners that mix forward with other actions/);
    expect(bad((f, s) => { new elbv2.ApplicationListenerRule(s, 'Auth', { listener: f.listener, priority: 3, conditions: [elbv2.ListenerCondition.pathPatterns(['/admin'])], action: elbv2.ListenerAction.fixedResponse(403) }); }))
      .toThrow(/productionListenerRule: is on a listener whose rules or default action fixed-response/);
    expect(bad((f) => { f.blue.addTarget(f.service); })).toThrow(/blueTargetGroup: has the service attached outside the deployment/);
    // The green target group is never attached by CDK: its type must be given for awsvpc tasks.
    expect(bad((f, s) => {
      const green = new elbv2.ApplicationTargetGroup(s, 'Untyped', { vpc: f.vpc, port: 8080 });
      return new elbv2.ApplicationListenerRule(s, 'Weighted', { listener: f.listener, priority: 2, conditions: [elbv2.ListenerCondition.pathPatterns(['/b'])], action: elbv2.ListenerAction.weightedForward([{ targetGroup: f.blue, weight: 100 }, { targetGroup: green, weight: 0 }]) });
    }, (_f, s) => s.node.findChild('Untyped') as elbv2.ApplicationTargetGroup)).toThrow(/greenTargetGroup: has target type 'instance', but the service's tasks use awsvpc networking, which ECS registers by IP address \(got "S\/Untyped"\). Fix: create it with targetType: elbv2.TargetType.IP/);
    const stack = newStack();
    const f = nativeService(stack);
    new EcsNativeDeployment(stack, 'Deploy', { service: f.service, strategy: DeploymentStrategy.allAtOnce() });
    expect(() => Template.fromStack(stack)).toThrow(/blueTargetGroup: is not given, and the service does not use Service Connect/);
  });

  test('the deploy step: the image files must name the container, and the deployment must fit the action\'s timeout', () => {
    const { deployment } = setup({ bakeTime: Duration.minutes(55) });
    expect(() => deployment.deployStep({ image: new DockerImageStep('Image').output! })).toThrow(/image: holds no imagedefinitions.json: the step was given no containerName \(got "the output of DockerImageStep 'Image'"\). Fix: give DockerImageStep 'Image' containerName: 'web'/);
    expect(() => deployment.deployStep({ image: new DockerImageStep('Image', { containerName: 'api' }).output! })).toThrow(/names container 'api' in imagedefinitions.json, but the deployment's container is 'web'/);
    expect(() => deployment.deployStep({ image: new DockerImageStep('Image', { containerName: 'web' }).output! }))
      .toThrow(/timeout: is shorter than the deployment: about 63 minutes \(new tasks ~3, traffic shifts 5, bake time 55\); CodePipeline's ECS deploy action waits at most 60 minutes \(got "60 minutes"\). Fix: shorten the deployment's bakeTime or its strategy's interval to fit 60 minutes/);
    // A deployment longer than 60 minutes cannot be fixed by a longer timeout: the fix says so.
    expect(() => deployment.deployStep({ image: new DockerImageStep('Image', { containerName: 'web' }).output!, timeout: Duration.minutes(30) }))
      .toThrow(/\(got "30 minutes"\). Fix: shorten the deployment's bakeTime/);
    const short = setup({ bakeTime: Duration.minutes(30) }).deployment;
    expect(() => short.deployStep({ image: new DockerImageStep('Image', { containerName: 'web' }).output!, timeout: Duration.minutes(20) }))
      .toThrow(/about 38 minutes .*\(got "20 minutes"\). Fix: give timeout: Duration.minutes\(38\) or more \(at most 60\)/);
  });
});

test('the deployment adds no warnings of its own', () => {
  const { stack } = setup();
  Annotations.fromStack(stack).hasNoWarning('/Test/Deploy*', Match.anyValue());
});

test('the deploy step\'s compliance findings are accepted in an environment-agnostic stack too (partition, region and account as tokens)', () => {
  const app = new App();
  const stack = new Stack(app, 'Agnostic');
  addAwsSolutions(stack);
  const { deployment } = setup({}, stack);
  const image = new DockerImageStep('Image', { containerName: 'web' });
  const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: image });
  pipeline.addStage('Deploy', { steps: [deployment.deployStep({ image: image.output! })] });
  const errors = awsSolutionsErrors(stack).filter((e) => /^\/Agnostic\/(Pipeline|Deploy)\//.test(e.id));
  expect(errors).toEqual([]);
});
