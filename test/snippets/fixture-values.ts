import { App, Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecsLib from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BuildStep, DeliveryPipeline, ManualApprovalStep, ServerDeployment, Source } from '../../lib';
import { EXAMPLE_CONNECTION_ARN, EXAMPLE_ENV } from '../../examples/settings';
import { ecsService } from '../deploy/ecs-fixture';

/**
 * What docs/fixtures/stack.ts declares, made for real in one app: each value on first use, so a
 * snippet that names its own `pipeline` (or none) gets no fixture pipeline to validate. What a
 * snippet deploys or grants lives in the snippet's own stack (`Snippet`, being built when the
 * snippet first names it), as in an app where the pipeline and what it deploys share a stack: two
 * stacks would refer to each other (the pipeline to the deployment, the deployment's roles to the
 * artifacts). `stack` and `toolsStack` are stacks of their own, in the same account and region.
 */
export function fixtureValues(app: App): Record<string, () => unknown> {
  const made = new Map<string, unknown>();
  const once = <T>(name: string, make: () => T) => (): T => {
    if (!made.has(name)) made.set(name, make());
    return made.get(name) as T;
  };
  const stack = once('stack', () => new Stack(app, 'Stack', { env: EXAMPLE_ENV }));
  const toolsStack = once('toolsStack', () => new Stack(app, 'Tools', { env: EXAMPLE_ENV }));
  const scope = () => app.node.findChild('Snippet') as Stack;
  const ecs = once('ecs', () => ecsService(scope()));
  const vpc = () => ecs().vpc;
  const group = (id: string) => once(id, () => new autoscaling.AutoScalingGroup(scope(), id, {
    vpc: vpc(), instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  }));
  // Attached to the load balancer (a blue/green deployment reads its listener).
  const targetGroup = (id: string, port: number) => once(id, () => {
    const group = new elbv2.ApplicationTargetGroup(scope(), id, { vpc: vpc(), port: 80 });
    ecs().lb.addListener(id, { port, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [group] });
    return group;
  });
  const deployment = (id: string) => once(id, () => new ServerDeployment(scope(), id, { autoScalingGroups: [group(`${id}Group`)()] }));
  const fn = (id: string) => once(id, () => new lambda.Function(scope(), id, {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
  }));
  const alarm = (id: string) => once(id, () => new cloudwatch.Alarm(scope(), id, {
    metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: id }), threshold: 1, evaluationPeriods: 1,
  }));
  const source = once('source', () => Source.connection('my-org/shop', { connectionArn: EXAMPLE_CONNECTION_ARN }));
  const step = (name: string, extra = {}) => once(name, () => new BuildStep(name, { commands: ['npm ci', 'npm test'], ...extra }));
  const build = step('Build', { commands: ['npm ci', 'npm run build'], outputs: ['**/*'], secondaryOutputs: [{ name: 'Templates', files: ['*.template.json'] }] });
  const topic = (id: string) => once(id, () => new sns.Topic(scope(), id, { enforceSSL: true }));
  return {
    app: () => app,
    stack,
    toolsStack,
    connectionArn: () => EXAMPLE_CONNECTION_ARN,
    source,
    build,
    buildStep: build,
    lint: step('Lint'),
    unitTests: step('UnitTests'),
    smokeTest: step('SmokeTest'),
    pipeline: once('pipeline', () => new DeliveryPipeline(scope(), 'FixturePipeline', { source: source(), buildStep: build() })),
    approval: once('approval', () => new ManualApprovalStep('Approve', { notifyEmails: ['release-managers@example.com'] })),
    staging: deployment('Staging'),
    production: deployment('Production'),
    usService: deployment('UsService'),
    euService: deployment('EuService'),
    asg: group('Asg'),
    fleet: group('Fleet'),
    tg: targetGroup('Tg', 8080),
    web: targetGroup('Web', 8081),
    blue: () => ecs().blue,
    green: () => ecs().green,
    listener: () => ecs().listener,
    testListener: () => ecs().testListener,
    loadBalancer: () => ecs().lb,
    service: () => ecs().service,
    // The same task definition, run by a service with the ECS deployment controller (the default).
    webService: once('webService', () => new ecsLib.FargateService(scope(), 'WebService', { cluster: ecs().cluster, taskDefinition: ecs().taskDefinition })),
    taskDefinition: () => ecs().taskDefinition,
    repository: once('repository', () => new ecr.Repository(scope(), 'Repository')),
    healthCheck: fn('HealthCheck'),
    check: fn('Check'),
    errors: alarm('Errors'),
    prodHealth: alarm('ProdHealth'),
    opsTopic: topic('Ops'),
    slackChannel: topic('Slack'),
    npmSecret: once('npmSecret', () => secretsmanager.Secret.fromSecretNameV2(scope(), 'NpmToken', 'shop/npm-token')),
    serviceDeployment: () => [new iam.PolicyStatement({ actions: ['lambda:GetFunction'], resources: ['arn:aws:lambda:*:*:function:shop-api'] })],
    releaseManagersRole: once('releaseManagersRole', () => iam.Role.fromRoleName(scope(), 'ReleaseManagers', 'release-managers')),
    project: once('project', () => new codebuild.Project(scope(), 'Project', {
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } } }), timeout: Duration.minutes(30),
    })),
  };
}
