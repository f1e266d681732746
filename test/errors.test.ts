import { BuildStep, DeliveryErrors } from '../lib';

describe('DeliveryErrors.isValidationError', () => {
  const ours = (() => {
    try {
      new BuildStep('Build', { commands: 'make' as unknown as string[] });
    } catch (e) {
      return e;
    }
    throw new Error('BuildStep accepted a string for commands');
  })();

  test('is true for the error of a check, which names the prop, the value and the fix', () => {
    expect(DeliveryErrors.isValidationError(ours)).toBe(true);
    expect(String(ours)).toMatch(/^DeliveryValidationError: BuildStep 'Build' has 1 problem:\n {2}- commands: .*\(got "make"\)\. Fix: /);
  });

  test('is false for anything else, even an error that only borrows the name', () => {
    const lookalike = Object.assign(new Error('x'), { name: 'DeliveryValidationError' });
    for (const thrown of [new TypeError('x'), lookalike, 'DeliveryValidationError', null, undefined, 42, {}]) {
      expect(DeliveryErrors.isValidationError(thrown)).toBe(false);
    }
  });
});
