import { PhysicalName, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { StepContext, StepEnvironment } from '../../core/step';
import { acceptNagFindings, artifactReadAcceptance, functionVersionsFinding } from '../../private/nag';
import { stepScopedId } from '../../private/names';

/**
 * The roles and grants of deploy steps: who an action's role trusts, which role an action uses in
 * the pipeline's account, another region or another account, how it reads the artifacts there,
 * and what CloudFormation and CodeDeploy need beyond what aws-cdk-lib grants.
 */

/**
 * The principal an action role a step creates should trust: the pipeline's role (as the roles the
 * L2 creates for actions do), or the pipeline's account when the role is not known.
 */
export function pipelinePrincipal(context: StepContext): iam.IPrincipal {
  return context.pipeline instanceof codepipeline.Pipeline
    ? new iam.ArnPrincipal(context.pipeline.role.roleArn)
    : new iam.AccountPrincipal(Stack.of(context.pipeline).account);
}

/** Where an action role is made when the step does not use the target's deploy role. */
export interface ActionRoleOptions {
  /** The step's name (ids and descriptions). */
  readonly stepName: string;
  /** The role's description. */
  readonly description?: string;
  /**
   * In another region, make the role in the target's stack, named, so that it can be granted on
   * the target's resources there (they cannot be named from the pipeline's region).
   *
   * @default - the role is made in the step's scope in every case
   */
  readonly regionalScope?: Construct;
}

/**
 * The role an action of a deploy step assumes: in another account the target's deploy role; in
 * another region (with `regionalScope`) a named role of the target's stack; otherwise a role of
 * the step, trusted by the pipeline's role.
 */
export function actionRole(scope: Construct, context: StepContext, options: ActionRoleOptions): iam.IRole {
  const environment = context.environment;
  if (environment?.crossAccount && environment.deployRole) return environment.deployRole;
  if (environment?.crossRegion && options.regionalScope) {
    return new iam.Role(options.regionalScope, stepScopedId(context.pipeline, context.stageName, options.stepName, 'ActionRole'), {
      assumedBy: pipelinePrincipal(context),
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      description: options.description,
    });
  }
  // Only the props given: aws-cdk-lib's analytics record which props a construct was made with.
  return new iam.Role(scope, 'ActionRole', { assumedBy: pipelinePrincipal(context), ...(options.description ? { description: options.description } : {}) });
}

/**
 * Lets a role read the artifacts of the step's environment: in another account through the
 * store's bucket and key policies (aws-cdk-lib writes them for `grantRead`); in another region of
 * this account, by `resourcePolicyInRegion` through the regional store's policies only (the
 * store's stack waits for the target's, so an identity grant would make them wait for each
 * other); here, with exact statements on the artifact bucket and key.
 */
export function grantArtifactRead(role: iam.IRole, context: StepContext, options: { readonly locateBucket?: boolean; readonly resourcePolicyInRegion?: boolean } = {}): void {
  const environment = context.environment;
  const store = environment?.artifactBucket ?? context.artifactBucket;
  if (environment?.crossRegion && !environment.crossAccount && options.resourcePolicyInRegion) {
    grantReadByResourcePolicy(store, role);
  } else if (environment?.crossAccount || environment?.crossRegion) {
    store.grantRead(role);
  } else {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [context.artifactBucket.arnForObjects('*')],
    }));
    if (options.locateBucket) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation'],
        resources: [context.artifactBucket.bucketArn],
      }));
    }
    if (context.artifactKey) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [context.artifactKey.keyArn] }));
  }
}

/** Lets a role of the bucket's account read its objects through the bucket's and key's policies. */
function grantReadByResourcePolicy(bucket: s3.IBucket, role: iam.IRole): void {
  const principals = [new iam.ArnPrincipal(role.roleArn)];
  const added = bucket.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [bucket.arnForObjects('*')] }));
  if (!added.statementAdded) {
    // An imported bucket: its policy cannot be changed here, so the role is granted instead.
    bucket.grantRead(role);
    return;
  }
  bucket.encryptionKey?.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: ['kms:Decrypt'], resources: ['*'] }));
}

/**
 * Accepts cdk-nag IAM5 on a role's default policy for what only a pattern can name: `reason` and
 * `appliesTo` for the step's own statements, then the artifact objects it reads.
 */
export function acceptDeployRoleFindings(role: iam.IRole, context: StepContext, reason: string, appliesTo: Array<string | { regex: string }>): void {
  const environment = context.environment;
  const artifacts = artifactReadAcceptance(context.artifactBucket, !!(environment?.crossAccount || environment?.crossRegion));
  acceptNagFindings(role.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: `${reason}; ${artifacts.reason}`,
    appliesTo: [...appliesTo, ...artifacts.appliesTo.filter((a) => !appliesTo.includes(a as string))],
  }]);
}

/** Accepts cdk-nag IAM5 on a deployment group role's invoke grants of its hook functions (invoked by qualified ARN). */
export function acceptHookInvokeFindings(groupRole: iam.IRole, hooks: readonly lambda.IFunction[]): void {
  const rolePolicy = groupRole.node.tryFindChild('DefaultPolicy');
  if (rolePolicy && hooks.length > 0) {
    acceptNagFindings(rolePolicy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'lambda:InvokeFunction on the hook functions and their versions (function:*), which CodeDeploy invokes by qualified ARN.',
      appliesTo: hooks.map((fn) => functionVersionsFinding(fn.functionArn, fn.node.defaultChild)),
    }]);
  }
}

/**
 * Lets a CloudFormation action's role read the CDK bootstrap version parameter
 * (`/cdk-bootstrap/<qualifier>/version`) of an account and region: CloudFormation resolves a CDK
 * template's SSM parameters with the caller's role, which the L2 actions do not grant. The
 * parameter is added to templates at synthesis, after the role is made, so it is named by its
 * pattern (any qualifier), and that finding is accepted for cdk-nag.
 */
export function allowBootstrapVersionRead(role: iam.IRole, account: string, region: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ssm:GetParameters'],
    resources: [Stack.of(role).formatArn({ service: 'ssm', account, region, resource: 'parameter', resourceName: 'cdk-bootstrap/*/version' })],
  }));
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    acceptNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The CDK bootstrap version parameter, /cdk-bootstrap/<qualifier>/version, for any bootstrap qualifier.',
      appliesTo: [{ regex: '/^Resource::arn:(?:<[^>]+>|[^:]+):ssm:(?:<[^>]+>|[^:]+):(?:<[^>]+>|[^:]+):parameter\\/cdk-bootstrap\\/\\*\\/version$/' }],
    }]);
  }
}

/**
 * What a CloudFormation create/update action's role needs, granted exactly where aws-cdk-lib's
 * action would grant a statement that cannot work: its L2 puts `cloudformation:ValidateTemplate`
 * on the stack's ARN, but that action has no resource-level permissions (Service Authorization
 * Reference, AWS CloudFormation), so the statement grants nothing. The L2 is given an immutable
 * view of the role and this grants the same access: the stack's actions on its ARN,
 * ValidateTemplate on `*`, passing the deployment role, and reading the artifacts.
 */
export function grantStackCreateUpdate(role: iam.Role, options: { stackName: string; region?: string; deploymentRole: iam.IRole; artifactBucket: s3.IBucket }): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['cloudformation:DescribeStack*', 'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:GetTemplate*', 'cloudformation:GetStackPolicy', 'cloudformation:SetStackPolicy'],
    resources: [Stack.of(role).formatArn({ region: options.region, service: 'cloudformation', resource: 'stack', resourceName: `${options.stackName}/*` })],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:ValidateTemplate'], resources: ['*'] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [options.deploymentRole.roleArn] }));
  options.artifactBucket.grantRead(role);
  acceptNagFindings(role.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'cloudformation:ValidateTemplate has no resource-level permissions (Service Authorization Reference, AWS CloudFormation): it is granted on "*" or not at all.',
    appliesTo: ['Resource::*'],
  }]);
}

/** The environment's account and region as action props: set only where they differ from the pipeline's. */
export function actionPlacement(environment: StepEnvironment | undefined): { account?: string; region?: string } {
  return {
    account: environment?.crossAccount ? environment.account : undefined,
    region: environment?.crossRegion ? environment.region : undefined,
  };
}
