import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface Props extends StackProps {
  readonly connectionArn: string;
  readonly repository: string;
  readonly approverEmail: string;
}

// GitHub -> build -> approval, hand-written with aws-cdk-lib L2s, with the same secure choices.
export class GithubBuildApproveL2Stack extends Stack {
  constructor(scope: Construct, id: string, props: Props) {
    super(scope, id, props);
    const [owner, repo] = props.repository.split('/');
    const key = new kms.Key(this, 'ArtifactKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const logsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    const bucket = new s3.Bucket(this, 'Artifacts', {
      encryptionKey: key, bucketKeyEnabled: true, versioned: true, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: logsBucket, serverAccessLogsPrefix: 'artifacts/', removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const releaseChannel = new codepipeline.Variable({ variableName: 'RELEASE_CHANNEL', defaultValue: 'stable', description: 'Channel the build is tagged for' });
    const source = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Built');
    const sourceAction = new actions.CodeStarConnectionsSourceAction({
      actionName: 'Source', connectionArn: props.connectionArn, owner, repo, branch: 'main', output: source,
      codeBuildCloneOutput: false, variablesNamespace: 'SourceVariables',
    });
    const project = new codebuild.PipelineProject(this, 'Build', {
      encryptionKey: key,
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
      logging: { cloudWatch: { logGroup: new logs.LogGroup(this, 'BuildLogs', { retention: logs.RetentionDays.THREE_MONTHS }) } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { shell: 'bash' },
        phases: { install: { commands: ['npm ci'] }, build: { commands: ['npm run build', 'npm test'] } },
        artifacts: { files: ['**/*'], 'base-directory': 'dist' },
      }),
    });
    const topicKey = new kms.Key(this, 'TopicKey', { enableKeyRotation: true });
    const topic = new sns.Topic(this, 'ApprovalTopic', { masterKey: topicKey, enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription(props.approverEmail));
    const approve = new actions.ManualApprovalAction({
      actionName: 'Approve', notificationTopic: topic,
      externalEntityLink: `https://github.com/${props.repository}/commit/${sourceAction.variables.commitId}`,
      additionalInformation: `Release ${sourceAction.variables.commitId} to the ${releaseChannel.reference()} channel?`,
    });
    const pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: 'shop-release-l2', pipelineType: codepipeline.PipelineType.V2, executionMode: codepipeline.ExecutionMode.QUEUED,
      artifactBucket: bucket, variables: [releaseChannel],
      stages: [
        { stageName: 'Source', actions: [sourceAction] },
        {
          stageName: 'Build',
          actions: [new actions.CodeBuildAction({
            actionName: 'Build', project, input: source, outputs: [built],
            environmentVariables: { RELEASE_CHANNEL: { value: releaseChannel.reference() }, COMMIT_ID: { value: sourceAction.variables.commitId } },
          })],
        },
        { stageName: 'Release', actions: [approve] },
      ],
      triggers: [{ providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION, gitConfiguration: { sourceAction, pushFilter: [{ branchesIncludes: ['main'] }] } }],
    });
    const releaseManagers = new iam.Role(this, 'ReleaseManagers', { assumedBy: new iam.AccountRootPrincipal() });
    releaseManagers.addToPolicy(new iam.PolicyStatement({ actions: ['codepipeline:PutApprovalResult'], resources: [`${pipeline.pipelineArn}/Release/Approve`] }));
    releaseManagers.addToPolicy(new iam.PolicyStatement({ actions: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineState', 'codepipeline:GetPipelineExecution'], resources: [pipeline.pipelineArn] }));
  }
}
