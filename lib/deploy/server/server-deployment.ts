import { PhysicalName } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IStep } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { acceptLibraryFindings, acceptNagFindings } from '../../private/nag';
import { namedWhenReferencedElsewhere } from '../../private/generated-names';
import { Problems } from '../../private/validation';
import { DeploymentOptions } from '../options';
import { checkDeploymentOptions, configureNotifications, narrowCodeDeployTrust, resolveAutoRollback } from '../private/deployment-group';
import { DeploymentStrategy } from '../strategy';
import { ServerAppSpec } from './appspec';
import { ServerDeployStep } from './server-deploy-step';
import { checkArgs, constructorOf } from '../../private/shapes';
import { DEPLOYMENT_AUTO_SCALING_GROUPS } from '../../private/limits';

/** Props of a `ServerDeployment`. */
export interface ServerDeploymentProps extends DeploymentOptions {
  /**
   * The CodeDeploy application.
   *
   * @default - an application is created
   */
  readonly application?: codedeploy.IServerApplication;

  /**
   * Auto Scaling groups to deploy to (at most 10).
   *
   * @default - none
   */
  readonly autoScalingGroups?: autoscaling.IAutoScalingGroup[];

  /**
   * EC2 instances to deploy to, by tags (at most 3 tag groups, which `InstanceTagSet` enforces).
   *
   * @default - none
   */
  readonly ec2InstanceTags?: codedeploy.InstanceTagSet;

  /**
   * On-premises instances to deploy to, by tags (at most 3 tag groups).
   *
   * @default - none
   */
  readonly onPremiseInstanceTags?: codedeploy.InstanceTagSet;

  /**
   * Load balancer target groups: each instance is taken out of them while it is updated.
   *
   * @default - no load balancer
   */
  readonly loadBalancers?: codedeploy.LoadBalancer[];

  /**
   * How the release rolls out over the instances.
   *
   * @default DeploymentStrategy.oneAtATime()
   */
  readonly strategy?: DeploymentStrategy;

  /**
   * Install the CodeDeploy agent on the Auto Scaling groups' instances (through their user data).
   *
   * @default true
   */
  readonly installAgent?: boolean;

  /**
   * The appspec the revisions carry, checked against the group (traffic hooks need a load balancer).
   *
   * @default - not checked
   */
  readonly appSpec?: ServerAppSpec;

  /**
   * The CodeDeploy service role.
   *
   * @default - a role with the AWS-managed AWSCodeDeployRole policy
   */
  readonly role?: iam.IRole;

  /**
   * Roles of the instances targeted by tags (the roles of Auto Scaling groups are known): the
   * CodeDeploy agent downloads each revision from the pipeline's artifact store with them, so each
   * deploy step grants them read of the revision.
   *
   * @default - none: the instances must already be allowed to read the artifact store; required
   * for tag-targeted instances in another account or region, which cannot be
   */
  readonly instanceRoles?: iam.IRole[];
}

/** Options of the pipeline action that deploys a revision with a `ServerDeployment`. */
export interface ServerDeployStepOptions {
  /** The revision: a build output holding appspec.yml and the files it names. */
  readonly input: codepipeline.Artifact;

  /**
   * Name of the action.
   *
   * @default 'Deploy'
   */
  readonly stepName?: string;
}

// At most 3 tag groups per tag set: codedeploy.InstanceTagSet already rejects more when it is built.

/**
 * An in-place deployment to EC2 instances (Auto Scaling groups or tags) and on-premises servers
 * with CodeDeploy: the application, the deployment group with its strategy, alarms, automatic
 * rollback and notifications. Add it to a pipeline with `deployStep({ input })`.
 */
export class ServerDeployment extends Construct {
  /** The CodeDeploy application. */
  public readonly application: codedeploy.IServerApplication;
  /** The deployment group. */
  public readonly deploymentGroup: codedeploy.ServerDeploymentGroup;
  /** The deployment configuration the strategy maps to. */
  public readonly deploymentConfig: codedeploy.IServerDeploymentConfig;
  /** The strategy. */
  public readonly strategy: DeploymentStrategy;
  /** Roles of tag-targeted instances, granted read of each revision. */
  public readonly instanceRoles: iam.IRole[];
  /** True when instances are targeted by tags. */
  public readonly targetsByTags: boolean;

  constructor(scope: Construct, id: string, props: ServerDeploymentProps) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id);
    // Compliance-pack findings without a fix worth its cost, on what this construct creates.
    acceptLibraryFindings(this);
    const subject = `ServerDeployment '${this.node.path}'`;
    const problems = new Problems(subject);
    checkDeploymentOptions(problems, props);
    if ((props.autoScalingGroups ?? []).length > DEPLOYMENT_AUTO_SCALING_GROUPS.max) {
      problems.add('autoScalingGroups', `${props.autoScalingGroups!.length} groups`, `CodeDeploy deploys to at most ${DEPLOYMENT_AUTO_SCALING_GROUPS.max} Auto Scaling groups per deployment group`, 'split the fleet over several deployment groups');
    }
    if (!props.autoScalingGroups?.length && !props.ec2InstanceTags && !props.onPremiseInstanceTags) {
      problems.add('autoScalingGroups', undefined, 'no instances are targeted', 'give autoScalingGroups, ec2InstanceTags or onPremiseInstanceTags');
    }
    problems.throwIfAny();
    props.appSpec?._requireLoadBalancer((props.loadBalancers ?? []).length > 0, subject);

    this.strategy = props.strategy ?? DeploymentStrategy.oneAtATime();
    this.instanceRoles = [...(props.instanceRoles ?? [])];
    this.targetsByTags = props.ec2InstanceTags !== undefined || props.onPremiseInstanceTags !== undefined;
    this.deploymentConfig = this.strategy._serverConfig(this, 'DeploymentConfig', subject);
    // Named by CDK only when a pipeline in another account refers to them.
    this.application = props.application ?? new codedeploy.ServerApplication(this, 'Application', { applicationName: PhysicalName.GENERATE_IF_NEEDED });
    if (!props.application) namedWhenReferencedElsewhere(this, 'its CodeDeploy application');
    if (!props.deploymentGroupName) namedWhenReferencedElsewhere(this, 'its deployment group');
    this.deploymentGroup = new codedeploy.ServerDeploymentGroup(this, 'DeploymentGroup', {
      application: this.application,
      deploymentGroupName: props.deploymentGroupName ?? PhysicalName.GENERATE_IF_NEEDED,
      deploymentConfig: this.deploymentConfig,
      autoScalingGroups: props.autoScalingGroups,
      ec2InstanceTags: props.ec2InstanceTags,
      onPremiseInstanceTags: props.onPremiseInstanceTags,
      loadBalancers: props.loadBalancers,
      installAgent: props.installAgent ?? true,
      alarms: props.alarms,
      autoRollback: resolveAutoRollback(props.autoRollback, props.alarms),
      role: props.role,
    });
    narrowCodeDeployTrust(this.deploymentGroup.role, !props.role);
    configureNotifications(this.deploymentGroup, props.notificationTopic, props.notifyOn);
    if (!props.role && this.deploymentGroup.role) {
      acceptNagFindings(this.deploymentGroup.role, [{
        id: 'AwsSolutions-IAM4',
        reason: 'AWSCodeDeployRole is the service-role policy CodeDeploy documents for EC2/on-premises deployment groups (it manages Auto Scaling hooks, load balancer registration and tags); pass role to use your own.',
        appliesTo: [{ regex: '/^Policy::arn:<AWS::Partition>:iam::aws:policy\\/service-role\\/AWSCodeDeployRole$/' }],
      }]);
    }
  }

  /** The pipeline step that deploys a revision to this deployment group. */
  public deployStep(options: ServerDeployStepOptions): IStep {
    checkArgs('ServerDeployment#deployStep', [options]);
    return new ServerDeployStep('ServerDeployment', this, options, `EC2 in place: ${this.strategy.describe()}`, { minutes: MODEL.serverInstall });
  }
}
