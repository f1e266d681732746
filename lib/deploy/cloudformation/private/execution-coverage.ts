import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { StageAssembly } from './stage-assembly';

/** CloudFormation namespaces whose IAM service prefix is not the namespace in lower case. */
const SERVICE_PREFIXES: Record<string, string[]> = {
  ApiGatewayV2: ['apigateway'],
  ApplicationAutoScaling: ['application-autoscaling'],
  CertificateManager: ['acm'],
  Cognito: ['cognito-idp', 'cognito-identity'],
  EFS: ['elasticfilesystem'],
  ElasticLoadBalancing: ['elasticloadbalancing'],
  ElasticLoadBalancingV2: ['elasticloadbalancing'],
  Elasticsearch: ['es'],
  KinesisFirehose: ['firehose'],
  MSK: ['kafka'],
  OpenSearchService: ['es'],
  StepFunctions: ['states'],
  EventSchemas: ['schemas'],
};

/** Types CloudFormation handles itself, without calling a service with the execution role. */
const NO_SERVICE = /^AWS::(CDK::Metadata|CloudFormation::(WaitCondition|WaitConditionHandle|Stack|Macro))$/;

/** The IAM service prefixes a resource type needs, or none for types CloudFormation handles itself. */
export function servicePrefixesOf(type: string): string[] {
  if (NO_SERVICE.test(type)) return [];
  // CloudFormation invokes a custom resource's function with the execution role.
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return ['lambda'];
  const namespace = /^AWS::([^:]+)::/.exec(type)?.[1];
  if (!namespace) return [];
  return SERVICE_PREFIXES[namespace] ?? [namespace.toLowerCase()];
}

/**
 * What the Stage's stacks need of CloudFormation's execution role that its policies (as far as
 * they can be read: statements of this app; an imported or AWS managed policy makes the answer
 * unknown) grant nothing of: per service prefix, the resource types that need it. Undefined when
 * the role's policies cannot all be read.
 */
export function uncoveredServices(role: iam.IRole, assembly: StageAssembly): Map<string, Set<string>> | undefined {
  const statements = readableStatements(role);
  if (!statements) return undefined;
  const allowed = statements.filter((s) => s.Effect === 'Allow' && s.NotAction === undefined).flatMap((s) => toArray(s.Action));
  if (allowed.includes('*')) return new Map();
  const covers = (prefix: string) => allowed.some((a) => typeof a === 'string' && a.toLowerCase().startsWith(`${prefix}:`));
  const missing = new Map<string, Set<string>>();
  // Lambda reads a function's or layer's code, and CloudFormation a nested stack's template, from
  // the asset bucket with the caller's credentials; Lambda reads a function's image the same way.
  const matches = (pattern: string, action: string) => new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(action);
  const grants = (action: string) => allowed.some((a) => typeof a === 'string' && matches(a, action));
  const types = assembly.layers.flat().flatMap((s) => s.resourceTypes);
  const readsFiles = types.filter((t) => ['AWS::Lambda::Function', 'AWS::Lambda::LayerVersion', 'AWS::CloudFormation::Stack'].includes(t));
  if (assembly.files.length > 0 && readsFiles.length > 0 && !grants('s3:getobject')) {
    missing.set('s3:GetObject on the asset bucket', new Set(readsFiles));
  }
  if (assembly.layers.flat().some((s) => s.imageFunctions) && !(grants('ecr:batchgetimage') && grants('ecr:getdownloadurlforlayer'))) {
    missing.set('ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the asset repository', new Set(['AWS::Lambda::Function from an image']));
  }
  for (const stack of assembly.layers.flat()) {
    for (const type of stack.resourceTypes) {
      const prefixes = servicePrefixesOf(type);
      if (prefixes.length === 0 || prefixes.some(covers)) continue;
      const key = prefixes.join(' or ');
      if (!missing.has(key)) missing.set(key, new Set());
      missing.get(key)!.add(type);
    }
  }
  return missing;
}

interface Statement { readonly Effect?: string; readonly Action?: unknown; readonly NotAction?: unknown }

/** The statements of a role created in this app and of every policy attached to it, or undefined if one cannot be read. */
function readableStatements(role: iam.IRole): Statement[] | undefined {
  const cfnRole = role.node.defaultChild;
  if (!(cfnRole instanceof iam.CfnRole)) return undefined;
  const stack = Stack.of(cfnRole);
  const statements: Statement[] = [];
  const documentOf = (doc: unknown) => toArray((stack.resolve(doc) as { Statement?: unknown } | undefined)?.Statement) as Statement[];
  for (const policy of toArray(stack.resolve(cfnRole.policies))) statements.push(...documentOf((policy as { policyDocument?: unknown; PolicyDocument?: unknown }).PolicyDocument ?? (policy as { policyDocument?: unknown }).policyDocument));
  const byLogicalId = new Map(stack.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource).map((c) => [stack.resolve(c.logicalId) as string, c]));
  for (const arn of toArray(stack.resolve(cfnRole.managedPolicyArns))) {
    const ref = (arn as { Ref?: string }).Ref;
    const managed = ref ? byLogicalId.get(ref) : undefined;
    if (!(managed instanceof iam.CfnManagedPolicy)) return undefined;
    statements.push(...documentOf(managed.policyDocument));
  }
  // Inline policies attached to the role (its default policy, and others naming it).
  const roleRef = JSON.stringify({ Ref: stack.resolve(cfnRole.logicalId) });
  for (const c of stack.node.findAll()) {
    if (c instanceof iam.CfnPolicy && toArray(stack.resolve(c.roles)).some((r) => JSON.stringify(r) === roleRef)) statements.push(...documentOf(c.policyDocument));
  }
  return statements;
}

function toArray(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}
