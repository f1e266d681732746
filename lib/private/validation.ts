import { Duration, Token } from 'aws-cdk-lib';
import { VALIDATION_ERROR } from '../core/errors';

/**
 * The validation kernel: every check of the library reports through `Problems` (or `fail` for a
 * single problem found where no collector is at hand), so every error has one format: the
 * construct, then per problem the prop, what is wrong, the value received and the fix. Checks
 * that run at synthesis (`node.addValidation`) return `Problems.messages()`, the same lines.
 * Typed validators below cover what several constructs check alike; quotas come from limits.ts.
 */

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
    const lines = this.problems.map((p) => `  - ${line(p)}`);
    const noun = this.problems.length === 1 ? 'problem' : 'problems';
    throw new DeliveryValidationError(`${this.subject} has ${this.problems.length} ${noun}:\n${lines.join('\n')}`);
  }

  /** One message per problem, each naming the subject: what a `node.addValidation` returns. */
  public messages(): string[] {
    return this.problems.map((p) => `${this.subject}: ${line(p)}`);
  }
}

function line(p: Problem): string {
  return `${p.prop}: ${p.problem} (got ${describe(p.value)}). Fix: ${p.fix}`;
}

/** Throws the error of a single problem, in the format of `Problems`. */
export function fail(subject: string, prop: string, value: unknown, problem: string, fix: string): never {
  const problems = new Problems(subject);
  problems.add(prop, value, problem, fix);
  problems.throwIfAny();
  throw new DeliveryValidationError(subject); // not reached: throwIfAny threw
}

const VERBATIM = Symbol('cdk-delivery.verbatim');

/** A received value shown in a message as it is (a construct path, a count with its unit), not quoted. */
export function verbatim(text: string): unknown {
  return { [VERBATIM]: text };
}

/** Renders a received value for an error message: short, and without resolving tokens. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null && VERBATIM in value) return String((value as Record<symbol, unknown>)[VERBATIM]);
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

/** The minutes a check accepts: whole minutes from `min`, up to `max` when given. */
export interface MinutesRange {
  readonly min: number;
  readonly max?: number;
  /** A gloss after the range in the message, e.g. '60 days'. */
  readonly note?: string;
}

/**
 * Adds a problem unless the duration is a whole number of minutes in the range (CloudFormation and
 * the services take minutes as integers). Unresolved durations are skipped.
 */
export function checkMinutes(problems: Problems, prop: string, duration: Duration | undefined, range: MinutesRange, fix?: string): void {
  if (duration === undefined || duration.isUnresolved()) return;
  const minutes = duration.toMinutes({ integral: false });
  if (Number.isInteger(minutes) && minutes >= range.min && (range.max === undefined || minutes <= range.max)) return;
  const note = range.note ? ` (${range.note})` : '';
  const allowed = range.max === undefined ? `, at least ${range.min}` : ` from ${range.min} to ${range.max}${note}`;
  problems.add(prop, `${minutes} minutes`, `must be a whole number of minutes${allowed}`,
    fix ?? (range.max === undefined ? 'use Duration.minutes(n)' : 'use Duration.minutes(n) or Duration.hours(n) in that range'));
}

/** Adds a problem for each key two items share (`the <what> '<key>' is used twice`), with the fix given or a generic one. */
export function checkUnique<T>(problems: Problems, items: readonly T[], prop: string, what: string, key: (item: T) => string, fix?: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) problems.add(prop, k, `the ${what} '${k}' is used twice`, fix ?? `give each a unique ${what}`);
    seen.add(k);
  }
}

/** Adds a problem unless the number is a whole number of `unit` in the range. Tokens are skipped. */
export function checkWholeNumber(problems: Problems, prop: string, value: number | undefined, range: { readonly min: number; readonly max: number }, unit: string, fix: string): void {
  if (!isConcreteNumber(value)) return;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    problems.add(prop, value, `must be a whole number of ${unit} from ${range.min} to ${range.max}`, fix);
  }
}

/**
 * Throws for a broken invariant of the library itself: never a user's mistake (those are
 * `DeliveryValidationError`s naming the prop and the fix), so the message asks for a report.
 */
export function internalError(what: string): never {
  throw new Error(`cdk-delivery internal error: ${what}. This is a bug in cdk-delivery, not in your code: please report it with this stack trace.`);
}
