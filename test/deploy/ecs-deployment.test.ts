import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { parse } from 'yaml';
import { DeliveryPipeline, DeploymentStrategy, DockerImageStep, EcsBlueGreenDeployment, EcsBlueGreenDeploymentProps } from '../../lib';
import { githubSource, newApp, newStack } from '../util';
import { ecsService } from './ecs-fixture';

function setup(extra: Partial<EcsBlueGreenDeploymentProps> = {}) {
  const stack = newStack();
  const f = ecsService(stack);
  const deployment = new EcsBlueGreenDeployment(stack, 'Deploy', {
    service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green,
    productionListener: f.listener, testListener: f.testListener, ...extra,
  });
  return { stack, f, deployment };
}

describe('EcsBlueGreenDeployment', () => {
  test('defaults: canary 10% for 5 minutes, blue tasks kept 1 hour, rollback on failure', () => {
    const { stack, deployment } = setup();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' },
      BlueGreenDeploymentConfiguration: Match.objectLike({ TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 60 } }),
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE'] },
      LoadBalancerInfo: { TargetGroupPairInfoList: [Match.objectLike({ TestTrafficRoute: Match.anyValue(), ProdTrafficRoute: Match.anyValue() })] },
    });
    expect(deployment.containerName).toBe('web');
    expect(deployment.containerPort).toBe(8080);
  });

  test('renders appspec.yaml with the container, port, TASK_DEFINITION placeholder and hooks', () => {
    const { stack, deployment, f } = setup({ hooks: { afterAllowTestTraffic: undefined, beforeAllowTraffic: undefined } });
    expect(parse(deployment.appSpecFile(), { version: '1.1' })).toEqual({
      version: 0,
      Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: '<TASK_DEFINITION>', LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 } } } }],
    });
    const withHooks = new EcsBlueGreenDeployment(stack, 'WithHooks', {
      service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: f.listener, testListener: f.testListener,
      hooks: { afterAllowTestTraffic: f.hook },
    });
    expect(withHooks.appSpecFile()).toMatch(/^version: 0\.0\nResources:\n {2}- TargetService:\n {6}Type: "AWS::ECS::Service"\n[\s\S]*TaskDefinition: <TASK_DEFINITION>[\s\S]*Hooks:\n {2}- AfterAllowTestTraffic: "\$\{Token\[/);
  });

  test('renders taskdef.json from the task definition with the image placeholder', () => {
    const { stack, deployment } = setup();
    const json = stack.resolve(deployment.taskDefinitionFile());
    const text = json['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'X')).join('');
    const taskdef = JSON.parse(text);
    expect(taskdef).toMatchObject({
      family: expect.any(String), networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [expect.objectContaining({ name: 'web', image: '<IMAGE1_NAME>', portMappings: [{ containerPort: 8080, protocol: 'tcp' }], logConfiguration: expect.objectContaining({ logDriver: 'awslogs', options: expect.objectContaining({ 'awslogs-stream-prefix': 'web' }) }) })],
    });
    expect(JSON.stringify(json)).toContain('TaskExecutionRole');
  });

  test('taskdef.json uses the API names where they differ from CloudFormation (EFS, proxy, IAM)', () => {
    const { stack, f } = setup();
    const td = new ecs.FargateTaskDefinition(stack, 'Efs', {
      cpu: 256, memoryLimitMiB: 512,
      volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-12345678', authorizationConfig: { iam: 'ENABLED' }, transitEncryption: 'ENABLED' } }],
    });
    td.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx'), portMappings: [{ containerPort: 8080 }] });
    const d = new EcsBlueGreenDeployment(stack, 'EfsDeploy', { service: f.service, taskDefinition: td, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: f.listener });
    const resolved = stack.resolve(d.taskDefinitionFile());
    const text = typeof resolved === 'string' ? resolved : resolved['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'X')).join('');
    expect(JSON.parse(text).volumes).toEqual([{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-12345678', authorizationConfig: { iam: 'ENABLED' }, transitEncryption: 'ENABLED' } }]);
  });

  test('a service in another stack of the pipeline\'s account and region: the deployment files import its values', () => {
    const app = newApp();
    const svc = new Stack(app, 'Svc', { env: { account: '111111111111', region: 'us-east-1' } });
    const f = ecsService(svc);
    const deployment = new EcsBlueGreenDeployment(svc, 'Deploy', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: f.listener });
    const ps = new Stack(app, 'Pipe', { env: { account: '111111111111', region: 'us-east-1' } });
    const image = new DockerImageStep('Image');
    const pipeline = new DeliveryPipeline(ps, 'Pipeline', { source: githubSource(), buildStep: image });
    pipeline.addStage('Prod', { steps: [deployment.deployStep({ image: image.output! })] });
    const assembly = app.synth();
    const template = assembly.getStackByName('Pipe').template;
    const ids = new Set([...Object.keys(template.Resources), ...Object.keys(template.Parameters ?? {})]);
    // Every Ref names something of the pipeline's own stack (a raw Ref to the service stack's log group would fail at deploy).
    const refs = [...JSON.stringify(template).matchAll(/"Ref":"([^"]+)"/g)].map((m) => m[1]).filter((r) => !r.startsWith('AWS::'));
    expect(refs.filter((r) => !ids.has(r))).toEqual([]);
    const imports = JSON.stringify(template).match(/Svc:ExportsOutput[A-Za-z0-9]+/g) ?? [];
    expect(imports).toEqual(expect.arrayContaining([expect.stringMatching(/TaskwebLogGroup/), expect.stringMatching(/TaskTaskRole.*Arn/), expect.stringMatching(/TaskExecutionRole.*Arn/)]));
  });

  test('fails when a required prop is missing (JavaScript callers)', () => {
    const stack = newStack();
    expect(() => new EcsBlueGreenDeployment(stack, 'Deploy', {} as EcsBlueGreenDeploymentProps))
      .toThrow(/service: is required[\s\S]*taskDefinition: is required[\s\S]*productionListener: is required[\s\S]*blueTargetGroup: is required[\s\S]*greenTargetGroup: is required/);
  });

  test('fails when the pipeline is in another account or region than the service', () => {
    const { deployment } = setup();
    const other = new Stack(newApp(), 'Elsewhere', { env: { account: '222222222222', region: 'eu-west-1' } });
    const pipeline = new DeliveryPipeline(other, 'Pipeline', { source: githubSource(), buildStep: new DockerImageStep('Image') });
    const image = pipeline.steps[0] as DockerImageStep;
    expect(() => pipeline.addStage('Prod', { steps: [deployment.deployStep({ image: image.output! })] }))
      .toThrow(/deployment: the target's account and region are not those of the pipeline \(222222222222\/eu-west-1\), where a step outside an environment runs \(got 111111111111\/us-east-1\)\. Fix: place the step with addEnvironment/);
  });

  test('the stack never updates the service\'s task definition: the service names the family, releases go through the pipeline', () => {
    const { stack, f } = setup();
    const service = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'))[0];
    expect(service.Properties.DeploymentController).toEqual({ Type: 'CODE_DEPLOY' });
    expect(service.Properties.TaskDefinition).toBe(stack.resolve(f.taskDefinition.family));
  });

  test('an imported NLB listener allows only all at once, and imported test listeners must share the load balancer', () => {
    const stack = newStack();
    const f = ecsService(stack);
    const nlbListener = elbv2.NetworkListener.fromNetworkListenerArn(stack, 'Nlb', 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/net/shop/0123456789abcdef/fedcba9876543210');
    expect(() => new EcsBlueGreenDeployment(stack, 'A', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: nlbListener, strategy: DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) }) }))
      .toThrow(/behind a Network Load Balancer/);
    const prod = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Prod', { listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/shop/0123456789abcdef/1111111111111111', securityGroup: f.lb.connections.securityGroups[0] });
    const test = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Test', { listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/other/0123456789abcdef/2222222222222222', securityGroup: f.lb.connections.securityGroups[0] });
    expect(() => new EcsBlueGreenDeployment(stack, 'B', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: prod, testListener: test }))
      .toThrow(/testListener: is on another load balancer than the production listener/);
  });

  test('hooks may be invoked by the deployment group, report to exactly it and read its targets (the replacement task set)', () => {
    const { stack, f } = setup({ hooks: undefined });
    new EcsBlueGreenDeployment(stack, 'Hooked', {
      service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: f.listener, testListener: f.testListener,
      hooks: { afterAllowTestTraffic: f.hook },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('SmokeTestServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([{
        Effect: 'Allow',
        Action: ['codedeploy:GetDeploymentTarget', 'codedeploy:ListDeploymentTargets', 'codedeploy:PutLifecycleEventHookExecutionStatus'],
        Resource: { 'Fn::Join': ['', ['arn:aws:codedeploy:us-east-1:111111111111:deploymentgroup:', { Ref: Match.stringLikeRegexp('HookedApplication') }, '/', { Ref: Match.stringLikeRegexp('HookedDeploymentGroup') }]] },
      }]) },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('HookedDeploymentGroupServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]) },
    });
  });

  test('deploys the built image through a files step and the CodeDeploy-to-ECS action with an exact role', () => {
    const { stack, deployment } = setup();
    const image = new DockerImageStep('Image');
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: image });
    pipeline.addStage('Production', { steps: [deployment.deployStep({ image: image.output! })] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Production',
        Actions: [
          Match.objectLike({ Name: 'DeployFiles', RunOrder: 1, InputArtifacts: [{ Name: 'Image_Output' }], OutputArtifacts: [{ Name: 'DeployFiles_Output' }] }),
          Match.objectLike({
            Name: 'Deploy', RunOrder: 2,
            ActionTypeId: Match.objectLike({ Provider: 'CodeDeployToECS' }),
            Configuration: Match.objectLike({ TaskDefinitionTemplateArtifact: 'DeployFiles_Output', AppSpecTemplateArtifact: 'DeployFiles_Output', Image1ArtifactName: 'Image_Output', Image1ContainerName: 'IMAGE1_NAME' }),
          }),
        ],
      })]),
    });
    const policy = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ActionRole') }] } }))
      .map((p) => p.Properties.PolicyDocument.Statement).find((s) => JSON.stringify(s).includes('PassRole'));
    expect(policy).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^TaskExecutionRole/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^TaskTaskRole/), 'Arn'] }], Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
    ]));
    expect(JSON.stringify(policy)).not.toContain('s3:GetObject*');
  });
});

describe('EcsBlueGreenDeployment errors', () => {
  test('fails when the service does not use the CODE_DEPLOY controller', () => {
    const stack = newStack();
    const f = ecsService(stack, ecs.DeploymentControllerType.ECS);
    expect(() => new EcsBlueGreenDeployment(stack, 'Deploy', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: f.listener }))
      .toThrow(/service: uses the ECS deployment controller; CodeDeploy blue\/green needs CODE_DEPLOY/);
  });

  test('fails when the strategy is not for ECS', () => {
    expect(() => setup({ strategy: DeploymentStrategy.oneAtATime() })).toThrow(/strategy: ECS deployments cannot run one at a time/);
  });

  test('fails when behind an NLB the strategy is not all at once', () => {
    const stack = newStack();
    const f = ecsService(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const listener = nlb.addListener('L', { port: 80, defaultAction: elbv2.NetworkListenerAction.forward([new elbv2.NetworkTargetGroup(stack, 'T', { vpc: f.vpc, port: 80 })]) });
    expect(() => new EcsBlueGreenDeployment(stack, 'Deploy', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: listener, strategy: DeploymentStrategy.linear({ percent: 10, interval: Duration.minutes(1) }) }))
      .toThrow(/strategy: behind a Network Load Balancer, ECS blue\/green deployments only run all at once/);
    const ok = new EcsBlueGreenDeployment(stack, 'Ok', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: listener });
    expect(ok.strategy.describe()).toBe('all at once');
  });

  test('fails when the test listener is on another load balancer, or is the production listener', () => {
    const stack = newStack();
    const f = ecsService(stack);
    const other = new elbv2.ApplicationLoadBalancer(stack, 'Other', { vpc: f.vpc }).addListener('T', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [f.green] });
    const base = { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: f.listener };
    expect(() => new EcsBlueGreenDeployment(stack, 'A', { ...base, testListener: other })).toThrow(/testListener: is on another load balancer than the production listener/);
    expect(() => new EcsBlueGreenDeployment(stack, 'B', { ...base, testListener: f.listener })).toThrow(/testListener: is the production listener/);
  });

  test('fails when the test-traffic hook has no test listener, or blue and green are the same', () => {
    expect(() => setup({ testListener: undefined, hooks: { afterAllowTestTraffic: undefined } })).not.toThrow();
    const stack = newStack();
    const f = ecsService(stack);
    expect(() => new EcsBlueGreenDeployment(stack, 'Deploy', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.blue, productionListener: f.listener, hooks: { afterAllowTestTraffic: f.hook } }))
      .toThrow(/hooks\.afterAllowTestTraffic: runs against test traffic, but there is no test listener[\s\S]*greenTargetGroup: is the blue target group/);
  });

  test('fails when the termination wait or approval wait is too long', () => {
    expect(() => setup({ terminationWait: Duration.minutes(2881) })).toThrow(/terminationWait: must be a whole number of minutes from 0 to 2880/);
    expect(() => setup({ approvalWait: Duration.hours(121) })).toThrow(/approvalWait: must be a whole number of minutes from 0 to 7200/);
  });

  test('fails when the container or port is not in the task definition', () => {
    expect(() => setup({ containerName: 'api' })).toThrow(/containerName: names no container of the task definition/);
    expect(() => setup({ containerPort: 80 })).toThrow(/containerPort: is not a port mapping of container 'web'.*use one of 8080/);
  });

  test('alarms roll back the deployment', () => {
    const stack = newStack();
    const f = ecsService(stack);
    const alarm = new cloudwatch.Alarm(stack, 'Errors', { metric: f.blue.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT), threshold: 5, evaluationPeriods: 1 });
    new EcsBlueGreenDeployment(stack, 'Deploy', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: f.listener, alarms: [alarm] });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: Match.stringLikeRegexp('Errors') } }] },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
  });

  test('fails when the deploy step has no image', () => {
    expect(() => setup().deployment.deployStep({} as never)).toThrow(/image: is required/);
  });
});
