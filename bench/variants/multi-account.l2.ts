import { ArnFormat, CfnCapabilities, Duration, PhysicalName, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface TargetProps extends StackProps {
  readonly pipelineAccount: string;
}

// In each target account and region: a role the pipeline assumes, and a role CloudFormation uses,
// allowed what the service stack creates.
export class ServiceTargetL2Stack extends Stack {
  public readonly deployRole: iam.Role;
  public readonly executionRole: iam.Role;

  constructor(scope: Construct, id: string, props: TargetProps) {
    super(scope, id, props);
    this.deployRole = new iam.Role(this, 'DeployRole', { roleName: PhysicalName.GENERATE_IF_NEEDED, assumedBy: new iam.AccountPrincipal(props.pipelineAccount) });
    const functionArn = this.formatArn({ service: 'lambda', resource: 'function', resourceName: 'shop-api', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      inlinePolicies: {
        DeployService: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration',
                'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags', 'lambda:CreateFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig', 'lambda:DeleteFunctionUrlConfig',
                'lambda:GetFunctionUrlConfig', 'lambda:AddPermission', 'lambda:RemovePermission'],
              resources: [functionArn],
            }),
            new iam.PolicyStatement({
              actions: ['iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:TagRole', 'iam:UntagRole', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PassRole'],
              resources: [this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `shop-api-${this.region}` })],
            }),
          ],
        }),
      },
    });
    this.deployRole.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameters'], resources: [this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'cdk-bootstrap/*/version' })] }));
  }
}

export interface PipelineProps extends StackProps {
  readonly dev: ServiceTargetL2Stack;
  readonly production: ServiceTargetL2Stack[];
  readonly approverEmail: string;
}

// CodeCommit -> build -> dev (change set, smoke test) -> approval -> production in two regions.
export class MultiAccountL2Stack extends Stack {
  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id, props);
    const repository = new codecommit.Repository(this, 'Repository', { repositoryName: 'shop-api-l2' });
    const key = new kms.Key(this, 'ArtifactKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const bucket = new s3.Bucket(this, 'Artifacts', {
      bucketName: PhysicalName.GENERATE_IF_NEEDED, encryptionKey: key, versioned: true, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN, lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const source = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Built');
    const sourceAction = new actions.CodeCommitSourceAction({ actionName: 'Source', repository, output: source, branch: 'main', variablesNamespace: 'SourceVariables' });
    const project = new codebuild.PipelineProject(this, 'Build', {
      encryptionKey: key,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { shell: 'bash' },
        phases: { install: { 'runtime-versions': { nodejs: '22' }, commands: ['npm ci'] }, build: { commands: ['npm test', 'npx cdk synth --quiet && cp cdk.out/ShopApi.template.json shop-api.template.json'] } },
        artifacts: { files: ['shop-api.template.json'] },
      }),
    });
    // One action per environment, as in the cdk-delivery variant (no change set to review).
    const deploy = (name: string, target: ServiceTargetL2Stack, runOrder: number) => new actions.CloudFormationCreateUpdateStackAction({
      actionName: name, stackName: 'shop-api', templatePath: built.atPath('shop-api.template.json'), adminPermissions: false, deploymentRole: target.executionRole,
      cfnCapabilities: [CfnCapabilities.NAMED_IAM], parameterOverrides: { Version: sourceAction.variables.commitId }, variablesNamespace: name, runOrder,
      account: target.account, region: target.region, role: target.deployRole,
    });
    const smoke = new codebuild.PipelineProject(this, 'SmokeTest', {
      encryptionKey: key,
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['curl --fail --silent --show-error --max-time 10 "${SERVICE_URL}health"'] } } }),
    });
    const topicKey = new kms.Key(this, 'TopicKey', { enableKeyRotation: true });
    topicKey.grantEncryptDecrypt(new iam.ServicePrincipal('codestar-notifications.amazonaws.com'));
    const topic = new sns.Topic(this, 'Notifications', { masterKey: topicKey, enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription(props.approverEmail));
    const pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: 'shop-api-l2', pipelineType: codepipeline.PipelineType.V2, executionMode: codepipeline.ExecutionMode.QUEUED,
      crossAccountKeys: true, enableKeyRotation: true,
      stages: [
        { stageName: 'Source', actions: [sourceAction] },
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', project, input: source, outputs: [built] })] },
        {
          stageName: 'Dev',
          actions: [deploy('Deploy', props.dev, 1), new actions.CodeBuildAction({ actionName: 'SmokeTest', project: smoke, input: source, runOrder: 2, environmentVariables: { SERVICE_URL: { value: '#{Deploy.ServiceUrl}' } } })],
          onFailure: { result: codepipeline.Result.ROLLBACK },
        },
        {
          stageName: 'Production',
          actions: [
            new actions.ManualApprovalAction({ actionName: 'Approve', notificationTopic: topic, additionalInformation: `Release ${sourceAction.variables.commitId} to production?`, timeout: Duration.days(2) }),
            ...props.production.map((target) => deploy(`Deploy-${target.region}`, target, 2)),
          ],
          onFailure: { result: codepipeline.Result.ROLLBACK },
        },
      ],
    });
    void bucket;
    pipeline.notifyOn('Notify', topic, {
      events: [codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED, codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED, codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED],
    });
  }
}
