import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  DeliveryPipeline, DeploymentStrategy, DockerImageStep, EcsBlueGreenDeployment, NagAcknowledgements, Source,
} from 'cdk-delivery';
import { NODE_RUNTIME } from '../settings';

/**
 * The service's image repository, in a stack of its own: deploy it first and push the service's first
 * image, tagged `bootstrap`, before deploying the service (which starts with that image).
 */
export class EcsCanaryImagesStack extends Stack {
  public readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.repository = new ecr.Repository(this, 'Images', {
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

/** Settings a team changes when copying this example. */
export interface EcsCanaryStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** The repository as owner/name (with a Dockerfile at its root). */
  readonly repository: string;
  /** The image repository (an `EcsCanaryImagesStack`'s), already holding an image tagged `bootstrap`. */
  readonly images: ecr.IRepository;
}

/**
 * GitHub -> Docker image in ECR -> ECS blue/green with CodeDeploy: 10% of the traffic for 5 minutes,
 * then all of it, rolled back on 5xx errors; before any production traffic, a hook checks that every
 * replacement task is healthy in the target group CodeDeploy gave it in this deployment.
 *
 * The service is created here with the CODE_DEPLOY deployment controller. Its task definition keeps
 * the image it was created with (`bootstrap`, pushed to the images stack's repository before the
 * first `cdk deploy` of this stack): later images reach the service through the pipeline only,
 * because CloudFormation cannot update the task definition of a CODE_DEPLOY service.
 */
export class EcsCanaryStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: EcsCanaryStackProps) {
    super(scope, id, props);

    // --- The service (what the team already has) -------------------------------------------
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const repository = props.images;
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      // The first deployment's image; afterwards CodeDeploy registers new revisions with built images.
      image: ecs.ContainerImage.fromEcrRepository(repository, 'bootstrap'),
      portMappings: [{ containerPort: 8080 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logRetention: logs.RetentionDays.THREE_MONTHS }),
    });
    const service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: 2,
      minHealthyPercent: 100,
      deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
    });

    const accessLogs = new s3.Bucket(this, 'LoadBalancerLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    const lb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing: true });
    lb.logAccessLogs(accessLogs, 'shop-web');
    const blue = new elbv2.ApplicationTargetGroup(this, 'Blue', {
      vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP, targets: [service],
      healthCheck: { path: '/health' },
    });
    const green = new elbv2.ApplicationTargetGroup(this, 'Green', {
      vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
      healthCheck: { path: '/health' },
    });
    const production = lb.addListener('Production', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [blue] });
    // Test traffic stays inside the VPC.
    const test = lb.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [green], open: false });
    test.connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(9000), 'Test traffic from inside the VPC');

    // --- Deployment -------------------------------------------------------------------------
    const errors = new cloudwatch.Alarm(this, 'Production5xx', {
      alarmDescription: 'The new tasks answer with 5xx errors',
      metric: lb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(1) }),
      threshold: 5,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // CodeDeploy swaps the two target groups at every deployment, so the hook reads the replacement
    // (green) task set's target group from the deployment itself: a fixed target group would check
    // the old tasks every other release. EcsBlueGreenDeployment lets hooks read the deployment's targets.
    const healthCheck = new lambda.Function(this, 'ReplacementHealthCheck', {
      description: 'Fails the deployment unless every replacement task is healthy in the target group CodeDeploy gave it',
      runtime: NODE_RUNTIME,
      handler: 'index.handler',
      timeout: Duration.minutes(5),
      code: lambda.Code.fromInline([
        "const cd = require('@aws-sdk/client-codedeploy');",
        "const elb = require('@aws-sdk/client-elastic-load-balancing-v2');",
        'exports.handler = async (event) => {',
        '  const codedeploy = new cd.CodeDeployClient({});',
        "  let status = 'Failed';",
        '  try {',
        '    const deploymentId = event.DeploymentId;',
        '    const { targetIds = [] } = await codedeploy.send(new cd.ListDeploymentTargetsCommand({ deploymentId }));',
        '    const taskSets = [];',
        '    for (const targetId of targetIds) {',
        '      const { deploymentTarget } = await codedeploy.send(new cd.GetDeploymentTargetCommand({ deploymentId, targetId }));',
        '      taskSets.push(...((deploymentTarget && deploymentTarget.ecsTarget && deploymentTarget.ecsTarget.taskSetsInfo) || []));',
        '    }',
        "    const green = taskSets.find((t) => String(t.taskSetLabel).toUpperCase() === 'GREEN');",
        "    if (!green || !green.targetGroup) throw new Error('no replacement task set in deployment ' + deploymentId);",
        '    const client = new elb.ElasticLoadBalancingV2Client({});',
        '    const { TargetGroups = [] } = await client.send(new elb.DescribeTargetGroupsCommand({ Names: [green.targetGroup.name] }));',
        '    const health = await client.send(new elb.DescribeTargetHealthCommand({ TargetGroupArn: TargetGroups[0].TargetGroupArn }));',
        '    const states = (health.TargetHealthDescriptions || []).map((t) => t.TargetHealth.State);',
        "    console.log(JSON.stringify({ deploymentId, targetGroup: green.targetGroup.name, states }));",
        "    if (states.length > 0 && states.every((s) => s === 'healthy')) status = 'Succeeded';",
        '  } catch (e) {',
        '    console.error(e);',
        '  } finally {',
        '    await codedeploy.send(new cd.PutLifecycleEventHookExecutionStatusCommand({',
        '      deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status,',
        '    }));',
        '  }',
        '};',
      ].join('\n')),
    });
    // Reading target groups and their health has no resource-level permissions.
    healthCheck.addToRolePolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }));

    const deployment = new EcsBlueGreenDeployment(this, 'Deployment', {
      service,
      taskDefinition,
      blueTargetGroup: blue,
      greenTargetGroup: green,
      productionListener: production,
      testListener: test,
      strategy: DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) }),
      alarms: [errors],
      hooks: { afterAllowTestTraffic: healthCheck },
    });

    // --- Pipeline ---------------------------------------------------------------------------
    const image = new DockerImageStep('Image', { repository });
    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: 'shop-web-ecs',
      source: Source.connection(props.repository, { connectionArn: props.connectionArn }),
      buildStep: image,
    });
    this.delivery.addStage('Production', { steps: [deployment.deployStep({ image: image.output! })] });

    // --- Accepted findings, each with its reason ---------------------------------------------
    NagAcknowledgements.add(lb, [{
      id: 'AwsSolutions-EC23', reason: 'The production listener of a public website accepts traffic from the internet.',
    }], true);
    NagAcknowledgements.add(taskDefinition, [{
      id: 'AwsSolutions-IAM5', reason: 'The execution role logs in to ECR with ecr:GetAuthorizationToken, which has no resource-level permissions.', appliesTo: ['Resource::*'],
    }], true);
    NagAcknowledgements.add(accessLogs, [{
      id: 'AwsSolutions-S1', reason: 'This bucket holds the load balancer access logs; logging it to itself would loop.',
    }]);
    NagAcknowledgements.add(healthCheck, [
      { id: 'AwsSolutions-IAM4', reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs.', appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
      { id: 'AwsSolutions-IAM5', reason: 'elasticloadbalancing:DescribeTargetGroups and DescribeTargetHealth have no resource-level permissions.', appliesTo: ['Resource::*'] },
    ], true);
  }
}
