/* eslint-disable @typescript-eslint/no-explicit-any -- contracts read the untyped JSON of templates, reference data and SDK messages */
/**
 * Renders CloudFormation values (strings and intrinsic functions) into parts: literal text, and
 * tokens for what is known only at deploy time. A token is a *name* (one or more characters,
 * never a `:`: an account id, a role name with its path), a *segment* (a name that holds no `/`
 * either: a bucket name, a function name) or *any* value (an imported value, a parameter, an
 * attribute of a type we do not know), so a contract never mistakes a token for the punctuation of
 * an ARN.
 */

/** A piece of a rendered string. */
export type Part =
  | { readonly lit: string }
  | { readonly token: 'name' | 'segment' | 'any'; readonly shown: string };

export type Template = { Resources?: { [id: string]: { Type: string; Properties?: any; Metadata?: any } }; Parameters?: { [id: string]: unknown } };

const name = (shown: string): Part => ({ token: 'name', shown });
const any = (shown: string): Part => ({ token: 'any', shown });

/**
 * ARNs that CloudFormation returns for `Fn::GetAtt X.Arn` (or `Ref X`, where Ref gives an ARN),
 * per resource type, from the resource type reference pages ("Return values"). `N` stands for a
 * name that may hold a `/`, `S` for one that cannot, `P`, `R` and `A` for the partition, region
 * and account.
 */
const ARN_OF_TYPE: { [type: string]: { attrs: string[]; ref?: boolean; arn: string } } = {
  'AWS::S3::Bucket': { attrs: ['Arn'], arn: 'arn:P:s3:::S' },
  'AWS::IAM::Role': { attrs: ['Arn'], arn: 'arn:P:iam::A:role/N' },
  'AWS::IAM::User': { attrs: ['Arn'], arn: 'arn:P:iam::A:user/N' },
  'AWS::IAM::ManagedPolicy': { attrs: ['PolicyArn'], ref: true, arn: 'arn:P:iam::A:policy/N' },
  'AWS::IAM::InstanceProfile': { attrs: ['Arn'], arn: 'arn:P:iam::A:instance-profile/N' },
  'AWS::KMS::Key': { attrs: ['Arn'], arn: 'arn:P:kms:R:A:key/S' },
  'AWS::Lambda::Function': { attrs: ['Arn'], arn: 'arn:P:lambda:R:A:function:S' },
  'AWS::Lambda::Version': { attrs: ['FunctionArn'], ref: true, arn: 'arn:P:lambda:R:A:function:S:S' },
  'AWS::Lambda::Alias': { attrs: ['AliasArn'], ref: true, arn: 'arn:P:lambda:R:A:function:S:S' },
  'AWS::SNS::Topic': { attrs: ['TopicArn'], ref: true, arn: 'arn:P:sns:R:A:S' },
  'AWS::SQS::Queue': { attrs: ['Arn'], arn: 'arn:P:sqs:R:A:S' },
  'AWS::CodeBuild::Project': { attrs: ['Arn'], arn: 'arn:P:codebuild:R:A:project/S' },
  'AWS::CodeBuild::ReportGroup': { attrs: ['Arn'], ref: true, arn: 'arn:P:codebuild:R:A:report-group/S' },
  'AWS::ECR::Repository': { attrs: ['Arn'], arn: 'arn:P:ecr:R:A:repository/N' },
  'AWS::Logs::LogGroup': { attrs: ['Arn'], arn: 'arn:P:logs:R:A:log-group:N:*' },
  'AWS::CodeCommit::Repository': { attrs: ['Arn'], arn: 'arn:P:codecommit:R:A:S' },
  'AWS::CodeStarConnections::Connection': { attrs: ['ConnectionArn'], ref: true, arn: 'arn:P:codestar-connections:R:A:connection/S' },
  'AWS::CodeConnections::Connection': { attrs: ['ConnectionArn'], ref: true, arn: 'arn:P:codeconnections:R:A:connection/S' },
  'AWS::SecretsManager::Secret': { attrs: ['Id'], ref: true, arn: 'arn:P:secretsmanager:R:A:secret:N' },
  'AWS::ECS::Cluster': { attrs: ['Arn'], arn: 'arn:P:ecs:R:A:cluster/S' },
  'AWS::ECS::TaskDefinition': { attrs: ['TaskDefinitionArn'], ref: true, arn: 'arn:P:ecs:R:A:task-definition/S:S' },
  'AWS::ECS::Service': { attrs: ['ServiceArn'], ref: true, arn: 'arn:P:ecs:R:A:service/S/S' },
  'AWS::ElasticLoadBalancingV2::TargetGroup': { attrs: ['TargetGroupArn'], ref: true, arn: 'arn:P:elasticloadbalancing:R:A:targetgroup/S/S' },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': { attrs: ['LoadBalancerArn'], ref: true, arn: 'arn:P:elasticloadbalancing:R:A:loadbalancer/S/S/S' },
  'AWS::ElasticLoadBalancingV2::Listener': { attrs: ['ListenerArn'], ref: true, arn: 'arn:P:elasticloadbalancing:R:A:listener/S/S/S/S' },
  'AWS::CloudWatch::Alarm': { attrs: ['Arn'], arn: 'arn:P:cloudwatch:R:A:alarm:N' },
  'AWS::Events::Rule': { attrs: ['Arn'], arn: 'arn:P:events:R:A:rule/S' },
  'AWS::StepFunctions::StateMachine': { attrs: ['Arn'], ref: true, arn: 'arn:P:states:R:A:stateMachine:S' },
  'AWS::CodeStarNotifications::NotificationRule': { attrs: ['Arn'], ref: true, arn: 'arn:P:codestar-notifications:R:A:notificationrule/S' },
  'AWS::Chatbot::SlackChannelConfiguration': { attrs: ['Arn'], ref: true, arn: 'arn:P:chatbot::A:chat-configuration/slack-channel/N' },
};

function sampleArn(arn: string, shown: string): Part[] {
  const parts: Part[] = [];
  for (const piece of arn.split(/(\b[PRANS]\b)/)) {
    if (piece === '') continue;
    if (piece === 'S') parts.push({ token: 'segment', shown: `${shown}:${piece}` });
    else if (/^[PRAN]$/.test(piece)) parts.push(name(`${shown}:${piece}`));
    else parts.push({ lit: piece });
  }
  return parts;
}

const PSEUDO: { [ref: string]: Part } = {
  'AWS::Partition': name('${AWS::Partition}'),
  'AWS::Region': name('${AWS::Region}'),
  'AWS::AccountId': name('${AWS::AccountId}'),
  'AWS::StackName': name('${AWS::StackName}'),
  'AWS::StackId': any('${AWS::StackId}'),
  'AWS::URLSuffix': { lit: 'amazonaws.com' },
  'AWS::NotificationARNs': any('${AWS::NotificationARNs}'),
};

/** Types whose Ref is a name or an id (never an ARN); other Refs could be anything. */
const REF_IS_NAME = new Set([
  'AWS::S3::Bucket', 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group', 'AWS::IAM::InstanceProfile', 'AWS::KMS::Key', 'AWS::KMS::Alias',
  'AWS::Lambda::Function', 'AWS::CodeBuild::Project', 'AWS::CodePipeline::Pipeline', 'AWS::CodeDeploy::Application',
  'AWS::CodeDeploy::DeploymentGroup', 'AWS::CodeDeploy::DeploymentConfig', 'AWS::CodeCommit::Repository', 'AWS::ECR::Repository',
  'AWS::ECS::Cluster', 'AWS::Logs::LogGroup', 'AWS::CloudWatch::Alarm', 'AWS::Events::Rule', 'AWS::AutoScaling::AutoScalingGroup',
  'AWS::SSM::Parameter', 'AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup',
]);

function ref(id: string, template: Template): Part[] {
  if (PSEUDO[id]) return [PSEUDO[id]];
  const resource = template.Resources?.[id];
  if (!resource) return [any(`\${${id}}`)];
  const known = ARN_OF_TYPE[resource.Type];
  if (known?.ref) return sampleArn(known.arn, `\${${id}}`);
  return REF_IS_NAME.has(resource.Type) ? [name(`\${${id}}`)] : [any(`\${${id}}`)];
}

function getAtt(id: string, attr: string, template: Template): Part[] {
  const resource = template.Resources?.[id];
  const shown = `\${${id}.${attr}}`;
  const known = resource ? ARN_OF_TYPE[resource.Type] : undefined;
  if (known && known.attrs.includes(attr)) return sampleArn(known.arn, shown);
  // Names and ids hold no ':'; ARNs, URLs and outputs may.
  if (resource && /(Name|Id)$/.test(attr)) return [name(shown)];
  return [any(shown)];
}

function sub(text: string, vars: { [k: string]: unknown }, template: Template): Part[] {
  const parts: Part[] = [];
  const re = /\$\{([^}]*)\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push({ lit: text.slice(last, m.index) });
    const inner = m[1];
    if (inner.startsWith('!')) parts.push({ lit: `\${${inner.slice(1)}}` });
    else if (inner in vars) parts.push(...(render(vars[inner], template) ?? [any(m[0])]));
    else if (inner.includes('.')) parts.push(...getAtt(inner.slice(0, inner.indexOf('.')), inner.slice(inner.indexOf('.') + 1), template));
    else parts.push(...ref(inner, template));
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ lit: text.slice(last) });
  return parts;
}

/** Renders a value as parts; undefined when it is not a string-like value (an object or list). */
export function render(value: unknown, template: Template): Part[] | undefined {
  if (typeof value === 'string') return [{ lit: value }];
  if (typeof value === 'number' || typeof value === 'boolean') return [{ lit: String(value) }];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [fn] = keys;
  const arg = (value as any)[fn];
  switch (fn) {
    case 'Ref': return ref(String(arg), template);
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
      return getAtt(String(id), String(attr), template);
    }
    case 'Fn::Join': {
      const [sep, list] = arg;
      if (!Array.isArray(list)) return [any(JSON.stringify(value))];
      const parts: Part[] = [];
      list.forEach((item, i) => {
        if (i > 0 && sep) parts.push({ lit: sep });
        parts.push(...(render(item, template) ?? [any(JSON.stringify(item))]));
      });
      return parts;
    }
    case 'Fn::Sub': return Array.isArray(arg) ? sub(String(arg[0]), arg[1] ?? {}, template) : sub(String(arg), {}, template);
    default: return [any(JSON.stringify(value))];
  }
}

/** A rendered value as text, tokens shown as `${...}`. */
export function show(parts: Part[]): string {
  return parts.map((p) => ('lit' in p ? p.lit : p.shown.startsWith('${') ? p.shown : `\${${p.shown}}`)).join('');
}

/** Joins adjacent literals. */
export function compact(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if ('lit' in p && last && 'lit' in last) out[out.length - 1] = { lit: last.lit + p.lit };
    else out.push(p);
  }
  return out;
}

/** The value rendered as text when it is wholly literal, otherwise undefined. */
export function literal(value: unknown, template: Template): string | undefined {
  const parts = render(value, template);
  if (!parts || parts.some((p) => !('lit' in p))) return undefined;
  return parts.map((p) => (p as { lit: string }).lit).join('');
}

let counter = 0;
/** What every token marker starts with. */
export const TOKEN = '«token';
/** A new marker for a token, different from every other, so two tokens never read as the same text (two map keys, say). */
export const marker = () => `${TOKEN}${++counter}»`;

/**
 * The value rendered as text with each token replaced by a marker the caller picks (for example to
 * parse a JSON document whose strings hold tokens).
 */
export function withMarkers(value: unknown, template: Template, marker: (p: Part) => string): string | undefined {
  const parts = render(value, template);
  return parts?.map((p) => ('lit' in p ? p.lit : marker(p))).join('');
}

/** The construct path CDK records for a resource, for messages. */
export function pathOf(template: Template, id: string): string {
  return template.Resources?.[id]?.Metadata?.['aws:cdk:path'] ?? id;
}
