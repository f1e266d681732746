/** State shared by the Jest hook (setup.ts) and the tests of one test file. */
export const state: { allowed?: string } = {};

/**
 * Lets the current test synthesize templates that break AWS's contracts on purpose (a test of a
 * check that must find a bad pipeline, say). Give the reason; it is cleared after the test.
 */
export function allowContractViolations(reason: string): void {
  if (!reason || reason.trim() === '') throw new Error('allowContractViolations: say why the test breaks a contract on purpose');
  state.allowed = reason;
}
