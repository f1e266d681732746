/* eslint-disable @typescript-eslint/no-explicit-any -- contracts read the untyped JSON of templates, reference data and SDK messages */
/**
 * The IAM contract: every Allow statement of every policy in a template (identity policies, trust
 * policies, key policies, bucket, topic, queue and repository policies) can grant what it names,
 * according to the Service Authorization Reference:
 * - each action exists, and each wildcard expands to at least one action;
 * - each action is granted on at least one resource of a type it accepts (ARN shapes compared with
 *   deploy-time tokens standing for names, never for a `:`); actions without resource types only
 *   with `Resource: "*"`;
 * - each resource names something at least one of the statement's actions accepts (a parent
 *   beside a live child, as aws-cdk-lib grants `bucket` with `bucket/*`, is not reported);
 * - each condition key is global or a key of one of the statement's services.
 */
import { Part, Template, pathOf, render, show } from './intrinsics';
import { ReferenceAction, SAR_SOURCE, action, actionsOf, arnFormat, conditionKeyExists, serviceExists } from './iam-reference';
import { actionGlob, intersects, policyPattern, referencePattern } from './patterns';
import { Violation } from './violation';

/**
 * Where a service's own guide and the Service Authorization Reference disagree, we follow the
 * guide: these resource formats are accepted for the action in addition to the reference's.
 */
export const GUIDE_EXCEPTIONS: Array<{ action: string; arnFormats: string[]; source: string }> = [
  // The reference lists no resource type for these CodeDeploy actions; the CodeDeploy permissions
  // reference names the deployment group for each.
  ...['PutLifecycleEventHookExecutionStatus', 'StopDeployment', 'GetDeploymentTarget', 'ListDeploymentTargets'].map((name) => ({
    action: `codedeploy:${name}`,
    arnFormats: ['arn:${Partition}:codedeploy:${Region}:${Account}:deploymentgroup:${ApplicationName}/${DeploymentGroupName}'],
    source: 'https://docs.aws.amazon.com/codedeploy/latest/userguide/auth-and-access-control-permissions-reference.html',
  })),
];

interface Document { readonly doc: any; readonly at: string }

/** The policy documents of a resource, with their JSON paths. */
function documents(type: string, props: any): Document[] {
  if (!props) return [];
  const docs: Document[] = [];
  const add = (doc: unknown, at: string) => {
    if (doc && typeof doc === 'object') docs.push({ doc, at });
    else if (typeof doc === 'string') {
      try {
        docs.push({ doc: JSON.parse(doc), at });
      } catch {
        // a policy built with intrinsics: not readable here
      }
    }
  };
  switch (type) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
    case 'AWS::IAM::RolePolicy':
    case 'AWS::S3::BucketPolicy':
    case 'AWS::SNS::TopicPolicy':
    case 'AWS::SQS::QueuePolicy':
    case 'AWS::Logs::ResourcePolicy':
      add(props.PolicyDocument, 'Properties.PolicyDocument');
      break;
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      if (type === 'AWS::IAM::Role') add(props.AssumeRolePolicyDocument, 'Properties.AssumeRolePolicyDocument');
      (Array.isArray(props.Policies) ? props.Policies : []).forEach((p: any, i: number) => add(p?.PolicyDocument, `Properties.Policies[${i}].PolicyDocument`));
      break;
    case 'AWS::KMS::Key':
      add(props.KeyPolicy, 'Properties.KeyPolicy');
      break;
    case 'AWS::ECR::Repository':
      add(props.RepositoryPolicyText, 'Properties.RepositoryPolicyText');
      break;
    case 'AWS::SecretsManager::ResourcePolicy':
      add(props.ResourcePolicy, 'Properties.ResourcePolicy');
      break;
    case 'AWS::Lambda::Permission':
      docs.push({ doc: { Statement: [{ Effect: 'Allow', Action: props.Action }] }, at: 'Properties' });
      break;
  }
  return docs;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const formatCache = new Map<string, ReturnType<typeof referencePattern>>();
function formatsOf(service: string, a: ReferenceAction): string[] {
  const own = a.resourceTypes.map((t) => arnFormat(service, t.name)).filter((f): f is string => !!f);
  const extra = GUIDE_EXCEPTIONS.filter((e) => e.action.toLowerCase() === `${service}:${a.name}`.toLowerCase()).flatMap((e) => e.arnFormats);
  return [...own, ...extra];
}

type Resource = { parts: Part[]; star: boolean; unknown: boolean; pattern: ReturnType<typeof policyPattern> };

function grants(service: string, a: ReferenceAction, r: Resource): boolean {
  if (r.star || r.unknown) return true;
  // A resource type without a published format: nothing to compare it with.
  if (a.resourceTypes.some((t) => !arnFormat(service, t.name))) return true;
  const formats = formatsOf(service, a);
  return formats.some((f) => {
    if (!formatCache.has(f)) formatCache.set(f, referencePattern(f));
    return intersects(r.pattern, formatCache.get(f)!);
  });
}

interface Named { readonly service: string; readonly action: ReferenceAction }

/** Checks every Allow statement of every policy document in a template. */
export function checkIam(template: Template): Violation[] {
  const violations: Violation[] = [];
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    for (const { doc, at } of documents(res.Type, res.Properties)) {
      list(doc.Statement).forEach((st: any, i) => {
        if (!st || st.Effect !== 'Allow') return;
        const here = (suffix: string) => `${at}.Statement[${i}]${suffix}`;
        const violation = (suffix: string, found: string, requires: string, source = SAR_SOURCE) =>
          violations.push({ contract: 'IAM', resource: id, constructPath: pathOf(template, id), at: here(suffix), found, requires, source });
        checkStatement(template, st, violation);
      });
    }
  }
  return violations;
}

function checkStatement(template: Template, st: any, violation: (suffix: string, found: string, requires: string, source?: string) => void): void {
  const actionList = list(st.Action);
  const named: Named[][] = [];
  const services = new Set<string>();
  actionList.forEach((raw, k) => {
    const suffix = Array.isArray(st.Action) ? `.Action[${k}]` : '.Action';
    if (typeof raw !== 'string') return;
    if (raw === '*') { named.push([]); return; }
    const [service, name] = raw.split(/:(.*)/);
    if (!name || !serviceExists(service)) {
      violation(suffix, raw, `an action of an existing service prefix ('${service}' is not one)`);
      named.push([]);
      return;
    }
    services.add(service.toLowerCase());
    if (/[*?]/.test(name)) {
      const glob = actionGlob(name);
      const matches = actionsOf(service).filter((a) => glob.test(a.name));
      if (matches.length === 0) violation(suffix, raw, `a wildcard that matches at least one ${service} action (it matches none)`);
      named.push(matches.map((a) => ({ service, action: a })));
    } else {
      const a = action(service, name);
      if (!a) violation(suffix, raw, `an action that exists: ${service} has no action '${name}'`);
      named.push(a ? [{ service, action: a }] : []);
    }
  });

  if ('Resource' in st) {
    const resources: Array<Resource | undefined> = list(st.Resource).map((r) => {
      const parts = render(r, template);
      if (!parts) return undefined;
      const star = parts.length === 1 && 'lit' in parts[0] && parts[0].lit === '*';
      const unknown = parts.length === 1 && !('lit' in parts[0]) && parts[0].token === 'any';
      return { parts, star, unknown, pattern: policyPattern(parts) };
    });
    const known = resources.filter((r): r is Resource => r !== undefined);
    let reported = false;
    named.forEach((actions, k) => {
      if (actions.length === 0 || known.length === 0) return;
      const suffix = Array.isArray(st.Action) ? `.Action[${k}]` : '.Action';
      if (actions.some((a) => known.some((r) => grants(a.service, a.action, r)))) return;
      reported = true;
      const raw = String(actionList[k]);
      const shown = known.map((r) => show(r.parts)).join(', ');
      const formats = [...new Set(actions.flatMap((a) => formatsOf(a.service, a.action)))];
      if (formats.length === 0) {
        violation(suffix, `${raw} on ${shown}`, `Resource "*": ${raw} has no resource-level permissions, so a statement naming a resource grants nothing`);
      } else {
        violation(suffix, `${raw} on ${shown}`, `a resource of a type ${raw} accepts: ${formats.join(' or ')}`);
      }
    });
    // With Action "*" in the statement every resource is granted something.
    if (!reported && !actionList.includes('*')) {
      const all = named.flat();
      const live = known.filter((r) => all.some((a) => grants(a.service, a.action, r))).map((r) => show(r.parts));
      resources.forEach((r, k) => {
        if (!r || all.length === 0 || all.some((a) => grants(a.service, a.action, r))) return;
        // aws-cdk-lib grants a parent beside its children (a bucket with bucket/*, a function with
        // function:*) for actions of either level: the parent is not reported when a child is live.
        const text = show(r.parts);
        if (live.some((l) => l.startsWith(text) && '/:'.includes(l.charAt(text.length)))) return;
        const suffix = Array.isArray(st.Resource) ? `.Resource[${k}]` : '.Resource';
        const formats = [...new Set(all.flatMap((a) => formatsOf(a.service, a.action)))];
        violation(suffix, show(r.parts), `a resource one of the statement's actions (${actionList.join(', ')}) accepts: ${formats.join(' or ') || 'only "*"'}`);
      });
    }
  }

  const conditions = st.Condition && typeof st.Condition === 'object' ? st.Condition : {};
  // A web identity's keys are named after its provider (token.actions.githubusercontent.com:sub).
  const webIdentity = actionList.some((a) => typeof a === 'string' && /^sts:AssumeRoleWith(WebIdentity|SAML)$/i.test(a));
  for (const [operator, block] of Object.entries(conditions)) {
    if (!block || typeof block !== 'object') continue;
    for (const key of Object.keys(block as object)) {
      if (actionList.includes('*') && !key.startsWith('aws:')) continue;
      if (webIdentity && /^[^:]*\.[^:]*:/.test(key)) continue;
      if (!conditionKeyExists(key, [...services])) {
        violation(`.Condition.${operator}`, key, `a global condition key or a condition key of ${[...services].join(', ') || 'the statement\'s services'}`);
      }
    }
  }
}
