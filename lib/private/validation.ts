import { Token } from 'aws-cdk-lib';
import { VALIDATION_ERROR } from '../core/errors';

/**
 * The error every synth-time check of this library throws. Its name lets callers (and the
 * property-based tests) tell our validation apart from a crash.
 */
export class DeliveryValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryValidationError';
    Object.defineProperty(this, VALIDATION_ERROR, { value: true });
  }
}

/** One problem with one prop. */
export interface Problem {
  readonly prop: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
}

/**
 * Collects every problem found in a set of props, so the user sees them all in one error that
 * names the construct, the prop, the value received and the fix.
 */
export class Problems {
  private readonly problems: Problem[] = [];

  /** @param subject who is being validated, e.g. `DeliveryPipeline 'App/Pipeline'` */
  constructor(private readonly subject: string) {}

  public add(prop: string, value: unknown, problem: string, fix: string): void {
    this.problems.push({ prop, value, problem, fix });
  }

  public get length(): number {
    return this.problems.length;
  }

  /** Throws one error listing every problem, if there are any. */
  public throwIfAny(): void {
    if (this.problems.length === 0) return;
    const lines = this.problems.map(
      (p) => `  - ${p.prop}: ${p.problem} (got ${describe(p.value)}). Fix: ${p.fix}`,
    );
    const noun = this.problems.length === 1 ? 'problem' : 'problems';
    throw new DeliveryValidationError(`${this.subject} has ${this.problems.length} ${noun}:\n${lines.join('\n')}`);
  }
}

/** Renders a received value for an error message: short, and without resolving tokens. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    if (Token.isUnresolved(value)) return 'an unresolved token';
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown) + (value.length > 60 ? ` (${value.length} characters)` : '');
  }
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** True when the value is a concrete string we can check (not undefined, not a token). */
export function isConcrete(value: string | undefined): value is string {
  return value !== undefined && !Token.isUnresolved(value);
}

/** True when the number is concrete (not a token). */
export function isConcreteNumber(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

/**
 * True when another environment's stack can name the resource: it is imported (its ARN is a
 * literal) or was created with a physical name (literal or `PhysicalName.GENERATE_IF_NEEDED`).
 * aws-cdk-lib records the latter on the resource; otherwise it throws deep inside synthesis.
 */
export function nameableAcrossEnvironments(resource: { readonly node: unknown }, arn: string): boolean {
  return !Token.isUnresolved(arn) || (resource as unknown as { _allowCrossEnvironment?: boolean })._allowCrossEnvironment === true;
}

/** True when both values are literals and differ (an unresolved token differs from nothing). */
export function differentLiterals(a: string, b: string): boolean {
  return !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
}
