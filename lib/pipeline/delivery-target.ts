import { Annotations, Lazy, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acceptLibraryFindings, acceptNagFindings } from '../private/nag';
import { ScopedKmsRole } from '../private/scoped-kms-role';
import { Problems, fail, isConcrete } from '../private/validation';
import { checkArgs, constructorOf } from '../private/shapes';
import { IAssetPublishingTarget } from '../core/step';

/** What a pipeline needs of a target: where it is and the roles it uses there. */
export interface IDeliveryTarget extends IConstruct, IAssetPublishingTarget {
  /** The account of the target. */
  readonly account: string;
  /** The region of the target. */
  readonly region: string;
  /** The account the trusted pipelines run in. */
  readonly pipelineAccount: string;
  /** The role pipeline actions assume in the target's account. */
  readonly deployRole: iam.IRole;
  /**
   * The role CloudFormation deploys stacks with there.
   *
   * @default - none
   */
  readonly cloudFormationExecutionRole?: iam.IRole;
}

/** A target deployed by another app (a platform team's, say), named by its account, region and roles. */
export interface DeliveryTargetAttributes {
  /** The account of the target (12 digits). */
  readonly account: string;
  /** The region of the target. */
  readonly region: string;
  /** The account the pipeline runs in (12 digits). */
  readonly pipelineAccount: string;
  /**
   * Name of its deploy role.
   *
   * @default `cdk-delivery-deploy-<region>`
   */
  readonly deployRoleName?: string;
  /**
   * Name of its CloudFormation execution role.
   *
   * @default - the target has none, unless `hasCloudFormationExecutionRole`
   */
  readonly cloudFormationExecutionRoleName?: string;
  /**
   * The target has a CloudFormation execution role of the default name.
   *
   * @default false
   */
  readonly hasCloudFormationExecutionRole?: boolean;
  /**
   * Name of its asset publishing role, which must trust the pipeline's publishing projects and may
   * write the asset locations of the Stages released there.
   *
   * @default `cdk-delivery-publish-<region>`
   */
  readonly assetPublishingRoleName?: string;
}

/** Props of a `DeliveryTarget`. */
export interface DeliveryTargetProps {
  /** The account the pipelines that deploy here run in (12 digits). */
  readonly pipelineAccount: string;

  /**
   * More roles of the pipeline account allowed to assume the deploy role, by exact ARN (for
   * pipelines defined outside this app); wildcards are rejected, and a value known only at deploy
   * time gets a warning. Pipelines of this app that deploy here are trusted by their role's exact
   * ARN when they add an environment with this target.
   *
   * @default - only the pipelines of this app that use the target
   */
  readonly trustedRoleArns?: string[];

  /**
   * Name of the deploy role: 1 to 64 characters from letters, digits and `+=,.@_-`.
   *
   * @default `cdk-delivery-deploy-<region>`
   */
  readonly deployRoleName?: string;

  /**
   * Managed policies of the role CloudFormation uses to deploy stacks here (for `ChangeSetDeployStep`, `StackDeployStep`
   * and Lambda releases). Give what the stacks create, e.g. a policy allowing exactly their
   * resource types; there is no default, because no permission set fits every stack.
   *
   * @default - no CloudFormation execution role: CloudFormation deployments here are rejected at synth
   */
  readonly cloudFormationExecutionPolicies?: iam.IManagedPolicy[];

  /**
   * What CloudFormation may do to deploy the stacks here, as statements: the target puts them in a
   * managed policy of its own, so the policy needs no stack of yours deployed before the target.
   * With `cloudFormationExecutionPolicies` too, the role has both.
   *
   * @default - none: the execution role has only `cloudFormationExecutionPolicies` (no role without either)
   */
  readonly cloudFormationExecutionStatements?: iam.PolicyStatement[];

  /**
   * Name of the CloudFormation execution role.
   *
   * @default `cdk-delivery-cfn-exec-<region>`
   */
  readonly cloudFormationExecutionRoleName?: string;

  /**
   * Name of the role that publishes the file and Docker assets of CDK Stages released here
   * (`CdkStageDeployStep`): 1 to 64 characters from letters, digits and `+=,.@_-`. The role is
   * created when a pipeline of this app first releases a Stage with assets here; it trusts exactly
   * those pipelines' publishing projects and may write exactly the buckets and repositories the
   * Stages' assets go to.
   *
   * @default `cdk-delivery-publish-<region>`
   */
  readonly assetPublishingRoleName?: string;

  /**
   * Statements of the deploy role for pipelines of other apps (`trustedRoleArns`): their steps
   * cannot grant it, so it must already allow what their actions do (for example
   * `cloudformation:CreateChangeSet` on their stacks, `iam:PassRole` on the execution role, reading
   * their artifact bucket and key).
   *
   * @default - none: the pipelines of this app that use the target grant it what their steps need
   */
  readonly deployPermissions?: iam.PolicyStatement[];
}

/** Props of a `DeliveryTargetStack`. */
export interface DeliveryTargetStackProps extends StackProps, DeliveryTargetProps {}

/** IAM role names (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCOUNT = /^\d{12}$/;

/**
 * What a pipeline in another account needs in each account and region it deploys to: a deploy role
 * that trusts exactly the pipelines' roles, and optionally the role CloudFormation deploys stacks
 * with. Deploy it once per account and region, from the same app as the pipelines, before them
 * (`cdk deploy` orders the stacks). The deploy role starts with no permissions: each step the
 * pipelines place in an environment with this target grants it exactly what its actions do on
 * exactly their resources (a CodeDeploy deployment group, a CloudFormation stack and its
 * execution role, the pipeline's artifact objects).
 */
export class DeliveryTarget extends Construct implements IDeliveryTarget {
  /**
   * A target deployed by another app, for a pipeline of this one. That app's target must trust this
   * pipeline's role (its `trustedRoleArns`) and allow what the actions do (`deployPermissions`):
   * this pipeline can grant only the artifact bucket and key policies in its own account.
   */
  public static fromTargetAttributes(scope: Construct, id: string, attrs: DeliveryTargetAttributes): IDeliveryTarget {
    checkArgs('DeliveryTarget.fromTargetAttributes', [scope, id, attrs]);
    const problems = new Problems(`DeliveryTarget.fromTargetAttributes '${id}'`);
    for (const key of ['account', 'pipelineAccount'] as const) {
      if (!attrs?.[key] || (isConcrete(attrs[key]) && !ACCOUNT.test(attrs[key]))) problems.add(key, attrs?.[key], 'is not a 12-digit AWS account id', "give the account id, e.g. '222222222222'");
    }
    if (!attrs?.region || Token.isUnresolved(attrs.region)) problems.add('region', attrs?.region, 'must be a literal region', "give the region, e.g. 'eu-west-1'");
    for (const [prop, name] of [['deployRoleName', attrs?.deployRoleName], ['cloudFormationExecutionRoleName', attrs?.cloudFormationExecutionRoleName], ['assetPublishingRoleName', attrs?.assetPublishingRoleName]] as const) {
      if (isConcrete(name) && !ROLE_NAME.test(name)) problems.add(prop, name, 'is not a valid IAM role name', 'use 1 to 64 characters from letters, digits and + = , . @ _ -');
    }
    problems.throwIfAny();
    return new ImportedDeliveryTarget(scope, id, attrs);
  }

  /** The role pipeline actions assume in this account. */
  public readonly deployRole: iam.IRole;
  /** The role CloudFormation uses to deploy stacks here (when execution policies are given). */
  public readonly cloudFormationExecutionRole?: iam.IRole;
  /** The account of the target. */
  public readonly account: string;
  /** The region of the target. */
  public readonly region: string;
  /** The account the trusted pipelines run in. */
  public readonly pipelineAccount: string;
  /**
   * The managed policy holding `cloudFormationExecutionStatements` (for example, to acknowledge a
   * compliance finding on what your stacks need).
   */
  public readonly cloudFormationExecutionPolicy?: iam.ManagedPolicy;
  /** Name of the role that publishes CDK Stage assets here (created when a Stage with assets is first released here). */
  public readonly assetPublishingRoleName: string;

  private readonly trusted: string[] = [];
  private readonly publishers: string[] = [];
  private publishingRole?: iam.Role;
  private readonly roleNames: Array<string | undefined>;

  constructor(scope: Construct, id: string, props: DeliveryTargetProps) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id);
    // Compliance-pack findings without a fix worth its cost, on what this construct creates.
    acceptLibraryFindings(this);
    const stack = Stack.of(this);
    const problems = new Problems(`DeliveryTarget '${this.node.path}'`);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      problems.add('env', `${stack.account}/${stack.region}`, 'the stack\'s account and region are unresolved tokens, but a pipeline must name the target\'s roles at synth', 'create the stack with env: { account: \'222222222222\', region: \'eu-west-1\' }');
    }
    if (!props.pipelineAccount || (isConcrete(props.pipelineAccount) && !ACCOUNT.test(props.pipelineAccount))) {
      problems.add('pipelineAccount', props.pipelineAccount, 'is not a 12-digit AWS account id', 'give the account the pipeline stack is deployed to, e.g. \'111111111111\'');
    } else if (Token.isUnresolved(props.pipelineAccount)) {
      problems.add('pipelineAccount', props.pipelineAccount, 'is an unresolved token, but the trust policy needs the account at synth', 'give the account id as a literal');
    }
    for (const [prop, name] of [['deployRoleName', props.deployRoleName], ['cloudFormationExecutionRoleName', props.cloudFormationExecutionRoleName], ['assetPublishingRoleName', props.assetPublishingRoleName]] as const) {
      if (isConcrete(name) && !ROLE_NAME.test(name)) problems.add(prop, name, 'is not a valid IAM role name', 'use 1 to 64 characters from letters, digits and + = , . @ _ -');
    }
    if (props.cloudFormationExecutionPolicies && props.cloudFormationExecutionPolicies.length === 0) {
      problems.add('cloudFormationExecutionPolicies', [], 'is an empty list', 'give the managed policies CloudFormation needs to create the stacks, or leave the prop out');
    }
    if (props.cloudFormationExecutionStatements && props.cloudFormationExecutionStatements.length === 0) {
      problems.add('cloudFormationExecutionStatements', [], 'is an empty list', 'give the statements CloudFormation needs to create the stacks, or leave the prop out');
    }
    const tokens: number[] = [];
    (props.trustedRoleArns ?? []).forEach((arn, i) => {
      if (!isConcrete(arn)) {
        tokens.push(i);
      } else if (/[*?]/.test(arn)) {
        // ArnEquals compares literally, but a wildcard here would be read by anyone widening the
        // condition to ArnLike as trust in every role of the account.
        problems.add(`trustedRoleArns[${i}]`, arn, 'holds a wildcard: the production deploy role would trust every role it matches', `name each pipeline role exactly, e.g. arn:aws:iam::${props.pipelineAccount}:role/<name>`);
      } else if (/^arn:aws[a-z-]*:iam::(\d{12}):role\/./.exec(arn)?.[1] !== props.pipelineAccount) {
        problems.add(`trustedRoleArns[${i}]`, arn, `is not the ARN of a role in the pipeline account ${props.pipelineAccount}`, `give arn:aws:iam::${props.pipelineAccount}:role/<name>`);
      }
    });
    problems.throwIfAny();
    if (tokens.length > 0) {
      Annotations.of(this).addWarningV2('cdk-delivery:trustedRoleArnToken',
        `trustedRoleArns[${tokens.join(', ')}] ${tokens.length === 1 ? 'is a value' : 'are values'} known only at deploy time: make sure each is the exact ARN of one role of account ${props.pipelineAccount} (no wildcard), since the deploy role trusts whatever it names.`);
    }

    this.account = stack.account;
    this.region = stack.region;
    this.pipelineAccount = props.pipelineAccount;
    this.assetPublishingRoleName = props.assetPublishingRoleName ?? `cdk-delivery-publish-${this.region}`;
    this.trusted.push(...(props.trustedRoleArns ?? []));

    // Trust the pipeline account, narrowed to the pipelines' roles. The roles are named in a
    // condition, not as principals, because IAM rejects a trust policy naming a role that does not
    // exist yet, and this stack is deployed before the pipelines.
    // Cross-account reads of the artifact stores get kms:Decrypt on "*" from aws-cdk-lib (the keys
    // cannot be named from here): ScopedKmsRole narrows them to keys of the pipeline account.
    this.deployRole = new ScopedKmsRole(this, 'DeployRole', {
      keyAccount: props.pipelineAccount,
      roleName: props.deployRoleName ?? `cdk-delivery-deploy-${this.region}`,
      description: `Assumed by cdk-delivery pipelines of account ${props.pipelineAccount} to deploy to ${this.account}/${this.region}`,
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount).withConditions({
        ArnEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...new Set(this.trusted)] }) },
      }),
    });
    const executionStatements = props.cloudFormationExecutionStatements;
    if (props.cloudFormationExecutionPolicies || executionStatements) {
      this.cloudFormationExecutionPolicy = executionStatements ? new iam.ManagedPolicy(this, 'CloudFormationExecutionPolicy', {
        description: `What CloudFormation may do to deploy the stacks cdk-delivery pipelines release to ${this.account}/${this.region}`,
        statements: executionStatements,
      }) : undefined;
      const ownPolicy = this.cloudFormationExecutionPolicy ? [this.cloudFormationExecutionPolicy] : [];
      this.cloudFormationExecutionRole = new iam.Role(this, 'CloudFormationExecutionRole', {
        roleName: props.cloudFormationExecutionRoleName ?? `cdk-delivery-cfn-exec-${this.region}`,
        description: `Used by CloudFormation to deploy the stacks cdk-delivery pipelines release to ${this.account}/${this.region}`,
        assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
        managedPolicies: [...(props.cloudFormationExecutionPolicies ?? []), ...ownPolicy],
      });
      if (props.cloudFormationExecutionPolicies) {
        acceptNagFindings(this.cloudFormationExecutionRole, [{
          id: 'AwsSolutions-IAM4',
          reason: 'The managed policies are the ones the team chose (cloudFormationExecutionPolicies) for what its stacks create; the library sets no default.',
        }]);
      }
    }
    const names = [props.deployRoleName ?? `cdk-delivery-deploy-${this.region}`, props.cloudFormationExecutionRoleName ?? (props.cloudFormationExecutionPolicies || executionStatements ? `cdk-delivery-cfn-exec-${this.region}` : undefined), this.assetPublishingRoleName];
    for (const statement of props.deployPermissions ?? []) this.deployRole.addToPrincipalPolicy(statement);
    this.node.addValidation({
      validate: () => {
        const problems = new Problems(`DeliveryTarget '${this.node.path}'`);
        if (this.trusted.length === 0) {
          problems.add('trustedRoleArns', [], 'no environment of a pipeline in this app deploys to the target and none are given, so it trusts no pipeline', 'add an environment with target: this target to a DeliveryPipeline of this app, or give trustedRoleArns');
        }
        // IAM role names are unique in an account: a second target there would fail at deploy time.
        const others = this.node.root.node.findAll().filter((c): c is DeliveryTarget => c instanceof DeliveryTarget && c !== this && c.account === this.account);
        for (const other of others) {
          const clash = other.roleNames.find((n) => n !== undefined && names.includes(n));
          if (clash) {
            problems.add('deployRoleName', clash, `target '${other.node.path}' creates an IAM role of this name in account ${this.account} too`, 'use one target per account and region (pipelines share it), or give deployRoleName, cloudFormationExecutionRoleName and assetPublishingRoleName');
          }
        }
        return problems.messages();
      },
    });
    this.roleNames = names;
  }

  /**
   * The role that publishes CDK Stage assets here (`assetPublishingRoleName`), created at the first
   * call; it trusts exactly the publishing project roles given to this method, by ARN. Called by
   * `CdkStageDeployStep`, which grants the role exactly the buckets and repositories its Stage's
   * assets go to.
   *
   * @param publisherRoleArn the exact ARN of a role of the pipeline's account that assumes it
   */
  public trustAssetPublisher(publisherRoleArn: string): iam.IRole {
    checkArgs('DeliveryTarget#trustAssetPublisher', [publisherRoleArn]);
    if (isConcrete(publisherRoleArn) && /[*?]/.test(publisherRoleArn)) {
      fail(`DeliveryTarget '${this.node.path}'`, 'publisherRoleArn', publisherRoleArn, 'holds a wildcard: the publishing role would trust every role it matches', `name one role exactly, e.g. arn:aws:iam::${this.pipelineAccount}:role/<name>`);
    }
    this.publishers.push(publisherRoleArn);
    this.publishingRole ??= new iam.Role(this, 'AssetPublishingRole', {
      roleName: this.assetPublishingRoleName,
      description: `Assumed by the asset publishing projects of cdk-delivery pipelines of account ${this.pipelineAccount} to publish CDK assets to ${this.account}/${this.region}`,
      // Named in a condition, not as principals: IAM rejects a trust policy naming a role that does
      // not exist yet, and this stack is deployed before the pipelines.
      assumedBy: new iam.AccountPrincipal(this.pipelineAccount).withConditions({
        ArnEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...new Set(this.publishers)] }) },
      }),
    });
    return this.publishingRole;
  }

  /**
   * Lets a pipeline role (by exact ARN) assume the deploy role. Called by the pipeline.
   *
   * @internal
   */
  public _trustPipelineRole(roleArn: string): void {
    this.trusted.push(roleArn);
  }

  /**
   * Accepts, on the deploy role's policy, the action families the CodePipeline L2 actions grant it
   * when they are bound (artifact reads, and the key grant the L2 makes across accounts on `*`:
   * the key is in the pipeline account, where the key policy names exactly this role).
   *
   * @internal
   */
  public _acceptL2Grants(): void {
    const policy = this.deployRole.node.tryFindChild('DefaultPolicy');
    if (!policy || acceptedPolicies.has(policy)) return;
    acceptedPolicies.add(policy);
    acceptNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Grants the CodePipeline L2 actions make to the role they assume across accounts: reading the pipeline\'s artifact objects (keys generated per execution), the artifact key on "*" (its ARN cannot be referenced from this account; the key policy in the pipeline account names exactly this role), and describing the one stack a CloudFormation action deploys.',
      appliesTo: [
        { regex: '/^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\\*$/' },
        { regex: '/^Action::kms:(ReEncrypt|GenerateDataKey)\\*$/' },
        { regex: '/^Action::cloudformation:(DescribeStack|GetTemplate)\\*$/' },
        { regex: '/^Resource::arn:(?:<[^>]+>|[^:]+):cloudformation:(?:<[^>]+>|[^:]+):(?:<[^>]+>|[^:]+):stack\\/[^/]+\\/\\*$/' },
        { regex: '/^Resource::arn:(?:<[^>]+>|[^:]+):s3:::[^/]+\\/\\*$/' },
        'Resource::*',
      ],
    }]);
  }
}

const acceptedPolicies = new WeakSet<Construct>();

/** A target of another app, named by its attributes: its roles are imported, and nothing is created. */
class ImportedDeliveryTarget extends Construct implements IDeliveryTarget {
  public readonly account: string;
  public readonly region: string;
  public readonly pipelineAccount: string;
  public readonly deployRole: iam.IRole;
  public readonly cloudFormationExecutionRole?: iam.IRole;
  public readonly assetPublishingRoleName: string;

  constructor(scope: Construct, id: string, attrs: DeliveryTargetAttributes) {
    super(scope, id);
    const arn = (name: string) => `arn:${Stack.of(scope).partition}:iam::${attrs.account}:role/${name}`;
    const execName = attrs.cloudFormationExecutionRoleName ?? (attrs.hasCloudFormationExecutionRole ? `cdk-delivery-cfn-exec-${attrs.region}` : undefined);
    this.account = attrs.account;
    this.region = attrs.region;
    this.pipelineAccount = attrs.pipelineAccount;
    this.deployRole = iam.Role.fromRoleArn(this, 'DeployRole', arn(attrs.deployRoleName ?? `cdk-delivery-deploy-${attrs.region}`), { mutable: false });
    this.cloudFormationExecutionRole = execName ? iam.Role.fromRoleArn(this, 'CloudFormationExecutionRole', arn(execName), { mutable: false }) : undefined;
    this.assetPublishingRoleName = attrs.assetPublishingRoleName ?? `cdk-delivery-publish-${attrs.region}`;
  }

  /** The target's publishing role, which its own app must make trust the publisher and write the asset locations. */
  public trustAssetPublisher(publisherRoleArn: string): iam.IRole {
    checkArgs('IDeliveryTarget#trustAssetPublisher', [publisherRoleArn]);
    const role = this.node.tryFindChild('AssetPublishingRole') as iam.IRole | undefined;
    return role ?? iam.Role.fromRoleArn(this, 'AssetPublishingRole', `arn:${Stack.of(this).partition}:iam::${this.account}:role/${this.assetPublishingRoleName}`, { mutable: false });
  }
}

/**
 * A stack holding a `DeliveryTarget`: deploy it once in each account and region a pipeline of the
 * same app deploys to.
 */
export class DeliveryTargetStack extends Stack {
  /** The target: its deploy role and CloudFormation execution role. */
  public readonly target: DeliveryTarget;

  constructor(scope: Construct, id: string, props: DeliveryTargetStackProps) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id, props);
    // The target takes its own props only (the stack's are the stack's).
    this.target = new DeliveryTarget(this, 'Target', {
      pipelineAccount: props.pipelineAccount,
      trustedRoleArns: props.trustedRoleArns,
      deployRoleName: props.deployRoleName,
      cloudFormationExecutionPolicies: props.cloudFormationExecutionPolicies,
      cloudFormationExecutionStatements: props.cloudFormationExecutionStatements,
      cloudFormationExecutionRoleName: props.cloudFormationExecutionRoleName,
      deployPermissions: props.deployPermissions,
      assetPublishingRoleName: props.assetPublishingRoleName,
    });
  }
}
