import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import {
  BuildStep, DeliveryPipeline, DeploymentStrategy, EntryResult, ManualApprovalStep, PipelineVariable, ServerAppSpec, ServerDeployment, ServerLifecycleEvent, Source,
  StageRule, VariableOperator,
} from 'cdk-delivery';

/** Settings a team changes when copying this example. */
export interface Ec2InPlaceStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** The repository as owner/name. */
  readonly repository: string;
  /** ARN of the production target group the web servers sit behind. */
  readonly productionTargetGroupArn: string;
  /** Full name of the production load balancer (app/name/id), for its 5xx alarm. */
  readonly productionLoadBalancerName: string;
  /** Who approves releases to production. */
  readonly approverEmail: string;
}

/**
 * GitHub -> build with a generated appspec -> staging (all at once) -> approval -> production
 * (one instance at a time, out of the load balancer while updated, rolled back on 5xx errors),
 * inside a weekday release window, with the stage rolled back if errors rise after the release.
 *
 * The instances already run the CodeDeploy agent and carry the tags `app=shop-web` and `env=...`.
 */
export class Ec2InPlaceStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: Ec2InPlaceStackProps) {
    super(scope, id, props);

    const appSpec = new ServerAppSpec({
      files: [{ source: '/', destination: '/opt/shop-web' }],
      hooks: [
        { lifecycleEvent: ServerLifecycleEvent.APPLICATION_STOP, location: 'scripts/stop.sh', timeout: Duration.minutes(2) },
        { lifecycleEvent: ServerLifecycleEvent.AFTER_INSTALL, location: 'scripts/install-dependencies.sh', timeout: Duration.minutes(10) },
        { lifecycleEvent: ServerLifecycleEvent.APPLICATION_START, location: 'scripts/start.sh', timeout: Duration.minutes(2), runAs: 'shop' },
        { lifecycleEvent: ServerLifecycleEvent.VALIDATE_SERVICE, location: 'scripts/health-check.sh', timeout: Duration.minutes(5) },
      ],
    });

    const source = Source.connection(props.repository, { connectionArn: props.connectionArn });
    const build = new BuildStep('Build', {
      runtimeVersions: [{ runtime: 'nodejs', version: '22' }],
      installCommands: ['npm ci'],
      commands: ['npm test', 'npm run build'],
      outputs: ['**/*'],
      generatedFiles: [appSpec.toFile()],
    });

    const staging = new ServerDeployment(this, 'Staging', {
      ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['shop-web'], env: ['staging'] }),
      strategy: DeploymentStrategy.allAtOnce(),
      installAgent: false,
      appSpec,
    });

    const targetGroup = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(this, 'ProductionTargets', {
      targetGroupArn: props.productionTargetGroupArn,
    });
    const errors = new cloudwatch.Alarm(this, 'Production5xx', {
      alarmDescription: 'Web servers answer with 5xx errors during a deployment',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/ApplicationELB',
        metricName: 'HTTPCode_Target_5XX_Count',
        dimensionsMap: { LoadBalancer: props.productionLoadBalancerName },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 5,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const production = new ServerDeployment(this, 'Production', {
      ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['shop-web'], env: ['production'] }),
      loadBalancers: [codedeploy.LoadBalancer.application(targetGroup)],
      strategy: DeploymentStrategy.oneAtATime(),
      alarms: [errors],
      installAgent: false,
      appSpec,
    });

    // Set when a run is started by hand: a hotfix run with SKIP_STAGING=true goes straight to the approval.
    const skipStaging = new PipelineVariable({ name: 'SKIP_STAGING', defaultValue: 'false', description: 'true skips staging (hotfixes)' });
    this.delivery = new DeliveryPipeline(this, 'Pipeline', { pipelineName: 'shop-web', source, buildStep: build, variables: [skipStaging] });
    // Each environment rolls back when it fails (V2 stage rollback).
    this.delivery.addEnvironment('Staging', {
      deploy: [staging.deployStep({ input: build.output! })],
      entryGates: [StageRule.variableCheck(skipStaging.reference, VariableOperator.EQUALS, 'false')],
      entryResult: EntryResult.SKIP,
    });
    this.delivery.addEnvironment('Production', {
      production: true,
      approval: new ManualApprovalStep('Approve', { notifyEmails: [props.approverEmail], comment: `Release ${source.variables.commitId} to production?` }),
      deploy: [production.deployStep({ input: build.output! })],
      // Releases only on weekday working hours, and roll back if errors rise in the 10 minutes after.
      entryGates: [StageRule.deploymentWindow('* * 8-16 ? * MON-FRI *', { timeZone: 'Europe/Paris' })],
      bakeRules: [StageRule.alarm(errors, { waitTime: Duration.minutes(10) })],
    });
    // Failed executions, approvals waiting and releases, by email.
    this.delivery.addNotifications({ emails: [props.approverEmail] });
  }
}
