import { Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { artifactObjectsArn } from '../../core/artifact-folders';
import { IStep, StepActions, StepContext, StepEstimate } from '../../core/step';
import { grantPipelineLogs, requirePipelineName } from '../../private/commands';
import { GrantingAction } from '../../private/granting-action';
import { MODEL } from '../../private/estimate-model';
import { acceptNagFindings, artifactObjectsFinding } from '../../private/nag';
import { ACTION_NAME, checkName } from '../../private/names';
import { checkArgs, constructorOf } from '../../private/shapes';
import { Problems, fail, isConcrete } from '../../private/validation';
import { DeploymentStrategy, StrategyKind } from '../strategy';

/** How the EC2 deploy action reaches the instances. */
export enum Ec2DeployInstanceType {
  /** EC2 instances (with the SSM agent). */
  EC2 = 'EC2',
  /** Nodes managed by AWS Systems Manager. */
  SSM_MANAGED_NODE = 'SSM_MANAGED_NODE',
}

/** A number of instances: a count, or a percentage of the fleet. */
export class Ec2DeployLimit {
  /** At most this many instances (1 or more). */
  public static count(instances: number): Ec2DeployLimit {
    checkArgs('Ec2DeployLimit.count', [instances]);
    if (!Token.isUnresolved(instances) && !(Number.isInteger(instances) && instances >= 1)) fail('Ec2DeployLimit.count', 'instances', instances, 'must be a whole number, 1 or more', 'give a number of instances, e.g. 2');
    return new Ec2DeployLimit(Tokenization.stringifyNumber(instances));
  }

  /** At most this percentage of the instances (1 to 100). */
  public static percentage(percent: number): Ec2DeployLimit {
    checkArgs('Ec2DeployLimit.percentage', [percent]);
    if (!Token.isUnresolved(percent) && !(Number.isInteger(percent) && percent >= 1 && percent <= 100)) fail('Ec2DeployLimit.percentage', 'percent', percent, 'must be a whole number from 1 to 100', 'give a percentage, e.g. 25');
    return new Ec2DeployLimit(`${percent}%`);
  }

  /** The value the action's configuration holds: `2` or `25%`. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }
}

/** Props of an `Ec2DeployStep`. */
export interface Ec2DeployStepProps {
  /** The revision: the files copied to `targetDirectory` and the scripts run there. */
  readonly input: codepipeline.Artifact;

  /** The tag key of the instances to deploy to. */
  readonly instanceTagKey: string;

  /**
   * The tag value of the instances to deploy to.
   *
   * @default - every instance with the tag key
   */
  readonly instanceTagValue?: string;

  /**
   * How the action reaches the instances.
   *
   * @default Ec2DeployInstanceType.EC2
   */
  readonly instanceType?: Ec2DeployInstanceType;

  /** The directory on the instances the revision goes to and the scripts run in (absolute). */
  readonly targetDirectory: string;

  /**
   * A script of the revision run before the files are deployed (its path in the revision).
   *
   * @default - none
   */
  readonly preScript?: string;

  /** A script of the revision run after the files are deployed, e.g. one that restarts the service. */
  readonly postScript: string;

  /** The roles of the instances, which download the revision: each may read exactly its folder. */
  readonly instanceRoles: iam.IRole[];

  /**
   * How many instances are deployed to at once.
   *
   * @default - from `strategy`, or CodePipeline's choice
   */
  readonly maxBatch?: Ec2DeployLimit;

  /**
   * The batches in the vocabulary of the other deploy targets: `allAtOnce()` (100%),
   * `oneAtATime()` (1), `halfAtATime()` (50%) or `minimumHealthyHostsPercentage(p)` (100 - p%).
   * The action counts batches, so `minimumHealthyHostsCount(n)` and traffic shifting have no
   * counterpart. Give this or `maxBatch`.
   *
   * @default - `maxBatch`, or CodePipeline's choice
   */
  readonly strategy?: DeploymentStrategy;

  /**
   * How many instances may fail before the deployment fails.
   *
   * @default - CodePipeline's choice
   */
  readonly maxErrors?: Ec2DeployLimit;

  /**
   * Target groups each instance leaves while it is deployed to, and rejoins after.
   *
   * @default - none
   */
  readonly targetGroups?: elbv2.ITargetGroup[];

  /**
   * Minutes the deployment is expected to take, for the pipeline's estimate.
   *
   * @default 5
   */
  readonly expectedMinutes?: number;
}

/**
 * Deploys a revision to EC2 instances found by tag with CodePipeline's EC2 deploy action (V2
 * pipelines): through Systems Manager, without CodeDeploy's agent, application or deployment
 * group, a lighter alternative to `ServerDeployment` for Linux fleets (at most 500 instances).
 * Batches and error thresholds are counts or percentages; instances may leave target groups
 * while they are deployed to. Runs in the pipeline's account and region. Its role may send
 * commands only to instances with the tag and only the AWS shell-script documents, move instances
 * only in the given target groups, write only the pipeline's log group and read only its input's
 * folder; the instance roles may read only that folder.
 */
export class Ec2DeployStep implements IStep {
  public readonly stepName: string;
  /** A short description for diagrams. */
  public readonly label?: string;
  /** What one run of the step is expected to take. */
  public readonly estimate?: StepEstimate;
  private readonly props: Ec2DeployStepProps;
  private readonly maxBatch?: string;

  /** @param name the step's name, used as its action name */
  constructor(name: string, props: Ec2DeployStepProps) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`Ec2DeployStep '${name}'`);
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    if (!props.instanceTagKey || Token.isUnresolved(props.instanceTagKey)) problems.add('instanceTagKey', props.instanceTagKey, 'must be a literal tag key', "give the tag key of the instances, e.g. 'app'");
    if (props.instanceTagValue === '') problems.add('instanceTagValue', '', 'is empty', 'give the tag value, or leave it out to match every instance with the key');
    if (isConcrete(props.targetDirectory) && !props.targetDirectory.startsWith('/')) problems.add('targetDirectory', props.targetDirectory, 'is not an absolute path', "give a directory such as '/opt/shop'");
    for (const key of ['preScript', 'postScript'] as const) {
      const script = props[key];
      if (script !== undefined && isConcrete(script) && script.trim() === '') problems.add(key, script, 'is empty', 'give the path of the script in the revision, e.g. scripts/start.sh');
    }
    if (!props.postScript && props.postScript !== '') problems.add('postScript', undefined, 'is required', 'give the script the instances run after the files are deployed, e.g. scripts/start.sh');
    if (props.strategy && props.maxBatch) problems.add('strategy', props.strategy.describe(), 'is given together with maxBatch', 'give one of them: the strategy sets the batch size');
    if (props.strategy?.kind === StrategyKind.MINIMUM_HEALTHY_HOSTS_COUNT) {
      problems.add('strategy', props.strategy.describe(), 'the EC2 deploy action sizes batches, not the number of instances kept healthy, and the fleet size is not known at synth', 'use DeploymentStrategy.minimumHealthyHostsPercentage(p), or maxBatch: Ec2DeployLimit.count(n)');
    }
    if (!props.instanceRoles || props.instanceRoles.length === 0) problems.add('instanceRoles', props.instanceRoles, 'is empty, so no instance could download the revision', 'give the roles of the instances (their instance profiles\' roles)');
    problems.throwIfAny();
    this.maxBatch = props.maxBatch?.value ?? props.strategy?._ec2ActionMaxBatch(`Ec2DeployStep '${name}'`);
    this.stepName = name;
    this.props = props;
    this.label = `EC2 deploy to instances tagged ${props.instanceTagKey}${props.instanceTagValue !== undefined ? `=${props.instanceTagValue}` : ''}`;
    this.estimate = { minutes: props.expectedMinutes ?? MODEL.serverInstall };
  }

  public bind(_scope: Construct, context: StepContext): StepActions {
    const subject = `Ec2DeployStep '${this.stepName}'`;
    if (context.pipelineType !== codepipeline.PipelineType.V2) {
      fail(subject, 'pipelineType', context.pipelineType, 'the EC2 deploy action runs only in V2 pipelines', 'remove pipelineType from the pipeline (V2 is the default), or use a ServerDeployment');
    }
    if (context.environment?.crossAccount || context.environment?.crossRegion) {
      fail(subject, 'environment', context.environment.name, `is in ${context.environment.account}/${context.environment.region}; this step deploys in the pipeline's account and region only`, 'use a ServerDeployment (CodeDeploy) with a DeliveryTarget for instances of another account or region');
    }
    const pipelineName = requirePipelineName(context.pipeline, subject, 'EC2 deployments');
    // Instances download the revision with their own roles: exactly its folder, and the key.
    for (const role of this.props.instanceRoles) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [artifactObjectsArn(context.artifactBucket, context.pipelineFolder, this.props.input)] }));
      if (context.artifactKey) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [context.artifactKey.keyArn] }));
      // The policy the grant went to: a role's default policy, or the policy CDK attaches to an imported role.
      for (const policy of role.node.children.filter((c) => c instanceof iam.Policy)) {
        acceptNagFindings(policy, [{
          id: 'AwsSolutions-IAM5',
          reason: 'The instances download the revision: its objects have keys CodePipeline generates per execution, so only the revision\'s folder names them.',
          appliesTo: [artifactObjectsFinding(context.artifactBucket, true)],
        }]);
      }
    }
    return {
      actions: [new GrantingAction({
        actionName: this.stepName,
        category: codepipeline.ActionCategory.DEPLOY,
        provider: 'EC2',
        artifactBounds: { minInputs: 1, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
        inputs: [this.props.input],
        runOrder: context.runOrder,
      }, (role) => grantAndConfigure(role, this.props, pipelineName, context, this.maxBatch))],
    };
  }
}

/**
 * Grants the EC2 deploy action's role exactly what the action does (Deploy/AWS/EC2/1; the L2's
 * Ec2DeployAction grants the whole artifact bucket) and returns its configuration.
 */
function grantAndConfigure(role: iam.IRole, p: Ec2DeployStepProps, pipelineName: string, context: StepContext, maxBatch: string | undefined): { [key: string]: unknown } {
  const stack = Stack.of(role);
  grantPipelineLogs(role, pipelineName, 'The streams of the pipeline\'s own log group, where the EC2 deploy action logs: CodePipeline names them per run.');
  // Reads and describes with no resource-level permissions (Service Authorization Reference).
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ec2:DescribeInstances', 'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth',
      'ssm:CancelCommand', 'ssm:DescribeInstanceInformation', 'ssm:ListCommandInvocations'],
    resources: ['*'],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ssm:SendCommand'],
    resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
    conditions: p.instanceTagValue !== undefined
      ? { StringEquals: { [`aws:ResourceTag/${p.instanceTagKey}`]: p.instanceTagValue } }
      : { Null: { [`aws:ResourceTag/${p.instanceTagKey}`]: 'false' } },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ssm:SendCommand'],
    resources: ['AWS-RunShellScript', 'AWS-RunPowerShellScript'].map((d) => stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: d })),
  }));
  if (p.targetGroups && p.targetGroups.length > 0) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets'], resources: p.targetGroups.map((t) => t.targetGroupArn) }));
  }
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [artifactObjectsArn(context.artifactBucket, context.pipelineFolder, p.input)] }));
  if (context.artifactKey) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [context.artifactKey.keyArn] }));
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    acceptNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Describe and SSM command-status actions have no resource-level permissions; commands go to instances with the deployment\'s tag only (condition); the revision\'s objects have keys CodePipeline generates per execution, so its folder names them.',
      appliesTo: ['Resource::*', { regex: '/^Resource::arn:(?:<[^>]+>|[^:]+):ec2:(?:<[^>]+>|[^:]+):(?:<[^>]+>|[0-9]+):instance\\/\\*$/' }, artifactObjectsFinding(context.artifactBucket, true)],
    }]);
  }
  return {
    InstanceTagKey: p.instanceTagKey,
    InstanceTagValue: p.instanceTagValue,
    InstanceType: p.instanceType ?? Ec2DeployInstanceType.EC2,
    TargetDirectory: p.targetDirectory,
    PreScript: p.preScript,
    PostScript: p.postScript,
    MaxBatch: maxBatch,
    MaxError: p.maxErrors?.value,
    TargetGroupNameList: p.targetGroups && p.targetGroups.length > 0 ? p.targetGroups.map((t) => t.targetGroupName).join(',') : undefined,
  };
}
