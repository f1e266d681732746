/* eslint-disable @typescript-eslint/no-explicit-any -- the untyped JSON of a rendered resource */
import { CfnResource, Stack } from 'aws-cdk-lib';

/** A resource's properties as the template will hold them (PascalCase, tokens resolved). */
export function renderedProperties(resource: CfnResource): any {
  // `_toCloudFormation` is the L1's rendering of itself (its properties are protected).
  const rendered = Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as { Resources?: Record<string, { Properties?: unknown }> };
  return Object.values(rendered.Resources ?? {})[0]?.Properties ?? {};
}
