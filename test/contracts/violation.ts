/** What a contract found wrong in a template. */
export interface Violation {
  /** Which contract: `IAM`, `SDK call`, `CodePipeline action`, `buildspec`, ... */
  readonly contract: string;
  /** Logical id of the resource. */
  readonly resource: string;
  /** Construct path of the resource (or its logical id). */
  readonly constructPath: string;
  /** JSON path inside the resource, e.g. `Properties.PolicyDocument.Statement[1].Resource[0]`. */
  readonly at: string;
  /** What the template holds there. */
  readonly found: string;
  /** What AWS requires. */
  readonly requires: string;
  /** Where AWS publishes the requirement. */
  readonly source: string;
}

/** One violation as the lines a failing test prints. */
export function formatViolation(template: string, v: Violation): string {
  return [
    `[${v.contract}] template ${template}, resource ${v.resource} (${v.constructPath})`,
    `  in ${v.at}: ${v.found}`,
    `  AWS requires: ${v.requires}`,
    `  source: ${v.source}`,
  ].join('\n');
}
