/**
 * Brands the library's errors, so that copies of the library loaded twice recognize each other's.
 *
 * @internal
 */
export const VALIDATION_ERROR = Symbol.for('cdk-delivery.DeliveryValidationError');

/**
 * Tells the library's errors apart from other errors.
 *
 * Every check of cdk-delivery, at construction or at synth, throws a `DeliveryValidationError`
 * (its `name`) whose message names the construct, the prop, the value and the fix. Anything else
 * thrown from the library is a bug worth reporting.
 */
export class DeliveryErrors {
  /**
   * True when `thrown` is an error of a cdk-delivery check (a `DeliveryValidationError`), from
   * this copy of the library or any other.
   *
   * @param thrown what was thrown
   */
  public static isValidationError(thrown: unknown): boolean {
    return typeof thrown === 'object' && thrown !== null && (thrown as Record<symbol, unknown>)[VALIDATION_ERROR] === true;
  }

  private constructor() {}
}
