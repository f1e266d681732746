/* eslint-disable @typescript-eslint/no-explicit-any -- rules read the untyped JSON of synthesized templates */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { renderedProperties } from '../private/template';

/** How serious a finding of a rule is. */
export enum RuleLevel {
  /** CloudFormation, CodePipeline, CodeBuild or CodeDeploy rejects it, or the run fails. */
  ERROR = 'Error',
  /** Works, but against a security or reliability practice. */
  WARNING = 'Warning',
}

/**
 * A synth-time rule over the CloudFormation properties of one resource type. The properties are
 * those of the synthesized template (PascalCase, intrinsics resolved), so a rule sees resources
 * made with this library, with aws-cdk-lib L2s or with L1s alike.
 *
 * @internal
 */
export interface DeliveryRule {
  /** Rule id, the name of its file: `Delivery-<id>` in cdk-nag reports and suppressions. */
  readonly id: string;
  /** The CloudFormation resource type it checks. */
  readonly resourceType: string;
  readonly level: RuleLevel;
  /** What a finding means, in one sentence. */
  readonly info: string;
  /** The limit or practice, and where AWS documents it. */
  readonly explanation: string;
  /** How to fix a finding, as an imperative sentence. */
  readonly fix: string;
  /**
   * Findings of the rule on one resource: short strings naming what is wrong (the cdk-nag
   * `appliesTo` of a suppression); none when the resource complies.
   */
  check(properties: any, resource: CfnResource): string[];
}

/** The resource's properties as the template will hold them. */
export function templateProperties(resource: CfnResource): any {
  return renderedProperties(resource);
}

/** A concrete string (not an unresolved intrinsic such as `{ Ref: ... }` or `{ Fn::Join: ... }`). */
export function isLiteral(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('${Token[');
}

/** A concrete number. */
export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The resource of the same template with this logical id, and its properties, if there is one. */
export function resourceById(resource: CfnResource, logicalId: string | undefined): { Type: string; Properties: any } | undefined {
  if (logicalId === undefined) return undefined;
  const stack = Stack.of(resource);
  for (const c of stack.node.findAll()) {
    if (c instanceof CfnResource && Stack.of(c) === stack && stack.resolve(c.logicalId) === logicalId) {
      return { Type: c.cfnResourceType, Properties: templateProperties(c) };
    }
  }
  return undefined;
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at, if it is one. */
export function referencedId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string') return o.Ref;
    if (Array.isArray(o['Fn::GetAtt'])) return o['Fn::GetAtt'][0] as string;
  }
  return undefined;
}
