/* eslint-disable @typescript-eslint/no-explicit-any -- contracts read the untyped JSON of templates, reference data and SDK messages */
/**
 * The API-call contract: every AWS API call a template makes through a custom resource
 * (aws-cdk-lib's AwsCustomResource, and integ-tests' awsApiCall assertions) names an operation of
 * the service's SDK v3 client, with parameters that match its input shape (member names and
 * casing, required members, enum values, types); errors it ignores are errors the operation
 * throws; and the function's role is allowed the action.
 */
import { TOKEN, Template, marker, pathOf, withMarkers } from './intrinsics';
import { Shape, iamPrefix, sdkPackage, serviceModel } from './sdk-models';
import { actionGlob } from './patterns';
import { Violation } from './violation';


interface Call {
  readonly at: string;
  readonly service: string;
  readonly action: string;
  readonly parameters: unknown;
  readonly ignoreErrorCodesMatching?: string;
}

function callsOf(props: any, template: Template): Call[] | string {
  const calls: Call[] = [];
  for (const key of ['Create', 'Update', 'Delete']) {
    if (props[key] === undefined) continue;
    const text = withMarkers(props[key], template, marker);
    if (text === undefined) return `Properties.${key} is not a string`;
    let call: any;
    try {
      call = JSON.parse(text);
    } catch {
      return `Properties.${key} is not JSON once its tokens are read as text`;
    }
    if (call && typeof call.service === 'string' && typeof call.action === 'string') {
      calls.push({ at: `Properties.${key}`, service: call.service, action: call.action, parameters: call.parameters ?? {}, ignoreErrorCodesMatching: call.ignoreErrorCodesMatching });
    }
  }
  if (typeof props.service === 'string' && typeof props.api === 'string') {
    // integ-tests assertions: each parameter is a JSON document.
    const parameters: { [k: string]: unknown } = {};
    for (const [k, v] of Object.entries(props.parameters ?? {})) {
      const text = withMarkers(v, {}, marker);
      try {
        parameters[k] = text === undefined ? marker() : JSON.parse(text);
      } catch {
        parameters[k] = text;
      }
    }
    calls.push({ at: 'Properties', service: props.service, action: props.api, parameters });
  }
  return calls;
}

const isToken = (v: unknown) => typeof v === 'string' && v.includes(TOKEN);

function checkShape(value: unknown, shape: Shape, structures: any, at: string, add: (at: string, found: string, requires: string) => void): void {
  if (value === undefined || isToken(value)) return;
  switch (shape.type) {
    case 'structure':
    case 'ref': {
      const structure = structures[shape.name];
      if (!structure) return;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        add(at, JSON.stringify(value), `an object (${shape.name})`);
        return;
      }
      const members = Object.keys(structure.members);
      for (const [k, v] of Object.entries(value as object)) {
        const member = structure.members[k];
        if (!member) {
          const other = members.find((m) => m.toLowerCase() === k.toLowerCase());
          add(`${at}.${k}`, k, other ? `the member name '${other}' (casing matters)` : `a member of ${shape.name}: ${members.join(', ')}`);
          continue;
        }
        checkShape(v, member.shape, structures, `${at}.${k}`, add);
      }
      for (const [k, m] of Object.entries(structure.members) as Array<[string, { required: boolean }]>) {
        if (m.required && (value as any)[k] === undefined) add(`${at}.${k}`, 'missing', `the required member ${k} of ${shape.name}`);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) add(at, JSON.stringify(value), 'a list');
      else value.forEach((v, i) => checkShape(v, shape.member, structures, `${at}[${i}]`, add));
      return;
    case 'map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) add(at, JSON.stringify(value), 'a map');
      else Object.entries(value as object).forEach(([k, v]) => checkShape(v, shape.value, structures, `${at}.${k}`, add));
      return;
    case 'string':
      if (typeof value !== 'string') add(at, JSON.stringify(value), 'a string');
      else if (shape.enum && !shape.enum.includes(value)) add(at, JSON.stringify(value), `one of ${shape.enum.join(', ')}`);
      return;
    case 'number':
      // AwsCustomResource and the assertion provider turn numeric strings into numbers.
      if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) add(at, JSON.stringify(value), 'a number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') add(at, JSON.stringify(value), 'a boolean');
      return;
    default:
      return;
  }
}

/** Statements of the policies attached to the role of the function behind a ServiceToken. */
function providerStatements(props: any, template: Template): any[] | undefined {
  const fnId = props.ServiceToken?.['Fn::GetAtt']?.[0];
  const fn = fnId ? template.Resources?.[fnId] : undefined;
  const roleId = fn?.Properties?.Role?.['Fn::GetAtt']?.[0];
  const role = roleId ? template.Resources?.[roleId] : undefined;
  if (!role) return undefined;
  const statements: any[] = [];
  const add = (doc: any) => statements.push(...(Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : []));
  (role.Properties?.Policies ?? []).forEach((p: any) => add(p.PolicyDocument));
  for (const r of Object.values(template.Resources ?? {})) {
    if (r.Type === 'AWS::IAM::Policy' && (r.Properties?.Roles ?? []).some((x: any) => x?.Ref === roleId)) add(r.Properties.PolicyDocument);
  }
  return statements;
}

/** Checks every API call the template's custom resources make. */
export function checkSdkCalls(template: Template): Violation[] {
  const violations: Violation[] = [];
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    if (!res.Type.startsWith('Custom::') || !res.Properties) continue;
    const calls = callsOf(res.Properties, template);
    const add = (at: string, found: string, requires: string, source: string) =>
      violations.push({ contract: 'SDK call', resource: id, constructPath: pathOf(template, id), at, found, requires, source });
    if (typeof calls === 'string') {
      add(calls.split(' ')[0], calls, 'a call AwsCustomResource can read', 'https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.custom_resources.AwsCustomResource.html');
      continue;
    }
    for (const call of calls) {
      const pkg = sdkPackage(call.service);
      const model = serviceModel(pkg);
      if (!model) {
        add(`${call.at}.service`, call.service, `a service with an SDK v3 client (${pkg} is not installed: add it to devDependencies so this call can be checked)`, 'https://www.npmjs.com/search?q=%40aws-sdk%2Fclient-');
        continue;
      }
      const source = `${model.package} ${model.version} (the AWS SDK for JavaScript v3 service model)`;
      const opName = call.action.replace(/Command$/, '');
      const op = model.operations[opName.charAt(0).toUpperCase() + opName.slice(1)];
      if (!op) {
        add(`${call.at}.action`, call.action, `an operation of ${pkg}`, source);
        continue;
      }
      const opId = opName.charAt(0).toUpperCase() + opName.slice(1);
      checkShape(call.parameters, { type: 'structure', name: op.input }, model.structures, `${call.at}.parameters`, (at, found, requires) => add(at, found, `${opId}: ${requires}`, source));
      if (call.ignoreErrorCodesMatching) {
        let re: RegExp | undefined;
        try {
          re = new RegExp(call.ignoreErrorCodesMatching);
        } catch {
          re = undefined;
        }
        if (!re || !op.errors.some((e) => re!.test(e))) {
          add(`${call.at}.ignoreErrorCodesMatching`, call.ignoreErrorCodesMatching, `a pattern matching an error ${opId} throws: ${op.errors.join(', ')}`, source);
        }
      }
      const statements = providerStatements(res.Properties, template);
      const action = `${iamPrefix(pkg)}:${opId}`;
      const allowed = statements?.some((s) => s.Effect === 'Allow' && (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a: unknown) => typeof a === 'string' && actionGlob(a).test(action)));
      if (statements && !allowed) {
        add(`${call.at}.action`, call.action, `the function's role to allow ${action}`, 'https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html');
      }
    }
  }
  return violations;
}
