import { CfnElement, CfnParameter, CfnResource, Fn, Lazy, Resource, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { internalError, nameableAcrossEnvironments } from '../../private/validation';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** Maps whose keys are the user's, not CloudFormation property names: copied as they are. */
const FREE_FORM = new Set(['Options', 'DockerLabels', 'DriverOpts', 'Labels']);
/** CloudFormation names whose RegisterTaskDefinition name is not the first-letter-lowercase form. */
const RENAMED: { [cfn: string]: string } = {
  EFSVolumeConfiguration: 'efsVolumeConfiguration',
  FilesystemId: 'fileSystemId',
  IAM: 'iam',
  FSxWindowsFileServerVolumeConfiguration: 'fsxWindowsFileServerVolumeConfiguration',
  ProxyConfigurationProperties: 'properties',
};
/** CloudFormation properties that RegisterTaskDefinition does not take in taskdef.json (tags need ecs:TagResource). */
const DROPPED = new Set(['Tags']);

/** The placeholder CodeDeployToECS replaces with the image of `imageDetail.json` (Image1ContainerName). */
export const IMAGE_PLACEHOLDER = 'IMAGE1_NAME';

/**
 * The taskdef.json CodeDeployToECS registers, rendered from the task definition in the stack:
 * CloudFormation property names become the API's camelCase names, the deployed container's image
 * becomes `<IMAGE1_NAME>`, and values known only at deploy time (role ARNs, log groups) are
 * filled in by CloudFormation, so the file always matches the stack.
 */
export function taskDefinitionFile(taskDefinition: ecs.TaskDefinition, containerName: string): string {
  const stack = Stack.of(taskDefinition);
  return Lazy.string({
    produce: () => {
      const props = camelize(renderedProperties(taskDefinition)) as Record<string, unknown>;
      const containers = (props.containerDefinitions as Array<Record<string, unknown>>) ?? [];
      for (const c of containers) {
        if (c.name === containerName) c.image = `<${IMAGE_PLACEHOLDER}>`;
      }
      // Intrinsics become references to the service stack's own resources again, so a pipeline in
      // another stack gets CloudFormation exports for them (raw Refs would name nothing there), and
      // one in another account or region gets their physical names.
      return stack.toJsonString(retokenize(props, elementsOf(stack), stack), 2);
    },
  });
}

/**
 * What the file names in the service's stack that another environment's pipeline cannot: resources
 * without a physical name, and elements with no name at all (parameters, conditions).
 */
export function unnameableReferences(taskDefinition: ecs.TaskDefinition): string[] {
  const stack = Stack.of(taskDefinition);
  const elements = elementsOf(stack);
  const out = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    const id = typeof o.Ref === 'string' ? o.Ref : Array.isArray(o['Fn::GetAtt']) ? (o['Fn::GetAtt'] as string[])[0] : undefined;
    if (id !== undefined && !id.startsWith('AWS::')) {
      const element = elements.get(id);
      const named = element ? nameOf(element, typeof o.Ref === 'string' ? undefined : (o['Fn::GetAtt'] as string[])[1]) : undefined;
      if (!element || named === undefined) out.add(element ? element.node.path : id);
      else if (!nameableAcrossEnvironments(named.resource, named.value)) out.add(named.resource.node.path);
      return;
    }
    Object.values(o).forEach(visit);
  };
  visit(renderedProperties(taskDefinition));
  return [...out];
}

/** The resolved properties of the task definition resource. */
function renderedProperties(taskDefinition: ecs.TaskDefinition): Record<string, unknown> {
  const stack = Stack.of(taskDefinition);
  const cfn = taskDefinition.node.defaultChild as CfnResource;
  // An internal of CfnResource, used because the L1 keeps its properties protected.
  const rendered = stack.resolve((cfn as unknown as { _toCloudFormation(): Record<string, { Properties?: unknown }> })._toCloudFormation());
  return (Object.values(rendered.Resources ?? rendered)[0] as { Properties: Record<string, unknown> }).Properties;
}

function elementsOf(stack: Stack): Map<string, CfnElement> {
  return new Map(stack.node.findAll().filter((c): c is CfnElement => c instanceof CfnElement).map((e) => [stack.resolve(e.logicalId) as string, e]));
}

/**
 * The L2 attribute a Ref (no attribute) or GetAtt of an element stands for, for the resources a
 * task definition names: roles, log groups, functions, repositories. Their tokens resolve to
 * physical names in another environment; the L1's do not.
 */
function nameOf(element: CfnElement, attribute: string | undefined): { resource: Resource; value: string } | undefined {
  const owner = element.node.scope;
  if (owner instanceof iam.Role) return { resource: owner, value: attribute === 'Arn' ? owner.roleArn : attribute === 'RoleId' ? owner.roleId : owner.roleName };
  if (owner instanceof logs.LogGroup) return attribute === undefined ? { resource: owner, value: owner.logGroupName } : attribute === 'Arn' ? { resource: owner, value: owner.logGroupArn } : undefined;
  if (owner instanceof lambda.Function) return { resource: owner, value: attribute === 'Arn' ? owner.functionArn : owner.functionName };
  if (owner instanceof ecr.Repository) return attribute === undefined ? { resource: owner, value: owner.repositoryName } : attribute === 'Arn' ? { resource: owner, value: owner.repositoryArn } : undefined;
  return undefined;
}

function camelize(value: unknown, freeForm = false): unknown {
  if (Array.isArray(value)) return value.map((v) => camelize(v));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (isIntrinsic(o)) return o;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(o)) {
    if (freeForm) {
      out[key] = v;
    } else if (!DROPPED.has(key)) {
      out[RENAMED[key] ?? key.charAt(0).toLowerCase() + key.slice(1)] = camelize(v, FREE_FORM.has(key));
    }
  }
  return out;
}

function isIntrinsic(o: Record<string, unknown>): boolean {
  const keys = Object.keys(o);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/**
 * Turns resolved intrinsics back into tokens, so toJsonString renders them as CloudFormation: a
 * Ref or GetAtt of an element of the service's stack becomes a reference to that element (its L2
 * attribute where there is one), and the pseudo parameters name the service's account and region.
 */
function retokenize(value: unknown, elements: Map<string, CfnElement>, stack: Stack): unknown {
  const retokenize_ = (v: unknown) => retokenize(v, elements, stack);
  if (Array.isArray(value)) return value.map(retokenize_);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (isIntrinsic(o)) {
    const [key, arg] = Object.entries(o)[0] as [string, unknown];
    switch (key) {
      case 'Ref': {
        if (arg === 'AWS::Region') return stack.region;
        if (arg === 'AWS::AccountId') return stack.account;
        if (arg === 'AWS::StackName') return stack.stackName;
        const element = elements.get(arg as string);
        const named = element ? nameOf(element, undefined) : undefined;
        if (named) return named.value;
        if (element instanceof CfnResource) return element.ref;
        if (element instanceof CfnParameter) return element.valueAsString;
        return Fn.ref(arg as string);
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = arg as string[];
        const element = elements.get(id);
        const named = element ? nameOf(element, attribute) : undefined;
        if (named) return named.value;
        return element instanceof CfnResource ? element.getAtt(attribute).toString() : Fn.getAtt(id, attribute).toString();
      }
      case 'Fn::Join': return Fn.join((arg as [string, unknown[]])[0], ((arg as [string, unknown[]])[1]).map((p) => retokenize_(p) as string));
      case 'Fn::Select': return Fn.select((arg as [number, unknown])[0], retokenize_((arg as [number, unknown])[1]) as string[]);
      case 'Fn::Split': return Fn.split((arg as [string, unknown])[0], retokenize_((arg as [string, unknown])[1]) as string);
      case 'Fn::ImportValue': return Fn.importValue(retokenize_(arg) as string);
      case 'Fn::Sub': return subOf(arg, elements, stack);
      // unsupportedIntrinsics reports these at bind, with the construct's path.
      default: return internalError(`cannot render ${key} into taskdef.json`);
    }
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, retokenize_(v)]));
}

/** Intrinsics of the task definition that the file cannot carry (conditions, mappings, stack ids). */
export function unsupportedIntrinsics(taskDefinition: ecs.TaskDefinition): string[] {
  const out = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    if (isIntrinsic(o)) {
      const [key, arg] = Object.entries(o)[0];
      if (!['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::ImportValue', 'Fn::Sub'].includes(key)) out.add(key);
      if (key === 'Ref' && (arg === 'AWS::StackId' || arg === 'AWS::NotificationARNs')) out.add(`Ref ${arg}`);
    }
    Object.values(o).forEach(visit);
  };
  visit(renderedProperties(taskDefinition));
  return [...out];
}

/**
 * An `Fn::Sub` with its references made explicit: `${AWS::Region}` and the like become the service
 * stack's values, `${Id}` and `${Id.Attr}` of the stack's elements become variables of the map.
 */
function subOf(arg: unknown, elements: Map<string, CfnElement>, stack: Stack): string {
  const [body, given] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) variables[k] = retokenize(v, elements, stack) as string;
  const pseudo: Record<string, string> = { 'AWS::Region': stack.region, 'AWS::AccountId': stack.account, 'AWS::StackName': stack.stackName };
  const rewritten = body.replace(/\$\{([^!}][^}]*)\}/g, (whole, name: string) => {
    if (name in variables) return whole;
    if (name in pseudo) {
      const key = name.replace(/[^A-Za-z0-9]/g, '');
      variables[key] = pseudo[name];
      return `\${${key}}`;
    }
    const [id, attribute] = name.split('.');
    if (!elements.has(id)) return whole;
    const key = name.replace(/[^A-Za-z0-9]/g, '');
    variables[key] = retokenize(attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id }, elements, stack) as string;
    return `\${${key}}`;
  });
  return Fn.sub(rewritten, variables);
}
