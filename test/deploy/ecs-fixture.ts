import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** An ECS Fargate service behind an ALB with the CODE_DEPLOY controller, as teams build it. */
export function ecsService(stack: Stack, controller = ecs.DeploymentControllerType.CODE_DEPLOY) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    portMappings: [{ containerPort: 8080 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster, taskDefinition, assignPublicIp: true, deploymentController: { type: controller },
  });
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true });
  const blue = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 8080, targetType: elbv2.TargetType.IP, targets: [service] });
  const green = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 8080, targetType: elbv2.TargetType.IP });
  const listener = lb.addListener('Production', { port: 80, defaultTargetGroups: [blue] });
  const testListener = lb.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [green] });
  const hook = new lambda.Function(stack, 'SmokeTest', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'), timeout: Duration.minutes(5),
  });
  return { vpc, cluster, taskDefinition, service, lb, blue, green, listener, testListener, hook };
}
