import { ArnFormat, Names, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acceptL2ActionGrants, acceptNagFindings, isMarkedL2ActionRole } from '../../private/nag';

/**
 * The role EventBridge rules of event-driven sources (CodeCommit, S3) assume to start the
 * pipeline, made by the L2: only rules of this account may use it (confused-deputy protection:
 * for EventBridge rule targets aws:SourceArn is the rule's ARN, EventBridge user guide). The rules
 * name the role, so the role names them by pattern, not by ARN (that would be a cycle).
 */
export function narrowEventsRoleTrust(pipeline: codepipeline.Pipeline): void {
  const role = pipeline.node.tryFindChild('EventsRole');
  if (!(role instanceof iam.Role)) return;
  const stack = Stack.of(pipeline);
  (role.node.defaultChild as iam.CfnRole).addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }) },
  });
}

/**
 * The pipeline role's ARN as another account's stack can name it. The L2 creates its role
 * without a physical name; it is given a stable generated one the first time another account
 * needs it (the same name on every synth).
 */
export function pipelineRoleArn(pipeline: codepipeline.Pipeline, usesOwnRole: boolean): string {
  const role = pipeline.role;
  if (!(role instanceof iam.Role) || usesOwnRole || !Token.isUnresolved(role.roleName) || role.node.scope !== pipeline) return role.roleArn;
  const cfn = role.node.defaultChild as iam.CfnRole;
  // The L2 leaves a token that resolves to nothing when the role has no physical name.
  let name = Stack.of(pipeline).resolve(cfn.roleName) as string | undefined;
  if (name === undefined) {
    name = Names.uniqueResourceName(role, { maxLength: 64, separator: '-' });
    cfn.roleName = name;
  }
  return Stack.of(pipeline).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/**
 * The CodePipeline L2 grants its pipeline role and the action roles it creates S3 and KMS action
 * families (`s3:GetObject*`, `kms:GenerateDataKey*`, ...) on the artifact bucket and key. They
 * are scoped to this pipeline's artifact store; cdk-nag IAM5 is accepted for exactly those
 * findings on exactly those policies, each policy once, as stages add them.
 */
export class L2GrantAcceptance {
  private readonly accepted = new Set<iam.CfnPolicy>();
  private regionalAccepted = false;

  /**
   * @param scope the DeliveryPipeline
   * @param hasRegionalStores whether the pipeline has artifact stores in other regions (now)
   */
  constructor(private readonly scope: Construct, private readonly pipeline: codepipeline.Pipeline,
    private readonly artifactBucket: s3.IBucket, private readonly hasRegionalStores: () => boolean) {}

  /** Accepts the findings on the policies added since the last call. */
  public acceptNew(): void {
    const role = this.pipeline.role;
    // The pipeline's role when this construct or the L2 created it (not a role passed in).
    const rolePolicy = role.node.scope === this.scope || role.node.scope === this.pipeline
      ? role.node.tryFindChild('DefaultPolicy')?.node.defaultChild
      : undefined;
    const candidates = [
      ...this.pipeline.node.findAll(),
      // Roles steps create for L2 actions (e.g. a CloudFormation action's role): DefaultPolicy/Resource.
      ...this.scope.node.findAll().filter((c) => isMarkedL2ActionRole(c.node.scope?.node.scope)),
    ];
    if (rolePolicy && role.node.scope === this.scope) candidates.push(rolePolicy);
    for (const child of candidates) {
      if (!(child instanceof iam.CfnPolicy) || this.accepted.has(child)) continue;
      this.accepted.add(child);
      acceptL2ActionGrants(child, this.artifactBucket);
    }
    if (rolePolicy instanceof iam.CfnPolicy && this.hasRegionalStores() && !this.regionalAccepted) {
      this.regionalAccepted = true;
      acceptNagFindings(rolePolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'Grants the CodePipeline L2 makes on the artifact stores of other regions: their artifact objects (keys generated per execution) and their KMS keys, which a stack in another region can only name by alias, so the L2 grants them on "*" here while each key\'s policy grants this account.',
        appliesTo: [{ regex: '/^Resource::arn:(?:<[^>]+>|[^:]+):s3:::[^/]+\\/\\*$/' }, 'Resource::*'],
      }]);
    }
  }
}
