import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface Props extends StackProps {
  readonly connectionArn: string;
  readonly repository: string;
}

// ECS blue/green, canary 10% for 5 minutes, hand-written with L2s: the Docker build, the files
// CodeDeployToECS needs (written by a second build from values passed as variables), and the deployment.
export class EcsCanaryL2Stack extends Stack {
  constructor(scope: Construct, id: string, props: Props) {
    super(scope, id, props);
    const [owner, repo] = props.repository.split('/');
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const images = new ecr.Repository(this, 'Images', { imageScanOnPush: true, imageTagMutability: ecr.TagMutability.IMMUTABLE, removalPolicy: RemovalPolicy.RETAIN });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512, family: 'shop-web-l2' });
    const logGroup = new logs.LogGroup(this, 'WebLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromEcrRepository(images, 'bootstrap'), portMappings: [{ containerPort: 8080 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup }),
    });
    const service = new ecs.FargateService(this, 'Service', {
      cluster, taskDefinition, desiredCount: 2, minHealthyPercent: 100, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
    });
    const lb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing: true });
    const blue = new elbv2.ApplicationTargetGroup(this, 'Blue', { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP, targets: [service], healthCheck: { path: '/health' } });
    const green = new elbv2.ApplicationTargetGroup(this, 'Green', { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP, healthCheck: { path: '/health' } });
    const production = lb.addListener('Production', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [blue] });
    const test = lb.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [green], open: false });
    const errors = new cloudwatch.Alarm(this, 'Production5xx', {
      metric: lb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(1) }), threshold: 5, evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const healthCheck = new lambda.Function(this, 'ReplacementHealthCheck', {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', timeout: Duration.minutes(5),
      environment: { TARGET_GROUP_ARN: green.targetGroupArn },
      code: lambda.Code.fromInline([
        "const { ElasticLoadBalancingV2Client, DescribeTargetHealthCommand } = require('@aws-sdk/client-elastic-load-balancing-v2');",
        "const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');",
        'exports.handler = async (event) => {',
        "  let status = 'Failed';",
        '  try {',
        '    const health = await new ElasticLoadBalancingV2Client({}).send(new DescribeTargetHealthCommand({ TargetGroupArn: process.env.TARGET_GROUP_ARN }));',
        "    const states = (health.TargetHealthDescriptions || []).map((t) => t.TargetHealth.State);",
        "    if (states.length > 0 && states.every((s) => s === 'healthy')) status = 'Succeeded';",
        '  } finally {',
        '    await new CodeDeployClient({}).send(new PutLifecycleEventHookExecutionStatusCommand({',
        '      deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status,',
        '    }));',
        '  }',
        '};',
      ].join('\n')),
    });
    healthCheck.addToRolePolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }));
    const group = new codedeploy.EcsDeploymentGroup(this, 'Deployment', {
      service, blueGreenDeploymentConfig: { blueTargetGroup: blue, greenTargetGroup: green, listener: production, testListener: test, terminationWaitTime: Duration.hours(1) },
      deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES, alarms: [errors],
      autoRollback: { failedDeployment: true, deploymentInAlarm: true },
    });
    healthCheck.grantInvoke(group.role);

    const key = new kms.Key(this, 'ArtifactKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const bucket = new s3.Bucket(this, 'Artifacts', {
      encryptionKey: key, versioned: true, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const source = new codepipeline.Artifact('Source');
    const image = new codepipeline.Artifact('Image');
    const files = new codepipeline.Artifact('Files');
    const dockerBuild = new codebuild.PipelineProject(this, 'ImageBuild', {
      encryptionKey: key,
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, privileged: true },
      environmentVariables: { REPOSITORY_URI: { value: images.repositoryUri } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { shell: 'bash' },
        phases: {
          pre_build: { commands: ['aws ecr get-login-password | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"', 'TAG=$CODEBUILD_RESOLVED_SOURCE_VERSION'] },
          build: { commands: ['docker build -t "$REPOSITORY_URI:$TAG" .', 'docker push "$REPOSITORY_URI:$TAG"', 'printf \'{"ImageURI":"%s"}\' "$REPOSITORY_URI:$TAG" > imageDetail.json'] },
        },
        artifacts: { files: ['imageDetail.json'] },
      }),
    });
    images.grantPullPush(dockerBuild);
    const taskDef = JSON.stringify({
      family: 'shop-web-l2', cpu: '256', memory: '512', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'],
      executionRoleArn: '$EXECUTION_ROLE_ARN', taskRoleArn: '$TASK_ROLE_ARN',
      containerDefinitions: [{ name: 'web', image: '<IMAGE1_NAME>', essential: true, portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '$LOG_GROUP', 'awslogs-stream-prefix': 'web', 'awslogs-region': '$AWS_REGION' } } }],
    });
    const appSpec = ['version: 0.0', 'Resources:', '  - TargetService:', '      Type: AWS::ECS::Service', '      Properties:', '        TaskDefinition: <TASK_DEFINITION>',
      '        LoadBalancerInfo:', '          ContainerName: web', '          ContainerPort: 8080', 'Hooks:', '  - AfterAllowTestTraffic: $HOOK_ARN'].join('\n');
    const filesBuild = new codebuild.PipelineProject(this, 'DeploymentFiles', {
      encryptionKey: key,
      environmentVariables: {
        EXECUTION_ROLE_ARN: { value: taskDefinition.executionRole!.roleArn }, TASK_ROLE_ARN: { value: taskDefinition.taskRole.roleArn },
        LOG_GROUP: { value: logGroup.logGroupName }, HOOK_ARN: { value: healthCheck.functionArn },
      },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: { build: { commands: [`echo '${taskDef}' | envsubst > taskdef.json`, `printf '%s' '${appSpec}' | envsubst > appspec.yaml`] } },
        artifacts: { files: ['taskdef.json', 'appspec.yaml'] },
      }),
    });
    new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: 'shop-web-ecs-l2', pipelineType: codepipeline.PipelineType.V2, executionMode: codepipeline.ExecutionMode.QUEUED, artifactBucket: bucket,
      stages: [
        { stageName: 'Source', actions: [new actions.CodeStarConnectionsSourceAction({ actionName: 'Source', connectionArn: props.connectionArn, owner, repo, branch: 'main', output: source })] },
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Image', project: dockerBuild, input: source, outputs: [image] })] },
        {
          stageName: 'Production',
          actions: [
            new actions.CodeBuildAction({ actionName: 'DeployFiles', project: filesBuild, input: source, outputs: [files], runOrder: 1 }),
            new actions.CodeDeployEcsDeployAction({
              actionName: 'Deploy', deploymentGroup: group, taskDefinitionTemplateInput: files, appSpecTemplateInput: files,
              containerImageInputs: [{ input: image, taskDefinitionPlaceholder: 'IMAGE1_NAME' }], runOrder: 2,
            }),
          ],
        },
      ],
    });
  }
}
