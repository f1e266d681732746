import { CfnCapabilities, Duration, Fn, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

// The Lambda linear release hand-written with L2s: the version must change with each release's
// code (currentVersion would not), the pipeline updates the stack with a scoped role.
export class LambdaLinearL2AppStack extends Stack {
  public readonly code: lambda.CfnParametersCode;
  public readonly api: lambda.Function;
  public readonly group: codedeploy.LambdaDeploymentGroup;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.code = lambda.Code.fromCfnParameters();
    this.api = new lambda.Function(this, 'Api', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: this.code, timeout: Duration.seconds(10) });
    const preTraffic = new lambda.Function(this, 'PreTrafficCheck', {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', timeout: Duration.minutes(1),
      environment: { FUNCTION_NAME: this.api.functionName },
      code: lambda.Code.fromInline([
        "const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');",
        "const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');",
        'exports.handler = async (event) => {',
        "  let status = 'Failed';",
        '  try {',
        "    const res = await new LambdaClient({}).send(new InvokeCommand({ FunctionName: process.env.FUNCTION_NAME, Payload: JSON.stringify({ healthCheck: true }) }));",
        "    if (!res.FunctionError) status = 'Succeeded';",
        '  } finally {',
        '    await new CodeDeployClient({}).send(new PutLifecycleEventHookExecutionStatusCommand({',
        '      deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status,',
        '    }));',
        '  }',
        '};',
      ].join('\n')),
    });
    this.api.grantInvoke(preTraffic);
    const errors = new cloudwatch.Alarm(this, 'ApiErrors', {
      metric: this.api.metricErrors({ period: Duration.minutes(1) }), threshold: 1, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const version = new lambda.Version(this, 'Version', {
      lambda: this.api, removalPolicy: RemovalPolicy.RETAIN, description: Fn.join('', ['Release of ', Fn.ref(this.code.objectKeyParam)]),
    });
    const alias = new lambda.Alias(this, 'Live', { aliasName: 'live', version });
    this.group = new codedeploy.LambdaDeploymentGroup(this, 'Release', {
      alias, preHook: preTraffic, alarms: [errors],
      deploymentConfig: new codedeploy.LambdaDeploymentConfig(this, 'Linear', { trafficRouting: new codedeploy.TimeBasedLinearTrafficRouting({ interval: Duration.minutes(1), percentage: 10 }) }),
      autoRollback: { failedDeployment: true, deploymentInAlarm: true },
    });
  }
}

export interface PipelineProps extends StackProps {
  readonly connectionArn: string;
  readonly repository: string;
  readonly app: LambdaLinearL2AppStack;
}

export class LambdaLinearL2PipelineStack extends Stack {
  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id, props);
    const [owner, repo] = props.repository.split('/');
    const key = new kms.Key(this, 'ArtifactKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const bucket = new s3.Bucket(this, 'Artifacts', {
      encryptionKey: key, versioned: true, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const source = new codepipeline.Artifact('Source');
    const code = new codepipeline.Artifact('Code');
    const templates = new codepipeline.Artifact('Templates');
    const project = new codebuild.PipelineProject(this, 'Build', {
      encryptionKey: key,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { shell: 'bash' },
        phases: { install: { 'runtime-versions': { nodejs: '22' }, commands: ['npm ci'] }, build: { commands: ['npm test', 'npm run build', `npx cdk synth ${props.app.stackName}`] } },
        artifacts: {
          'secondary-artifacts': {
            Code: { files: ['**/*'], 'base-directory': 'dist' },
            Templates: { files: ['*.template.json'], 'base-directory': 'cdk.out' },
          },
        },
      }),
    });
    const deploymentRole = new iam.Role(this, 'DeploymentRole', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
    deploymentRole.addToPolicy(new iam.PolicyStatement({
      actions: ['lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion', 'lambda:ListVersionsByFunction', 'lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:ListTags', 'lambda:TagResource'],
      resources: [props.app.api.functionArn, `${props.app.api.functionArn}:*`],
    }));
    deploymentRole.addToPolicy(new iam.PolicyStatement({ actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup'], resources: [props.app.group.deploymentGroupArn] }));
    deploymentRole.addToPolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeploymentConfig'], resources: [props.app.group.deploymentConfig.deploymentConfigArn] }));
    deploymentRole.addToPolicy(new iam.PolicyStatement({ actions: ['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'], resources: [props.app.group.application.applicationArn] }));
    deploymentRole.addToPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [props.app.api.role!.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }));
    bucket.grantRead(deploymentRole);
    new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: 'shop-api-lambda-l2', pipelineType: codepipeline.PipelineType.V2, executionMode: codepipeline.ExecutionMode.QUEUED, artifactBucket: bucket,
      stages: [
        { stageName: 'Source', actions: [new actions.CodeStarConnectionsSourceAction({ actionName: 'Source', connectionArn: props.connectionArn, owner, repo, branch: 'main', output: source })] },
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', project, input: source, outputs: [code, templates] })] },
        {
          stageName: 'Production',
          actions: [new actions.CloudFormationCreateUpdateStackAction({
            actionName: 'Deploy', stackName: props.app.stackName, templatePath: templates.atPath(`${props.app.artifactId}.template.json`),
            extraInputs: [code], parameterOverrides: props.app.code.assign(code.s3Location), adminPermissions: false, deploymentRole,
            cfnCapabilities: [CfnCapabilities.ANONYMOUS_IAM],
          })],
        },
      ],
    });
  }
}
