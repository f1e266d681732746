import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as sns from 'aws-cdk-lib/aws-sns';

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
