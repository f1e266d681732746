import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface Props extends StackProps {
  readonly connectionArn: string;
  readonly repository: string;
  readonly productionTargetGroupArn: string;
  readonly productionLoadBalancerName: string;
  readonly approverEmail: string;
}

// EC2 in place, hand-written with L2s: staging all at once, approval, production one at a time
// behind the load balancer with alarm rollback, a release window and a bake alarm.
export class Ec2InPlaceL2Stack extends Stack {
  constructor(scope: Construct, id: string, props: Props) {
    super(scope, id, props);
    const [owner, repo] = props.repository.split('/');
    const key = new kms.Key(this, 'ArtifactKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    const bucket = new s3.Bucket(this, 'Artifacts', {
      encryptionKey: key, versioned: true, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const appspec = [
      'version: 0.0', 'os: linux', 'files:', '  - source: /', '    destination: /opt/shop-web', 'hooks:',
      '  ApplicationStop:', '    - location: scripts/stop.sh', '      timeout: 120',
      '  AfterInstall:', '    - location: scripts/install-dependencies.sh', '      timeout: 600',
      '  ApplicationStart:', '    - location: scripts/start.sh', '      timeout: 120', '      runas: shop',
      '  ValidateService:', '    - location: scripts/health-check.sh', '      timeout: 300',
    ].join('\n');
    const source = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Built');
    const project = new codebuild.PipelineProject(this, 'Build', {
      encryptionKey: key,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { shell: 'bash' },
        phases: {
          install: { 'runtime-versions': { nodejs: '22' }, commands: ['npm ci'] },
          build: { commands: ['npm test', 'npm run build', `cat > appspec.yml <<'EOF'\n${appspec}\nEOF`] },
        },
        artifacts: { files: ['**/*'] },
      }),
    });
    const staging = new codedeploy.ServerDeploymentGroup(this, 'Staging', {
      ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['shop-web'], env: ['staging'] }),
      deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE, installAgent: false,
      autoRollback: { failedDeployment: true },
    });
    const errors = new cloudwatch.Alarm(this, 'Production5xx', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensionsMap: { LoadBalancer: props.productionLoadBalancerName }, statistic: 'Sum', period: Duration.minutes(1) }),
      threshold: 5, evaluationPeriods: 2, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const production = new codedeploy.ServerDeploymentGroup(this, 'Production', {
      ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['shop-web'], env: ['production'] }),
      loadBalancers: [codedeploy.LoadBalancer.application(elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(this, 'Targets', { targetGroupArn: props.productionTargetGroupArn }))],
      deploymentConfig: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME, installAgent: false, alarms: [errors],
      autoRollback: { failedDeployment: true, deploymentInAlarm: true },
    });
    const topicKey = new kms.Key(this, 'TopicKey', { enableKeyRotation: true });
    const topic = new sns.Topic(this, 'Approvals', { masterKey: topicKey, enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription(props.approverEmail));
    const sourceAction = new actions.CodeStarConnectionsSourceAction({ actionName: 'Source', connectionArn: props.connectionArn, owner, repo, branch: 'main', output: source });
    const pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: 'shop-web-l2', pipelineType: codepipeline.PipelineType.V2, executionMode: codepipeline.ExecutionMode.QUEUED, artifactBucket: bucket,
      stages: [
        { stageName: 'Source', actions: [sourceAction] },
        { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', project, input: source, outputs: [built] })] },
        { stageName: 'Staging', actions: [new actions.CodeDeployServerDeployAction({ actionName: 'Deploy', input: built, deploymentGroup: staging })], onFailure: { result: codepipeline.Result.ROLLBACK } },
        {
          stageName: 'Production',
          actions: [
            new actions.ManualApprovalAction({ actionName: 'Approve', notificationTopic: topic, additionalInformation: `Release ${sourceAction.variables.commitId} to production?`, runOrder: 1 }),
            new actions.CodeDeployServerDeployAction({ actionName: 'Deploy', input: built, deploymentGroup: production, runOrder: 2 }),
          ],
          onFailure: { result: codepipeline.Result.ROLLBACK },
          beforeEntry: {
            conditions: [{
              result: codepipeline.Result.FAIL,
              rules: [new codepipeline.Rule({ name: 'ReleaseWindow', provider: 'DeploymentWindow', version: '1', configuration: { Cron: '0 8-16 ? * MON-FRI *', TimeZone: 'Europe/Paris' } })],
            }],
          },
          onSuccess: {
            conditions: [{
              result: codepipeline.Result.ROLLBACK,
              rules: [new codepipeline.Rule({ name: 'Bake', provider: 'CloudWatchAlarm', version: '1', configuration: { AlarmName: errors.alarmName, WaitTime: '10' } })],
            }],
          },
        },
      ],
    });
    pipeline.notifyOnExecutionStateChange('Notify', topic);
  }
}
