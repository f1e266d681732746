import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { DEPLOYMENT_ALARMS } from '../../private/limits';
import { DEPLOYMENT_GROUP_NAME } from '../../private/names';
import { Problems, isConcrete } from '../../private/validation';
import { DeploymentEvent, DeploymentOptions } from '../options';

/** What the CodeDeploy deployment groups of the deploy targets share: checks of their options, rollback, notifications, trust. */

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
