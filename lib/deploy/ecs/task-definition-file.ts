import { CfnElement, CfnParameter, CfnResource, Fn, Lazy, Stack } from 'aws-cdk-lib';
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
  const cfn = taskDefinition.node.defaultChild as CfnResource;
  return Lazy.string({
    produce: () => {
      // The resolved properties of the task definition resource (an internal of CfnResource, used
      // because the L1 keeps its properties protected).
      const rendered = stack.resolve((cfn as unknown as { _toCloudFormation(): Record<string, { Properties?: unknown }> })._toCloudFormation());
      const resource = Object.values(rendered.Resources ?? rendered)[0] as { Properties: Record<string, unknown> };
      const props = camelize(resource.Properties) as Record<string, unknown>;
      const containers = (props.containerDefinitions as Array<Record<string, unknown>>) ?? [];
      for (const c of containers) {
        if (c.name === containerName) c.image = `<${IMAGE_PLACEHOLDER}>`;
      }
      // Intrinsics become references to the service stack's own elements again, so a pipeline in
      // another stack gets CloudFormation exports for them (raw Refs would name nothing there).
      const elements = new Map(stack.node.findAll().filter((c): c is CfnElement => c instanceof CfnElement).map((e) => [stack.resolve(e.logicalId) as string, e]));
      return stack.toJsonString(retokenize(props, elements), 2);
    },
  });
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
 * Ref or GetAtt of an element of the service's stack becomes a reference to that element.
 */
function retokenize(value: unknown, elements: Map<string, CfnElement>): unknown {
  const retokenize_ = (v: unknown) => retokenize(v, elements);
  if (Array.isArray(value)) return value.map(retokenize_);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (isIntrinsic(o)) {
    const [key, arg] = Object.entries(o)[0] as [string, unknown];
    switch (key) {
      case 'Ref': {
        const element = elements.get(arg as string);
        if (element instanceof CfnResource) return element.ref;
        if (element instanceof CfnParameter) return element.valueAsString;
        return Fn.ref(arg as string);
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = arg as string[];
        const element = elements.get(id);
        return element instanceof CfnResource ? element.getAtt(attribute).toString() : Fn.getAtt(id, attribute).toString();
      }
      case 'Fn::Join': return Fn.join((arg as [string, unknown[]])[0], ((arg as [string, unknown[]])[1]).map((p) => retokenize_(p) as string));
      case 'Fn::Select': return Fn.select((arg as [number, unknown])[0], retokenize_((arg as [number, unknown])[1]) as string[]);
      case 'Fn::Split': return Fn.split((arg as [string, unknown])[0], retokenize_((arg as [string, unknown])[1]) as string);
      case 'Fn::ImportValue': return Fn.importValue(retokenize_(arg) as string);
      case 'Fn::Sub': return typeof arg === 'string' ? Fn.sub(arg) : Fn.sub((arg as [string, Record<string, string>])[0], (arg as [string, Record<string, string>])[1]);
      default: throw new Error(`cdk-delivery: cannot render ${key} into taskdef.json`);
    }
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, retokenize_(v)]));
}
