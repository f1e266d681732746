/**
 * Contract tests: templates checked against what AWS publishes (see docs/checks.md "Contracts we test
 * against"). `checkTemplate` runs every contract on one template; the Jest hook in setup.ts runs
 * it on every template the test suite synthesizes.
 */
import { checkCodePipeline } from './codepipeline';
import { checkFiles } from './files';
import { checkIam } from './iam';
import { checkSdkCalls } from './sdk-calls';
import { Template } from './intrinsics';
import { Violation, formatViolation } from './violation';

export { allowContractViolations } from './state';
export { Violation, formatViolation } from './violation';

/** Every contract, on one template. */
export function checkTemplate(template: Template): Violation[] {
  return [...checkIam(template), ...checkSdkCalls(template), ...checkCodePipeline(template), ...checkFiles(template)];
}

/** The violations of a template, as printable text (empty when it keeps every contract). */
export function contractReport(name: string, template: Template): string[] {
  return checkTemplate(template).map((v) => formatViolation(name, v));
}
