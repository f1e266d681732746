import * as path from 'path';
import { Aws, CfnOutput, Duration, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { NagAcknowledgement, NagAcknowledgements } from 'cdk-delivery';
import { NODE_RUNTIME } from '../settings';

/** The network the worker runs in: a VPC the platform team already runs in each account. */
export interface ShopNetwork {
  /** The VPC's id. */
  readonly vpcId: string;
  /** Its Availability Zones, one per private subnet. */
  readonly availabilityZones: string[];
  /** Private subnets with a route to the internet (NAT), one per zone. */
  readonly privateSubnetIds: string[];
  /** The route tables of those subnets. */
  readonly privateSubnetRouteTableIds: string[];
}

/** Props of the shop's application Stage. */
export interface ShopAppStageProps extends StageProps {
  /** The network of the Stage's account and region. */
  readonly network: ShopNetwork;
}

/**
 * The shop's application, as its team writes it in CDK: the API (a Lambda function whose code is
 * a file asset) and the order worker (a Fargate service whose image is a Docker image asset built
 * from worker/). The pipeline releases the whole Stage, assets included, to each account.
 */
export class ShopAppStage extends Stage {
  /** The API's URL, for smoke tests. */
  public readonly apiUrl: CfnOutput;

  constructor(scope: Construct, id: string, props: ShopAppStageProps) {
    super(scope, id, props);
    const api = new ShopApiStack(this, 'Api', { stackName: 'shop-api' });
    new ShopWorkerStack(this, 'Worker', { stackName: 'shop-worker', network: props.network });
    this.apiUrl = api.url;
  }
}

/** The shop's public API: a function with a URL. */
export class ShopApiStack extends Stack {
  public readonly url: CfnOutput;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    // Named resources: the deployment policy (shopAppDeployment) names exactly these.
    const role = new iam.Role(this, 'Role', {
      roleName: `shop-api-${this.region}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { logGroupName: '/shop/api', retention: logs.RetentionDays.THREE_MONTHS });
    logGroup.grantWrite(role);
    const handler = new lambda.Function(this, 'Handler', {
      functionName: 'shop-api',
      runtime: NODE_RUNTIME,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'api')),
      timeout: Duration.seconds(10),
      role,
      logGroup,
    });
    const url = handler.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    this.url = new CfnOutput(this, 'ApiUrl', { value: url.url });
  }
}

/** Props of the worker's stack. */
export interface ShopWorkerStackProps extends StackProps {
  readonly network: ShopNetwork;
}

/** The order worker: one Fargate task, its image built from worker/ by the release. */
export class ShopWorkerStack extends Stack {
  constructor(scope: Construct, id: string, props: ShopWorkerStackProps) {
    super(scope, id, props);
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', props.network);
    const cluster = new ecs.Cluster(this, 'Cluster', { clusterName: 'shop', vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const task = new ecs.FargateTaskDefinition(this, 'Task', {
      family: 'shop-worker',
      cpu: 256,
      memoryLimitMiB: 512,
      taskRole: new iam.Role(this, 'TaskRole', { roleName: `shop-worker-task-${this.region}`, assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }),
      executionRole: new iam.Role(this, 'ExecutionRole', { roleName: `shop-worker-exec-${this.region}`, assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }),
    });
    task.addContainer('worker', {
      image: ecs.ContainerImage.fromAsset(path.join(__dirname, 'worker')),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'worker', logGroup: new logs.LogGroup(this, 'Logs', { logGroupName: '/shop/worker', retention: logs.RetentionDays.THREE_MONTHS }) }),
    });
    // Pulling the image from the asset repository needs an ECR token, which no resource can scope.
    NagAcknowledgements.add(task.executionRole!, [{ id: 'AwsSolutions-IAM5', reason: 'ecr:GetAuthorizationToken has no resource-level permissions (Service Authorization Reference); the pull is granted on the asset repository only.', appliesTo: ['Resource::*'] }], true);
    new ecs.FargateService(this, 'Service', { serviceName: 'shop-worker', cluster, taskDefinition: task, desiredCount: 1, minHealthyPercent: 100, circuitBreaker: { rollback: true } });
  }
}

/**
 * What CloudFormation may do to deploy the shop's Stage in an account and region, for the
 * target's `cloudFormationExecutionStatements`: the API's function, role and log group, the
 * worker's cluster, service, task definition family, roles, security group and log group (and
 * ECS's service-linked role, which a first cluster in an account creates), and reading the
 * function's code from the assets the release published. Nothing else: no
 * administrator rights anywhere.
 */
export function shopAppDeployment(network: ShopNetwork): iam.PolicyStatement[] {
  const arn = (service: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
  return [
    new iam.PolicyStatement({
      actions: ['CreateFunction', 'DeleteFunction', 'GetFunction', 'GetFunctionConfiguration', 'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'TagResource', 'UntagResource',
        'ListTags', 'CreateFunctionUrlConfig', 'UpdateFunctionUrlConfig', 'DeleteFunctionUrlConfig', 'GetFunctionUrlConfig', 'AddPermission', 'RemovePermission'].map((a) => `lambda:${a}`),
      resources: [arn('lambda', 'function:shop-api')],
    }),
    // Lambda reads the function's code with CloudFormation's credentials, from the published assets.
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:${Aws.PARTITION}:s3:::cdk-hnb659fds-assets-${Aws.ACCOUNT_ID}-${Aws.REGION}/*`] }),
    new iam.PolicyStatement({
      actions: ['CreateRole', 'DeleteRole', 'GetRole', 'TagRole', 'UntagRole', 'PutRolePolicy', 'DeleteRolePolicy', 'GetRolePolicy', 'PassRole'].map((a) => `iam:${a}`),
      resources: ['shop-api', 'shop-worker-task', 'shop-worker-exec'].map((name) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${name}-${Aws.REGION}`),
    }),
    new iam.PolicyStatement({
      actions: ['CreateLogGroup', 'DeleteLogGroup', 'PutRetentionPolicy', 'DeleteRetentionPolicy', 'TagResource', 'UntagResource', 'ListTagsForResource'].map((a) => `logs:${a}`),
      resources: [arn('logs', 'log-group:/shop/api'), arn('logs', 'log-group:/shop/worker')],
    }),
    new iam.PolicyStatement({
      actions: ['CreateCluster', 'DeleteCluster', 'DescribeClusters', 'UpdateCluster', 'UpdateClusterSettings', 'PutClusterCapacityProviders', 'TagResource', 'UntagResource'].map((a) => `ecs:${a}`),
      resources: [arn('ecs', 'cluster/shop')],
    }),
    new iam.PolicyStatement({
      actions: ['CreateService', 'DeleteService', 'DescribeServices', 'UpdateService', 'TagResource', 'UntagResource'].map((a) => `ecs:${a}`),
      resources: [arn('ecs', 'service/shop/shop-worker')],
    }),
    // A first cluster in an account creates ECS's service-linked role, with the caller's rights.
    new iam.PolicyStatement({
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'ecs.amazonaws.com' } },
    }),
    // Task definitions: registering, reading and deregistering them has no resource-level permissions.
    new iam.PolicyStatement({ actions: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:DeregisterTaskDefinition'], resources: ['*'] }),
    // The service's security group, created in the team's VPC (its id is known only once created).
    new iam.PolicyStatement({ actions: ['ec2:CreateSecurityGroup'], resources: [arn('ec2', `vpc/${network.vpcId}`), arn('ec2', 'security-group/*')] }),
    new iam.PolicyStatement({
      actions: ['ec2:DeleteSecurityGroup', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress', 'ec2:CreateTags'],
      resources: [arn('ec2', 'security-group/*')],
      conditions: { StringEquals: { 'ec2:Vpc': arn('ec2', `vpc/${network.vpcId}`) } },
    }),
    new iam.PolicyStatement({ actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'logs:DescribeLogGroups'], resources: ['*'] }),
  ];
}

/** The compliance findings `shopAppDeployment` brings, each with its reason, for the target's execution policy. */
export const SHOP_APP_DEPLOYMENT_FINDINGS: NagAcknowledgement[] = [{
  id: 'AwsSolutions-IAM5',
  reason: 'Published assets are objects named by their content hash; task definitions and the EC2 and CloudWatch Logs Describe actions have no resource-level permissions; the security group is known only once created, and its changes are limited to the team\'s VPC.',
  appliesTo: [
    'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
    'Resource::*',
    'Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:security-group/*',
  ],
}];
