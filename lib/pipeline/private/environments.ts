import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IStep, StepEnvironment } from '../../core/step';
import { noteGeneratedNames } from '../../private/generated-names';
import { Problems, differentLiterals, nameableAcrossEnvironments } from '../../private/validation';
import { DeliveryTarget } from '../delivery-target';
import { EnvironmentOptions } from '../environment';

/** Steps of a stage that run together: the steps of a phase run in parallel or one after another. */
export interface StagePhase {
  readonly steps: IStep[];
  readonly parallel: boolean;
  readonly kind?: EnvironmentPhase;
}

/** The phases of an environment, in the order they run. */
const PHASES = ['approval', 'before', 'deploy', 'after'] as const;
type EnvironmentPhase = typeof PHASES[number];

function stepsOf(props: EnvironmentOptions, kind: EnvironmentPhase): IStep[] {
  switch (kind) {
    case 'approval': return props.approval ? [props.approval] : [];
    case 'before': return props.before ?? [];
    case 'deploy': return props.deploy ?? [];
    case 'after': return props.after ?? [];
  }
}

/**
 * The phases of environments placed in one stage (one environment, or a wave): each phase's steps
 * of every environment together, a wave's own approval first among the approvals.
 */
export function environmentPhases(environments: readonly EnvironmentOptions[], approval?: IStep): StagePhase[] {
  return PHASES
    .map((kind) => ({ steps: [...(kind === 'approval' && approval ? [approval] : []), ...environments.flatMap((e) => stepsOf(e, kind))], parallel: true, kind }))
    .filter((p) => p.steps.length > 0);
}

/** Checks an environment's own props: deployments given, and the approval rules of production (a wave's approval covers its environments). */
export function checkEnvironment(problems: Problems, prefix: string, props: EnvironmentOptions, waveApproval = false): void {
  if (!props.deploy || props.deploy.length === 0) {
    problems.add(`${prefix}deploy`, props.deploy, 'is empty', 'give the deploy steps of the environment, e.g. [service.deployStep({ input: build.output })]');
  }
  if (waveApproval && props.waiveApproval) {
    problems.add(`${prefix}waiveApproval`, true, 'is set, but the wave\'s approval runs before this environment', 'remove waiveApproval, or remove the wave\'s approval');
  }
  if (props.production && !props.approval && !props.waiveApproval && !waveApproval) {
    problems.add(`${prefix}approval`, undefined, 'is missing before a production environment', "add approval: new ManualApprovalStep('Approve', { notifyEmails: [...] }), or set waiveApproval: true to release without one");
  }
  if (props.waiveApproval && props.approval) {
    problems.add(`${prefix}waiveApproval`, true, 'is set together with an approval', 'remove waiveApproval, or remove the approval');
  }
}

/** The environment each step of these environments is bound with. */
export function environmentsOf(list: ReadonlyArray<[EnvironmentOptions, StepEnvironment]>): Map<IStep, StepEnvironment> {
  const map = new Map<IStep, StepEnvironment>();
  for (const [props, environment] of list) {
    for (const kind of PHASES) stepsOf(props, kind).forEach((step) => map.set(step, environment));
  }
  return map;
}

/** What of the pipeline an environment's resolution reads and touches. */
export interface EnvironmentHost {
  /** The pipeline construct: notes and annotations go on it. */
  readonly scope: Construct;
  readonly artifactBucket: s3.IBucket;
  readonly artifactKey?: kms.IKey;
  /** The artifact store of another region: the pipeline's, or one created for it now (undefined when it cannot be). */
  storeFor(region: string): s3.IBucket | undefined;
  readonly pipeline: codepipeline.Pipeline;
  /** The pipeline created its own named role (for regional stores). */
  readonly usesOwnRole: boolean;
  /** The pipeline role's ARN as another account's stack can name it. */
  pipelineRoleArn(): string;
}

/**
 * Where an environment deploys, and what that needs: a literal account and region, a target
 * (deploy role) in another account, a customer-managed artifact key that account can be granted,
 * and an artifact store in another region. Trusts the pipeline's role on a target of this app.
 */
export function resolveEnvironment(host: EnvironmentHost, problems: Problems, prefix: string, name: string, props: EnvironmentOptions): StepEnvironment {
  const here = Stack.of(host.scope);
  const target = props.target;
  const account = props.env?.account ?? target?.account ?? here.account;
  const region = props.env?.region ?? target?.region ?? here.region;
  let concrete = true;
  for (const [key, value] of [['account', props.env?.account], ['region', props.env?.region]] as const) {
    if (value !== undefined && Token.isUnresolved(value)) {
      problems.add(`${prefix}env.${key}`, value, 'is an unresolved token, but the environment must be known at synth', `give the ${key} as a literal`);
      concrete = false;
    }
  }
  const crossAccount = differentLiterals(account, here.account);
  const crossRegion = differentLiterals(region, here.region);
  if ((props.env?.account !== undefined || target) && Token.isUnresolved(here.account) && concrete) {
    problems.add(`${prefix}env.account`, account, 'is given, but the pipeline stack\'s account is an unresolved token, so CodePipeline cannot tell whether it is another account', "create the pipeline's stack with env: { account, region }");
  }
  if (target) {
    if (differentLiterals(target.account, account) || differentLiterals(target.region, region)) {
      problems.add(`${prefix}target`, `${target.account}/${target.region}`, `is not in the environment's account and region (${account}/${region})`, 'pass the DeliveryTarget of that account and region, or correct env');
    }
    if (differentLiterals(target.pipelineAccount, here.account)) {
      problems.add(`${prefix}target`, `${target.account}/${target.region}`, `trusts pipelines of account ${target.pipelineAccount}, not this pipeline's (${here.account})`, `create the target with pipelineAccount: '${here.account}'`);
    }
  }
  if (crossAccount) {
    if (!target) {
      problems.add(`${prefix}target`, undefined, `is required: environment '${name}' is in account ${account}, not the pipeline's (${here.account}), and its actions must assume a role there`, `create new DeliveryTargetStack(app, '${name}Target', { env: { account: '${account}', region: '${region}' }, pipelineAccount: '${here.account}' }) and pass target: its target`);
    }
    if (!host.artifactKey) {
      problems.add(`${prefix}env.account`, account, 'is another account, but the artifact bucket has no customer-managed KMS key, and the AWS-managed key cannot be shared across accounts', 'pass a bucket encrypted with your own KMS key, or let the pipeline create its artifact store');
    }
  }
  // A store is created only for an environment that is otherwise right.
  const storeNeeded = crossRegion && concrete && problems.length === 0;
  const store = storeNeeded ? host.storeFor(region) : undefined;
  if (storeNeeded && !store) {
    problems.add(`${prefix}env.region`, region, `has no artifact store; CodePipeline needs one in every region an action runs in, and this pipeline cannot create one now`, `add '${region}' to the pipeline's deployRegions, or pass its store in crossRegionArtifactStores`);
  }
  if (crossAccount) {
    noteGeneratedNames(host.scope, `DeliveryPipeline '${host.scope.node.path}'`, `environment '${name}' in account ${account}`,
      'a new, empty artifact bucket; the old one is retained');
    checkNameable(host, problems, account);
  }
  if (problems.length === 0 && target) {
    if (target instanceof DeliveryTarget) {
      target._trustPipelineRole(host.pipelineRoleArn());
    } else if (crossAccount) {
      Annotations.of(host.scope).addInfo(`Environment '${name}' uses a target of another app: its deploy role must trust ${here.resolve(host.pipelineRoleArn())} (trustedRoleArns) and allow what the environment's actions do (deployPermissions).`);
    }
    // The regional store's bucket and key policies name the target's deploy role, which must exist first.
    if (crossAccount && store && target instanceof DeliveryTarget && Stack.of(store) !== Stack.of(target)) addStackDependency(Stack.of(store), Stack.of(target));
  }
  return {
    name,
    account,
    region,
    crossAccount,
    crossRegion,
    deployRole: crossAccount ? target?.deployRole : undefined,
    assetPublishing: crossAccount ? target : undefined,
    cloudFormationExecutionRole: target?.cloudFormationExecutionRole,
    artifactBucket: crossRegion ? store : host.artifactBucket,
  };
}

/**
 * `stack` is deployed after `target`. Newer aws-cdk-lib renames `Stack.addDependency` to
 * `addStackDependency` and warns on the old name; older versions have only the old one.
 */
function addStackDependency(stack: Stack, target: Stack): void {
  const renamed = (stack as unknown as { addStackDependency?: (target: Stack, reason?: string) => void }).addStackDependency;
  if (typeof renamed === 'function') renamed.call(stack, target, 'its bucket and key policies name the target\'s deploy role');
  else stack.addDependency(target);
}

/** Another account's stack names the pipeline's role and bucket: they need physical names. */
function checkNameable(host: EnvironmentHost, problems: Problems, account: string): void {
  const role = host.pipeline.role;
  if (!host.usesOwnRole && role.node.scope !== host.pipeline && !nameableAcrossEnvironments(role, role.roleArn)) {
    problems.add('role', role.node.path, `has no physical name, and the deploy role of account ${account} must name it in its trust policy`, 'create the role with roleName (or PhysicalName.GENERATE_IF_NEEDED), or let the pipeline create its role');
  }
  if (!(host.artifactBucket.node.scope === host.scope) && !nameableAcrossEnvironments(host.artifactBucket, host.artifactBucket.bucketArn)) {
    problems.add('artifactBucket', host.artifactBucket.node.path, `has no physical name, and account ${account} must name it to read the artifacts`, 'create the bucket with bucketName (or PhysicalName.GENERATE_IF_NEEDED), or let the pipeline create its artifact store');
  }
}
