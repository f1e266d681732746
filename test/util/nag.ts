/* eslint-disable @typescript-eslint/no-explicit-any -- the two cdk-nag majors have different types */
import { Aspects, IAspect, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as nag from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * cdk-nag 2 packs are Aspects whose findings are annotations; cdk-nag 3 packs are validation
 * plugins whose findings are report violations. The tests run with either (CI's compatibility job
 * installs the newest), through these.
 */
export const CDK_NAG_2 = typeof (nag as any).NagSuppressions !== 'undefined';

/** Adds the AwsSolutions pack where cdk-nag 2 needs it: as an Aspect, before synthesis. */
export function addAwsSolutions(scope: IConstruct): void {
  if (CDK_NAG_2) Aspects.of(scope).add(new (nag.AwsSolutionsChecks as any)() as IAspect);
}

/** The unsuppressed AwsSolutions errors of a stack, as `<path>: <message>` (paths start with `/`). */
export function awsSolutionsErrors(stack: Stack): Array<{ id: string; message: string }> {
  if (CDK_NAG_2) {
    return Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))
      .map((f) => ({ id: f.id, message: String(f.entry.data).split('\n')[0] }));
  }
  // cdk-nag 3: the tree is synthesized (the library's acknowledgements are complete), then checked.
  (stack.node.root as any).synth?.();
  const report = new (nag.AwsSolutionsChecks as any)().validateScope(stack);
  return report.violations.filter((v: any) => v.severity === 'error')
    .flatMap((v: any) => v.violatingResources.map((r: any) => ({ id: `/${r.constructPath}`, message: `${v.ruleName}: ${v.description}` })));
}
