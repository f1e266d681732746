import { ArnFormat, Duration, Names, PhysicalName, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { IStep } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { acceptLibraryFindings, acceptNagFindings, inPacks } from '../../private/nag';
import { namedWhenReferencedElsewhere } from '../../private/generated-names';
import { SERVER_READY_WAIT_MINUTES, TERMINATION_WAIT_MINUTES } from '../../private/limits';
import { Problems, checkMinutes } from '../../private/validation';
import { DeploymentOptions } from '../options';
import { DEFAULT_NOTIFY_ON, checkDeploymentOptions, resolveAutoRollback } from '../private/deployment-group';
import { ServerDeployStep } from './server-deploy-step';
import { DeploymentStrategy } from '../strategy';
import { ServerDeployStepOptions } from './server-deployment';
import { checkArgs, constructorOf } from '../../private/shapes';

/** Props of a `ServerBlueGreenDeployment`. */
export interface ServerBlueGreenDeploymentProps extends DeploymentOptions {
  /** The Auto Scaling group CodeDeploy copies into a replacement (green) fleet at every deployment. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;

  /**
   * The role of the fleet's instance profile, which CodeDeploy passes to the instances of each
   * copy (`iam:PassRole` on exactly this role, to EC2 only).
   *
   * @default - the role of an Auto Scaling group created in this app; an imported group needs it
   */
  readonly instanceRole?: iam.IRole;

  /** The Application Load Balancer target group traffic is rerouted through. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;

  /**
   * How the release is installed on the replacement instances.
   *
   * @default DeploymentStrategy.oneAtATime()
   */
  readonly strategy?: DeploymentStrategy;

  /**
   * How long the original (blue) instances keep running after traffic has moved: at most 2,880 minutes.
   *
   * @default Duration.hours(1)
   */
  readonly terminationWait?: Duration;

  /**
   * Wait for a person to reroute traffic (in the console or API), at most 2,880 minutes; the
   * deployment stops if nobody does.
   *
   * @default - traffic is rerouted as soon as the replacement instances are ready
   */
  readonly manualRerouteWait?: Duration;

  /**
   * The CodeDeploy application.
   *
   * @default - an application is created
   */
  readonly application?: codedeploy.IServerApplication;
}

/**
 * EC2 blue/green deployments: at every deployment CodeDeploy copies the Auto Scaling group into a
 * replacement fleet, installs the release there, moves the load balancer's traffic to it and
 * terminates the original instances after a wait.
 *
 * CloudFormation cannot create such a deployment group (`AutoScalingGroups` with
 * `COPY_AUTO_SCALING_GROUP` is rejected: cloudformation-coverage-roadmap#2071, aws/aws-cdk#30555),
 * so this construct creates, updates and deletes it through the CodeDeploy API with a custom
 * resource whose physical id is the group name. Updates leave the group's Auto Scaling groups
 * alone: after the first deployment the group points at CodeDeploy's copy, and the Auto Scaling
 * group in the stack is the terminated blue fleet (keep its capacity settings out of later
 * stack updates).
 */
export class ServerBlueGreenDeployment extends Construct {
  /** The CodeDeploy application. */
  public readonly application: codedeploy.IServerApplication;
  /** The deployment group, as CodeDeploy knows it. */
  public readonly deploymentGroup: codedeploy.IServerDeploymentGroup;
  /** Name of the deployment group. */
  public readonly deploymentGroupName: string;
  /** The deployment configuration the strategy maps to. */
  public readonly deploymentConfig: codedeploy.IServerDeploymentConfig;
  /** The strategy. */
  public readonly strategy: DeploymentStrategy;
  /** The CodeDeploy service role. */
  public readonly role: iam.Role;
  /** The custom resource that manages the deployment group. */
  public readonly resource: cr.AwsCustomResource;
  /** Minutes the original instances keep running after traffic has moved. */
  public readonly terminationWaitMinutes: number;

  constructor(scope: Construct, id: string, props: ServerBlueGreenDeploymentProps) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id);
    // Compliance-pack findings without a fix worth its cost, on what this construct creates.
    acceptLibraryFindings(this);
    const subject = `ServerBlueGreenDeployment '${this.node.path}'`;
    const problems = new Problems(subject);
    checkDeploymentOptions(problems, props);
    checkMinutes(problems, 'terminationWait', props.terminationWait, TERMINATION_WAIT_MINUTES);
    checkMinutes(problems, 'manualRerouteWait', props.manualRerouteWait, SERVER_READY_WAIT_MINUTES);
    if (!props.autoScalingGroup) problems.add('autoScalingGroup', undefined, 'is required', 'pass the Auto Scaling group CodeDeploy copies at each deployment');
    if (!props.targetGroup) problems.add('targetGroup', undefined, 'is required', 'pass the target group the load balancer serves the fleet through');
    const instanceRole = props.instanceRole ?? (props.autoScalingGroup instanceof autoscaling.AutoScalingGroup ? props.autoScalingGroup.role : undefined);
    if (props.autoScalingGroup && !instanceRole) {
      problems.add('instanceRole', undefined, 'is required for an imported Auto Scaling group: CodeDeploy passes the fleet\'s instance role to each copy, and its service role may pass exactly that role', 'pass the role of the fleet\'s instance profile, e.g. iam.Role.fromRoleName(this, \'FleetRole\', \'shop-web-instances\')');
    }
    problems.throwIfAny();

    const stack = Stack.of(this);
    this.terminationWaitMinutes = (props.terminationWait ?? Duration.hours(1)).toMinutes();
    this.strategy = props.strategy ?? DeploymentStrategy.oneAtATime();
    this.deploymentConfig = this.strategy._serverConfig(this, 'DeploymentConfig', subject);
    this.application = props.application ?? new codedeploy.ServerApplication(this, 'Application', { applicationName: PhysicalName.GENERATE_IF_NEEDED });
    this.deploymentGroupName = props.deploymentGroupName ?? Names.uniqueResourceName(this, { maxLength: 100 });
    if (!props.application) namedWhenReferencedElsewhere(this, 'its CodeDeploy application');

    // The service role: AWSCodeDeployRole, plus what copying a launch-template Auto Scaling group needs
    // (https://docs.aws.amazon.com/codedeploy/latest/userguide/getting-started-create-service-role.html).
    this.role = new iam.Role(this, 'ServiceRole', {
      // Only CodeDeploy acting for this account (confused-deputy protection, CodeDeploy user guide).
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': stack.account } }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSCodeDeployRole')],
    });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:RunInstances', 'ec2:CreateTags'], resources: ['*'] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [instanceRole!.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }));
    props.notificationTopic?.grantPublish(this.role);
    acceptNagFindings(this.role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'AWSCodeDeployRole is the service-role policy CodeDeploy documents for EC2 deployment groups (Auto Scaling copies, load balancer registration).',
      appliesTo: [{ regex: '/^Policy::arn:<AWS::Partition>:iam::aws:policy\\/service-role\\/AWSCodeDeployRole$/' }],
    }]);
    acceptNagFindings(this.role.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'The replacement fleet is launched by CodeDeploy with ec2:RunInstances and ec2:CreateTags, whose instances and tags do not exist yet, so no ARN can name them.',
      appliesTo: ['Resource::*'],
    }]);

    const rollback = resolveAutoRollback(props.autoRollback, props.alarms);
    const events = [
      ...(rollback.failedDeployment ? ['DEPLOYMENT_FAILURE'] : []),
      ...(rollback.stoppedDeployment ? ['DEPLOYMENT_STOP_ON_REQUEST'] : []),
      ...(rollback.deploymentInAlarm ? ['DEPLOYMENT_STOP_ON_ALARM'] : []),
    ];
    const common = {
      applicationName: this.application.applicationName,
      serviceRoleArn: this.role.roleArn,
      deploymentConfigName: this.deploymentConfig.deploymentConfigName,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: {
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: (props.terminationWait ?? Duration.hours(1)).toMinutes() },
        deploymentReadyOption: props.manualRerouteWait
          ? { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: props.manualRerouteWait.toMinutes() }
          : { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        greenFleetProvisioningOption: { action: 'COPY_AUTO_SCALING_GROUP' },
      },
      loadBalancerInfo: { targetGroupInfoList: [{ name: props.targetGroup.targetGroupName }] },
      alarmConfiguration: { enabled: (props.alarms ?? []).length > 0, alarms: (props.alarms ?? []).map((a) => ({ name: a.alarmName })) },
      autoRollbackConfiguration: { enabled: events.length > 0, events },
      triggerConfigurations: props.notificationTopic ? [{
        triggerName: 'cdk-delivery-notifications',
        triggerTargetArn: props.notificationTopic.topicArn,
        triggerEvents: props.notifyOn ?? DEFAULT_NOTIFY_ON,
      }] : [],
    };
    // arn:PARTITION:codedeploy:REGION:ACCOUNT:deploymentgroup:APP/GROUP (a colon after the type).
    const groupArn = stack.formatArn({ service: 'codedeploy', resource: 'deploymentgroup', resourceName: `${this.application.applicationName}/${this.deploymentGroupName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // The physical id is the group's name once CodeDeploy created it. Create fails when a group of
    // that name exists (DeploymentGroupAlreadyExistsException): it is never adopted. Update and
    // delete name the group by the physical id, so they act only on the group this resource
    // created. After a failed create CloudFormation still sends a delete, with the provider's log
    // stream as physical id: this role may not touch such a name (AccessDenied) and CodeDeploy
    // rejects it (InvalidDeploymentGroupName), and both mean nothing of ours exists.
    this.resource = new cr.AwsCustomResource(this, 'DeploymentGroup', {
      resourceType: 'Custom::CodeDeployBlueGreenDeploymentGroup',
      installLatestAwsSdk: false,
      onCreate: {
        service: 'CodeDeploy',
        action: 'createDeploymentGroup',
        parameters: { ...common, deploymentGroupName: this.deploymentGroupName, autoScalingGroups: [props.autoScalingGroup.autoScalingGroupName] },
        physicalResourceId: cr.PhysicalResourceId.of(this.deploymentGroupName),
      },
      onUpdate: {
        service: 'CodeDeploy',
        action: 'updateDeploymentGroup',
        // No autoScalingGroups: after a deployment the group points at CodeDeploy's copy, which must stay.
        parameters: { ...common, currentDeploymentGroupName: new cr.PhysicalResourceIdReference(), newDeploymentGroupName: this.deploymentGroupName },
        physicalResourceId: cr.PhysicalResourceId.of(this.deploymentGroupName),
      },
      onDelete: {
        service: 'CodeDeploy',
        action: 'deleteDeploymentGroup',
        parameters: { applicationName: this.application.applicationName, deploymentGroupName: new cr.PhysicalResourceIdReference() },
        ignoreErrorCodesMatching: '^(AccessDeniedException|InvalidDeploymentGroupNameException)$',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['codedeploy:CreateDeploymentGroup', 'codedeploy:UpdateDeploymentGroup', 'codedeploy:DeleteDeploymentGroup'],
          resources: [groupArn],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'codedeploy.amazonaws.com' } },
        }),
      ]),
    });
    this.resource.node.addDependency(this.role);
    this.deploymentGroup = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(this, 'Group', {
      application: this.application,
      deploymentGroupName: this.deploymentGroupName,
      deploymentConfig: this.deploymentConfig,
    });
    acceptProviderFindings(stack);
  }

  /** The pipeline step that deploys a revision (an appspec.yml and its files) to this group. */
  public deployStep(options: ServerDeployStepOptions): IStep {
    checkArgs('ServerBlueGreenDeployment#deployStep', [options]);
    return new ServerDeployStep('ServerBlueGreenDeployment', this, options, `EC2 blue/green: ${this.strategy.describe()}`,
      { minutes: MODEL.asgCopy + MODEL.serverInstall + this.terminationWaitMinutes });
  }
}

/** The singleton function of AwsCustomResource, shared in the stack: its findings, with reasons. */
function acceptProviderFindings(stack: Stack): void {
  const provider = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  const role = provider?.node.tryFindChild('ServiceRole');
  if (!role || role.node.metadata.some((m) => m.type === 'cdk-delivery:accepted')) return;
  role.node.addMetadata('cdk-delivery:accepted', true);
  acceptNagFindings(role, [{
    id: 'AwsSolutions-IAM4',
    reason: 'The custom-resource function of aws-cdk-lib writes its logs with AWSLambdaBasicExecutionRole.',
    appliesTo: [{ regex: '/^Policy::arn:<AWS::Partition>:iam::aws:policy\\/service-role\\/AWSLambdaBasicExecutionRole$/' }],
  }]);
  acceptNagFindings(provider!, [{
    id: 'AwsSolutions-L1',
    reason: 'The runtime of the custom-resource function is chosen by aws-cdk-lib and moves with it.',
  },
  ...inPacks('LambdaInsideVPC', 'aws-cdk-lib\'s custom-resource function calls only the CodeDeploy API during stack deployments; it reads no data, so a VPC would add NAT or endpoint cost and no protection.'),
  ...inPacks('LambdaDLQ', 'CloudFormation invokes the custom-resource function synchronously and waits for its answer: a failed invocation fails the stack operation, so there is nothing for a dead-letter queue to hold.'),
  ...inPacks('LambdaConcurrency', 'The custom-resource function runs only when CloudFormation creates, updates or deletes the deployment group.'),
  ]);
  const logGroup = provider!.node.tryFindChild('LogGroup');
  if (logGroup) {
    acceptNagFindings(logGroup, inPacks('CloudWatchLogGroupEncrypted', 'The log group of aws-cdk-lib\'s custom-resource function holds the CodeDeploy API calls it made (no secrets); CloudWatch Logs encrypts it with its own key.'));
  }
}
