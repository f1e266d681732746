/* eslint-disable @typescript-eslint/no-explicit-any -- reads the untyped JSON of rendered resources */
import { AspectPriority, Aspects, CfnResource, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { internalError } from './validation';
import { renderedProperties } from './template';

/** A cdk-nag finding that a resource we create accepts on purpose, with the reason. */
export interface NagAcceptance {
  readonly id: string;
  readonly reason: string;
  /** Finding details this covers (cdk-nag `appliesTo`); a string or a regular expression source. */
  readonly appliesTo?: Array<string | { regex: string }>;
}

/**
 * Records cdk-nag suppressions in the resource metadata cdk-nag reads (`cdk_nag.rules_to_suppress`),
 * so the library needs no runtime dependency on cdk-nag. Each suppression is scoped to one resource
 * and, where the finding has details, to exactly those details.
 */
export function acceptNagFindings(construct: IConstruct, findings: NagAcceptance[]): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    internalError(`acceptNagFindings: ${construct.node.path} has no CloudFormation resource`);
  }
  const existing = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  const added = findings.map((f) => ({
    id: f.id,
    reason: f.reason,
    ...(f.appliesTo ? { applies_to: f.appliesTo } : {}),
  }));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...added] });
  acknowledgeRules(resource, findings);
  acknowledgePatterns(resource, findings);
}

/**
 * cdk-nag 3 acknowledges a finding by its exact id only, where cdk-nag 2 also takes a pattern:
 * once cross-stack references are resolved (construct validation runs after that, and before
 * validation plugins), the findings of the resource that the patterns cover are acknowledged by
 * their exact ids.
 */
export function acknowledgePatterns(resource: CfnResource, findings: NagAcceptance[]): void {
  const patterns = findings.flatMap((f) => (f.appliesTo ?? []).filter((a): a is { regex: string } => typeof a !== 'string')
    .map((a) => ({ id: f.id, reason: f.reason, regex: toRegExp(a.regex) })));
  if (patterns.length === 0) return;
  resource.node.addValidation({
    validate: () => {
      const acknowledged: Record<string, string> = {};
      for (const finding of grantFindings(resource)) {
        for (const p of patterns) if (p.regex?.test(finding)) acknowledged[`${p.id}[${finding}]`] = p.reason;
      }
      if (Object.keys(acknowledged).length > 0) acknowledge(resource, acknowledged);
      return [];
    },
  });
}

/**
 * Adds suppressions to a resource's `cdk_nag` metadata exactly as cdk-nag 2's `NagSuppressions`
 * writes them (key order, de-duplication, non-Latin-1 reasons base64-encoded), so a template is
 * the same whichever of the two wrote it.
 */
export function addNagSuppressions(resource: CfnResource, findings: NagAcceptance[]): void {
  const format = (f: NagAcceptance) => {
    const rest = { id: f.id, ...(f.appliesTo ? { applies_to: f.appliesTo } : {}) };
    return [...f.reason].some((c) => (c.codePointAt(0) ?? 0) > 255)
      ? { reason: Buffer.from(f.reason).toString('base64'), ...rest, is_reason_encoded: true }
      : { reason: f.reason, ...rest };
  };
  const existing = (resource.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as object[];
  const rules = [...new Set([...existing, ...findings.map(format)].map((r) => JSON.stringify(r)))].map((r) => JSON.parse(r));
  resource.addMetadata('cdk_nag', { rules_to_suppress: rules });
}

/**
 * Records the findings as cdk-nag 3 acknowledgements on a construct (cdk-nag 3 reads them on a
 * resource and the constructs above it), by exact rule id: the rule, or one finding of it
 * (`<rule>[<finding>]`). A finding named by a regular expression has no such id.
 */
export function acknowledgeRules(node: IConstruct, findings: NagAcceptance[]): void {
  const acknowledged: Record<string, string> = {};
  for (const f of findings) {
    if (!f.appliesTo) acknowledged[f.id] = f.reason;
    for (const a of f.appliesTo ?? []) if (typeof a === 'string') acknowledged[`${f.id}[${a}]`] = f.reason;
  }
  if (Object.keys(acknowledged).length > 0) acknowledge(node, acknowledged);
}

/** The metadata key of acknowledged rules (aws-cdk-lib `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`), read by cdk-nag 3. */
const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';

/** The rule ids acknowledged on a construct the cdk-nag 3 way (aws-cdk-lib writes annotation ids with a prefix). */
export function acknowledgedRuleIds(node: IConstruct): string[] {
  return node.node.metadata.filter((m) => m.type === ACKNOWLEDGED_RULES && m.data)
    .flatMap((m) => Object.keys(m.data as object).map((k) => k.replace(/^annotation::/i, '')));
}

/** Records acknowledgements as aws-cdk-lib's `Validations.acknowledge` does: the node's last entry holds them all. */
function acknowledge(node: IConstruct, rules: Record<string, string>): void {
  const entries = node.node.metadata.filter((m) => m.type === ACKNOWLEDGED_RULES);
  const current = (entries.length > 0 ? entries[entries.length - 1].data : undefined) ?? {};
  node.node.addMetadata(ACKNOWLEDGED_RULES, { ...current, ...rules });
}

/**
 * The cdk-nag IAM5 finding for "every object of this bucket" (`<bucket>/*`), as exactly as it can
 * be named: `Resource::<LogicalId.Arn>/*` for a bucket in this app, or the literal ARN otherwise.
 */
export function artifactObjectsFinding(bucket: s3.IBucket, inFolders = false): string | { regex: string } {
  const cfn = bucket.node.defaultChild;
  const arn = cfn instanceof s3.CfnBucket
    ? `<${Stack.of(cfn).resolve(Stack.of(cfn).getLogicalId(cfn))}.Arn>`
    : !Token.isUnresolved(bucket.bucketArn) ? bucket.bucketArn : undefined;
  if (arn === undefined) return { regex: '/^Resource::.*\\/\\*$/' };
  if (!inFolders) return `Resource::${arn}/*`;
  // Artifact folders (<pipeline folder>/<artifact folder>/*) or, with WHOLE_BUCKET, the bucket's /*.
  return { regex: `/^Resource::${escapeRegex(arn)}\\/([^/]+\\/[^/]+\\/)?\\*$/` };
}

/** A text as a literal part of a regular expression (slashes escaped too, for cdk-nag's /source/ form). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The cdk-nag IAM5 finding for "every version and alias of this function" (`<function>:*`), which
 * `grantInvoke` adds: `Resource::<LogicalId.Arn>:*` for a function in this app.
 */
export function functionVersionsFinding(functionArn: string, cfn: IConstruct | undefined): string | { regex: string } {
  if (cfn instanceof CfnResource) {
    const stack = Stack.of(cfn);
    return `Resource::<${stack.resolve(stack.getLogicalId(cfn))}.Arn>:*`;
  }
  return Token.isUnresolved(functionArn) ? { regex: '/^Resource::.*:function:.*:\\*$/' } : `Resource::${functionArn}:*`;
}

/**
 * Accepts, on one policy, the action families the CodePipeline L2 actions grant: read/write of the
 * pipeline's artifact objects with its KMS key, and for CloudFormation actions, describing the one
 * stack they deploy.
 */
export function acceptL2ActionGrants(policy: IConstruct, artifactBucket: s3.IBucket): void {
  acceptNagFindings(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'Grants made by the CodePipeline L2 actions: read/write of this pipeline\'s artifact objects (keys generated per execution) with its KMS key, and, for CloudFormation actions, describing the one stack they deploy (its ARN ends in a generated stack id).',
    appliesTo: [
      { regex: '/^Action::s3:(GetObject|GetBucket|List|DeleteObject|Abort)\\*$/' },
      { regex: '/^Action::kms:(ReEncrypt|GenerateDataKey)\\*$/' },
      { regex: '/^Action::cloudformation:(DescribeStack|GetTemplate)\\*$/' },
      { regex: '/^Resource::arn:(?:<[^>]+>|[^:]+):cloudformation:(?:<[^>]+>|[^:]+):(?:<[^>]+>|[^:]+):stack\\/[^/]+\\/\\*$/' },
      artifactObjectsFinding(artifactBucket),
    ],
  }]);
}

const L2_ACTION_ROLE = 'cdk-delivery:l2-action-role';

/** Marks a role a step gives to an L2 action, so the pipeline accepts the L2's grants on it too. */
export function markL2ActionRole(role: IConstruct): void {
  role.node.addMetadata(L2_ACTION_ROLE, true);
}

/** True when the construct is a role marked with `markL2ActionRole`. */
export function isMarkedL2ActionRole(construct: IConstruct | undefined): boolean {
  return !!construct && construct.node.metadata.some((m) => m.type === L2_ACTION_ROLE);
}

/**
 * The cdk-nag IAM5 findings of a role reading the pipeline's artifacts, and why they are accepted:
 * in the pipeline's environment, the artifact objects of its bucket; from another environment, the
 * S3 read families and the store's key on `*` that aws-cdk-lib grants across environments.
 */
export function artifactReadAcceptance(bucket: s3.IBucket, elsewhere: boolean): { reason: string; appliesTo: Array<string | { regex: string }> } {
  return elsewhere
    ? {
      reason: 'the pipeline\'s artifact objects (keys generated per execution) in the environment\'s store, read with the grant aws-cdk-lib makes across environments (S3 read families; the store\'s key on "*", as its ARN cannot be named from here, while the key policy names exactly this role).',
      appliesTo: [{ regex: '/^Action::s3:(GetObject|GetBucket|List)\\*$/' }, { regex: '/^Resource::arn:(?:<[^>]+>|[^:]+):s3:::[^/]+\\/\\*$/' }, 'Resource::*'],
    }
    : { reason: 'artifact objects have per-execution keys in this pipeline\'s bucket.', appliesTo: [artifactObjectsFinding(bucket)] };
}

/** cdk-nag's compliance packs, by rule-id prefix. */
const PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** One acceptance for the same rule in each compliance pack that has it. */
export function inPacks(rule: string, reason: string, packs: string[] = PACKS): NagAcceptance[] {
  return packs.map((pack) => ({ id: `${pack}-${rule}`, reason }));
}

const INLINE_POLICY = 'An inline policy of exactly one role this library creates: it is created, changed and deleted with that role and cannot be attached anywhere else; a managed policy would add a second resource per role without narrowing what the role may do.';
const SOURCE_REPO_URL = 'The project\'s source is CODEPIPELINE: CodePipeline hands it the source artifact, so the project holds no repository URL and no credentials (the rule expects Source.Auth on every project and misfires on pipeline projects).';

/**
 * Accepts, on the resources this library creates under a scope, the compliance-pack findings that
 * have no fix worth its cost, each with its reason: inline policies of the roles the library
 * creates, and the repository-URL rule on CodePipeline projects. Runs as a mutating aspect, before
 * cdk-nag's packs read the metadata.
 */
const accepted = new WeakSet<IConstruct>();
const scopes = new WeakSet<IConstruct>();

class LibraryFindings implements IAspect {
  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || accepted.has(node)) return;
    accepted.add(node);
    if (node.cfnResourceType === 'AWS::IAM::Policy') acceptNagFindings(node, inPacks('IAMNoInlinePolicy', INLINE_POLICY));
    if (node.cfnResourceType === 'AWS::CodeBuild::Project') acceptNagFindings(node, inPacks('CodeBuildProjectSourceRepoUrl', SOURCE_REPO_URL, ['HIPAA.Security', 'PCI.DSS.321']));
  }
}

/**
 * The cdk-nag finding of the log streams of a pipeline's own log group (Commands actions and rules
 * write there), named `/aws/codepipeline/<name>`, or with `anyPrefix` under any first part.
 */
export function logStreamsFinding(pipelineName: string, anyPrefix = false): { regex: string } {
  const group = anyPrefix ? '\\/[^/]+' : '\\/aws';
  return { regex: `/^Resource::arn:(?:<[^>]+>|[^:]+):logs:(?:<[^>]+>|[^:]+):${anyPrefix ? '(?:<[^>]+>|[^:]+)' : '(?:<[^>]+>|[0-9]+)'}:log-group:${group}\\/codepipeline\\/${escapeRegex(pipelineName)}:log-stream:\\*$/` };
}

/** A cdk-nag 2 `appliesTo` pattern (`'/source/flags'`) as a regular expression, if it is one. */
export function toRegExp(text: string): RegExp | undefined {
  const m = /^\/(.*)\/([a-z]*)$/.exec(text);
  try {
    return m ? new RegExp(m[1], m[2]) : undefined;
  } catch {
    return undefined;
  }
}

/** What an IAM resource grants, as cdk-nag's IAM rules name their findings: `Action::`, `Resource::`, `Policy::`. */
function grantFindings(resource: CfnResource): string[] {
  let properties: any;
  try {
    properties = renderedProperties(resource);
  } catch {
    return [];
  }
  const documents = [properties.PolicyDocument, ...(Array.isArray(properties.Policies) ? properties.Policies.map((p: any) => p?.PolicyDocument) : [])];
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  const findings = new Set<string>();
  for (const document of documents) {
    for (const statement of list(document?.Statement) as any[]) {
      for (const action of list(statement?.Action)) findings.add(`Action::${flattenReference(action)}`);
      for (const r of list(statement?.Resource)) findings.add(`Resource::${flattenReference(r)}`);
    }
  }
  for (const arn of list(properties.ManagedPolicyArns)) findings.add(`Policy::${flattenReference(arn)}`);
  return [...findings];
}

/** A CloudFormation value as cdk-nag flattens it into a finding (`<Logical.Attr>`, `<Ref>`, joins, subs). */
function flattenReference(node: any): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(flattenReference).join(node['Fn::Join'][0]);
  if (node['Fn::Sub']) return flattenReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) return `<${flattenReference(node['Fn::GetAtt'][0])}.${flattenReference(node['Fn::GetAtt'][1])}>`;
  if (node['Fn::ImportValue']) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(node);
}

/** Accepts the compliance-pack findings that have no fix on what this library creates under a scope (once per scope). */
export function acceptLibraryFindings(scope: IConstruct): void {
  if (scopes.has(scope)) return;
  scopes.add(scope);
  Aspects.of(scope).add(new LibraryFindings(), { priority: AspectPriority.MUTATING });
}
