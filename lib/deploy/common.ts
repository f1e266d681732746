import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Stack, Token } from 'aws-cdk-lib';
import { noteGeneratedNames } from '../private/generated-names';
import { DEPLOYMENT_GROUP_NAME } from '../private/names';
import { IConstruct } from 'constructs';
import { StepContext, StepEnvironment } from '../core/step';
import { DeliveryValidationError, Problems, differentLiterals, isConcrete } from '../private/validation';
import { DEPLOYMENT_ALARMS } from '../private/limits';

/** Deployment events CodeDeploy can notify (trigger events). */
export enum DeploymentEvent {
  /** A deployment started. */
  DEPLOYMENT_START = 'DeploymentStart',
  /** A deployment succeeded. */
  DEPLOYMENT_SUCCESS = 'DeploymentSuccess',
  /** A deployment failed. */
  DEPLOYMENT_FAILURE = 'DeploymentFailure',
  /** A deployment was stopped. */
  DEPLOYMENT_STOP = 'DeploymentStop',
  /** A deployment was rolled back. */
  DEPLOYMENT_ROLLBACK = 'DeploymentRollback',
  /** A blue/green deployment is ready to reroute traffic. */
  DEPLOYMENT_READY = 'DeploymentReady',
  /** An instance deployment started. */
  INSTANCE_START = 'InstanceStart',
  /** An instance deployment succeeded. */
  INSTANCE_SUCCESS = 'InstanceSuccess',
  /** An instance deployment failed. */
  INSTANCE_FAILURE = 'InstanceFailure',
  /** A replacement instance is ready. */
  INSTANCE_READY = 'InstanceReady',
}

/** Options every deployment target takes. */
export interface DeploymentOptions {
  /**
   * CloudWatch alarms that stop the deployment and roll it back (at most 10).
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * When to roll back automatically.
   *
   * @default - on a failed deployment, on an alarm (when alarms are given), not on a stopped one
   */
  readonly autoRollback?: codedeploy.AutoRollbackConfig;

  /**
   * Topic notified of deployment events (a CodeDeploy trigger).
   *
   * @default - no notifications
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The events sent to `notificationTopic`.
   *
   * @default - DeploymentFailure, DeploymentStop and DeploymentRollback
   */
  readonly notifyOn?: DeploymentEvent[];

  /**
   * Name of the deployment group: at most 100 characters from letters, digits and `._+=,@-`.
   *
   * @default - a name CloudFormation generates
   */
  readonly deploymentGroupName?: string;
}

/** Checks the options every deployment target takes. */
export function checkDeploymentOptions(problems: Problems, props: DeploymentOptions): void {
  checkDeploymentGroupName(problems, props.deploymentGroupName);
  checkAlarms(problems, props.alarms, props.autoRollback);
  checkNotifications(problems, props.notificationTopic, props.notifyOn);
}

export const DEFAULT_NOTIFY_ON = [DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.DEPLOYMENT_STOP, DeploymentEvent.DEPLOYMENT_ROLLBACK];

/** Checks a deployment group name. */
export function checkDeploymentGroupName(problems: Problems, name: string | undefined): void {
  if (isConcrete(name) && !DEPLOYMENT_GROUP_NAME.test(name)) {
    problems.add('deploymentGroupName', name, 'is not a valid CodeDeploy deployment group name', 'use 1 to 100 characters from letters, digits and . _ + = , @ -');
  }
}

/** Checks the alarms and the rollback settings that depend on them. */
export function checkAlarms(problems: Problems, alarms: cloudwatch.IAlarm[] | undefined, autoRollback: codedeploy.AutoRollbackConfig | undefined): void {
  if ((alarms ?? []).length > DEPLOYMENT_ALARMS.max) {
    problems.add('alarms', `${alarms!.length} alarms`, `CodeDeploy allows at most ${DEPLOYMENT_ALARMS.max} alarms per deployment group`, 'combine alarms into a composite alarm');
  }
  if (autoRollback?.deploymentInAlarm && (alarms ?? []).length === 0) {
    problems.add('autoRollback.deploymentInAlarm', true, 'rolls back on alarms, but no alarms are given', 'add alarms, or set deploymentInAlarm to false');
  }
}

/** Checks the notification settings. */
export function checkNotifications(problems: Problems, topic: sns.ITopic | undefined, events: DeploymentEvent[] | undefined): void {
  if (events && !topic) problems.add('notifyOn', events, 'is given without notificationTopic', 'add notificationTopic, or remove notifyOn');
  if (events && events.length === 0) problems.add('notifyOn', events, 'is an empty list', 'list the events to notify, or leave notifyOn out for the default ones');
}

/** Rollback on failure always, and on alarm when there are alarms, unless the user says otherwise. */
export function resolveAutoRollback(given: codedeploy.AutoRollbackConfig | undefined, alarms: cloudwatch.IAlarm[] | undefined): codedeploy.AutoRollbackConfig {
  return {
    failedDeployment: given?.failedDeployment ?? true,
    stoppedDeployment: given?.stoppedDeployment ?? false,
    deploymentInAlarm: given?.deploymentInAlarm ?? (alarms ?? []).length > 0,
  };
}

/**
 * Sends deployment events to an SNS topic. The L2 deployment groups have no prop for CodeDeploy
 * triggers (aws/aws-cdk#9287), so the trigger is set on the L1 resource; the service role may
 * publish to exactly that topic.
 */
export function configureNotifications(group: IConstruct & { readonly role?: iam.IRole }, topic: sns.ITopic | undefined, events: DeploymentEvent[] | undefined): void {
  if (!topic) return;
  const cfn = group.node.defaultChild as codedeploy.CfnDeploymentGroup;
  cfn.triggerConfigurations = [{
    triggerName: 'cdk-delivery-notifications',
    triggerTargetArn: topic.topicArn,
    triggerEvents: events ?? DEFAULT_NOTIFY_ON,
  }];
  if (group.role) {
    topic.grantPublish(group.role);
    // CodeDeploy checks it may publish when the group is created or updated.
    const policy = group.role.node.tryFindChild('DefaultPolicy');
    if (policy) cfn.node.addDependency(policy);
  }
}

/**
 * Checks that a deploy target lives in the account and region of the environment its step is
 * placed in (the pipeline's, outside environments), and returns that environment.
 *
 * @param subject the deploy step, e.g. `ServerDeployment 'App/Web' deployStep`
 * @param target a construct in the target's stack
 */
export function targetEnvironment(subject: string, target: IConstruct, context: StepContext): StepEnvironment | undefined {
  const there = Stack.of(target);
  const pipelineStack = Stack.of(context.pipeline);
  const env = context.environment;
  const account = env?.account ?? pipelineStack.account;
  const region = env?.region ?? pipelineStack.region;
  const differs = differentLiterals;
  if ((env?.crossAccount || env?.crossRegion) && (Token.isUnresolved(there.account) || Token.isUnresolved(there.region))) {
    throw new DeliveryValidationError(`${subject} has 1 problem:\n  - deployment: the target's stack has no literal account and region, but environment '${env.name}' deploys to ${account}/${region}. Fix: create the target's stack with env: { account: '${account}', region: '${region}' }`);
  }
  if (differs(there.account, account) || differs(there.region, region)) {
    const where = env ? `environment '${env.name}' (${account}/${region})` : `the pipeline's account and region (${account}/${region}), as it is not in an environment`;
    const fix = env
      ? `place the step in the environment of ${there.account}/${there.region}, or give environment '${env.name}' env: { account: '${there.account}', region: '${there.region}' }`
      : `place the step with addEnvironment(name, { env: { account: '${there.account}', region: '${there.region}' }, deploy: [step] })`;
    throw new DeliveryValidationError(`${subject} has 1 problem:\n  - deployment: the target is in ${there.account}/${there.region}, but the step is placed in ${where}. Fix: ${fix}`);
  }
  return env;
}

/**
 * Says which of a deploy target's resources get generated names because a pipeline in another
 * account or region refers to them (its CodeDeploy application and group).
 */
export function noteTargetNames(target: IConstruct, subject: string, environment: StepEnvironment | undefined): void {
  if (!environment?.crossAccount && !environment?.crossRegion) return;
  noteGeneratedNames(target, subject, `the pipeline of environment '${environment.name}' (${environment.account}/${environment.region} is another ${environment.crossAccount ? 'account' : 'region'} than the pipeline's)`,
    'a new deployment group\'s deployment history starts empty');
}

/**
 * Confused-deputy protection on a CodeDeploy service role the library (or its L2) creates: only
 * CodeDeploy acting for this account may assume it (`aws:SourceAccount`; CodeDeploy user guide,
 * "Cross-service confused deputy prevention"). The L2 writes the trust statement, so the condition
 * is added to the rendered statement; a role passed in by the user is left as it is.
 */
export function narrowCodeDeployTrust(role: iam.IRole | undefined, createdHere: boolean): void {
  if (!createdHere || !(role instanceof iam.Role)) return;
  const cfn = role.node.defaultChild as iam.CfnRole;
  cfn.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', { StringEquals: { 'aws:SourceAccount': Stack.of(role).account } });
}
