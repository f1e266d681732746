import { Annotations, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
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
  DeliveryPipeline, DeploymentStrategy, DockerImageStep, EcsNativeDeployment, NagAcknowledgements, Source,
} from 'cdk-delivery';
import { NODE_RUNTIME } from '../settings';

/**
 * The service's image repository, in a stack of its own: deploy it first and push the service's first
 * image, tagged `bootstrap`, before deploying the service (which starts with that image).
 */
export class EcsNativeCanaryImagesStack extends Stack {
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
export interface EcsNativeCanaryStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** The repository as owner/name (with a Dockerfile at its root; the image answers GET /health on port 8080 and has curl). */
  readonly repository: string;
  /** The image repository (an `EcsNativeCanaryImagesStack`'s), already holding an image tagged `bootstrap`. */
  readonly images: ecr.IRepository;
}

/**
 * GitHub -> Docker image in ECR -> an ECS canary run by Amazon ECS itself (no CodeDeploy): 10% of the
 * traffic for 5 minutes, then all of it, the old tasks kept 10 minutes more; rolled back on 5xx
 * errors, and before any traffic a hook waits until every new task passes its container health check.
 *
 * The service keeps the stack's image (`bootstrap`): later images reach it through the pipeline,
 * whose ECS action registers a revision of the same task definition with the built image. A stack
 * update that changes the task definition would deploy the stack's image again: change the task
 * definition together with a release, or keep its changes for quiet hours.
 */
export class EcsNativeCanaryStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: EcsNativeCanaryStackProps) {
    super(scope, id, props);

    // --- The service (what the team already has, with the ECS deployment controller) ------------
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      // The first deployment's image; afterwards the pipeline registers revisions with built images.
      image: ecs.ContainerImage.fromEcrRepository(props.images, 'bootstrap'),
      portMappings: [{ containerPort: 8080 }],
      healthCheck: { command: ['CMD-SHELL', 'curl -fs http://localhost:8080/health || exit 1'], interval: Duration.seconds(15), startPeriod: Duration.seconds(30) },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logRetention: logs.RetentionDays.THREE_MONTHS }),
    });
    const service = new ecs.FargateService(this, 'Service', { cluster, taskDefinition, desiredCount: 2, minHealthyPercent: 100 });

    const accessLogs = new s3.Bucket(this, 'LoadBalancerLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    const lb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing: true });
    lb.logAccessLogs(accessLogs, 'shop-web');
    const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(this, id, {
      vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP, healthCheck: { path: '/health' },
    });
    const blue = targetGroup('Blue');
    const green = targetGroup('Green');
    // ECS shifts traffic by moving this rule's weights; the listener only forwards, as ECS requires.
    const listener = lb.addListener('Production', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: elbv2.ListenerAction.forward([blue]) });
    const productionRule = new elbv2.ApplicationListenerRule(this, 'ProductionRule', {
      listener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 }]),
    });

    // --- Deployment -------------------------------------------------------------------------
    const errors = new cloudwatch.Alarm(this, 'Production5xx', {
      alarmDescription: 'The service answers with 5xx errors',
      metric: lb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(1) }),
      threshold: 5,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // After the new tasks start and before any traffic reaches them: every task of the new service
    // revision must pass its container health check. ECS calls again while it answers IN_PROGRESS;
    // after 10 minutes, or on an unhealthy task, it answers FAILED and ECS rolls back.
    const healthCheck = new lambda.Function(this, 'NewTasksHealthCheck', {
      description: 'Holds the deployment until every task of the new service revision is healthy, and fails it otherwise',
      runtime: NODE_RUNTIME,
      handler: 'index.handler',
      timeout: Duration.minutes(1),
      code: lambda.Code.fromInline([
        "const sdk = require('@aws-sdk/client-ecs');",
        'const LIMIT_MS = 10 * 60 * 1000;',
        'exports.handler = async (event) => {',
        '  const details = event.executionDetails || event;',
        '  const ecs = new sdk.ECSClient({});',
        '  try {',
        '    const { serviceRevisions = [] } = await ecs.send(new sdk.DescribeServiceRevisionsCommand({ serviceRevisionArns: [details.targetServiceRevisionArn] }));',
        '    const revision = serviceRevisions[0];',
        "    if (!revision) throw new Error('no service revision ' + details.targetServiceRevisionArn);",
        "    const serviceName = revision.serviceArn.split('/').pop();",
        "    const { taskArns = [] } = await ecs.send(new sdk.ListTasksCommand({ cluster: revision.clusterArn, serviceName, desiredStatus: 'RUNNING' }));",
        '    const { tasks = [] } = taskArns.length > 0 ? await ecs.send(new sdk.DescribeTasksCommand({ cluster: revision.clusterArn, tasks: taskArns })) : {};',
        '    const states = tasks.filter((t) => t.taskDefinitionArn === revision.taskDefinition).map((t) => t.healthStatus);',
        '    console.log(JSON.stringify({ revision: revision.serviceRevisionArn, states }));',
        "    if (states.length > 0 && states.every((s) => s === 'HEALTHY')) return { hookStatus: 'SUCCEEDED' };",
        "    if (states.includes('UNHEALTHY')) return { hookStatus: 'FAILED' };",
        '    const { serviceDeployments = [] } = await ecs.send(new sdk.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [event.resourceArn] }));',
        '    const started = serviceDeployments[0] && (serviceDeployments[0].startedAt || serviceDeployments[0].createdAt);',
        "    if (!started || Date.now() - new Date(started).getTime() > LIMIT_MS) return { hookStatus: 'FAILED' };",
        "    return { hookStatus: 'IN_PROGRESS', callBackDelay: 30 };",
        '  } catch (e) {',
        '    console.error(e);',
        "    return { hookStatus: 'FAILED' };",
        '  }',
        '};',
      ].join('\n')),
    });
    // Scoped to the cluster: the service refers to its hook, so the hook's role cannot name the service.
    const clusterTasks = { ArnEquals: { 'ecs:cluster': cluster.clusterArn } };
    healthCheck.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeServiceRevisions'],
      resources: [this.formatArn({ service: 'ecs', resource: 'service-revision', resourceName: `${cluster.clusterName}/*` })],
    }));
    healthCheck.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeServiceDeployments'],
      resources: [this.formatArn({ service: 'ecs', resource: 'service-deployment', resourceName: `${cluster.clusterName}/*` })],
    }));
    healthCheck.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:ListTasks'], resources: ['*'], conditions: clusterTasks }));
    healthCheck.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTasks'],
      resources: [this.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` })],
    }));

    const deployment = new EcsNativeDeployment(this, 'Deployment', {
      service,
      blueTargetGroup: blue,
      greenTargetGroup: green,
      productionListenerRule: productionRule,
      strategy: DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) }),
      bakeTime: Duration.minutes(10),
      alarms: [errors],
      hooks: { postScaleUp: healthCheck },
    });

    // --- Pipeline ---------------------------------------------------------------------------
    const image = new DockerImageStep('Image', { repository: props.images, containerName: 'web' });
    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: 'shop-web-ecs-native',
      source: Source.connection(props.repository, { connectionArn: props.connectionArn }),
      buildStep: image,
    });
    this.delivery.addStage('Production', { steps: [deployment.deployStep({ image: image.output! })] });
    // aws-cdk-lib recommends the circuit breaker; ECS documents it for rolling and blue/green
    // deployments, and here the hook fails a canary whose new tasks do not become healthy.
    Annotations.of(service).acknowledgeWarning('@aws-cdk/aws-ecs:shouldUseCircuitBreaker', 'The health-check hook rolls back canaries whose new tasks fail');

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
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The hook reads the service revisions, deployments and tasks of this cluster (their ids are new at every release, and the service cannot be named: it refers to the hook); ecs:ListTasks has no resource-level permissions and is limited to this cluster.',
        appliesTo: ['Resource::*'],
        appliesToPatterns: ['/^Resource::arn:(?:<[^>]+>|[^:]+):ecs:(?:<[^>]+>|[^:]+):(?:<[^>]+>|[^:]+):(service-revision|service-deployment|task)\\/<[A-Za-z0-9]+>\\/\\*$/'],
      },
    ], true);
  }
}
