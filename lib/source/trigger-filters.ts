import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Problems, isConcrete } from '../private/validation';
import { FILTER_PATTERNS, PATTERN_LENGTH, TRIGGER_FILTERS, outside } from '../private/limits';

/** Glob patterns to include and exclude; excludes win over includes. */
export interface GlobPatterns {
  /**
   * Patterns to include (1 to 8 patterns, each 1 to 255 characters).
   *
   * @default - everything not excluded
   */
  readonly includes?: string[];

  /**
   * Patterns to exclude (1 to 8 patterns, each 1 to 255 characters).
   *
   * @default - nothing excluded
   */
  readonly excludes?: string[];
}

/**
 * A push filter: the pipeline starts on a push that matches the branches (optionally narrowed by
 * file paths) or the tags.
 */
export interface PushFilter {
  /**
   * Branches whose pushes start the pipeline.
   *
   * @default - none: `tags` must be given
   */
  readonly branches?: GlobPatterns;

  /**
   * Files whose change starts the pipeline (needs `branches`).
   *
   * @default - any file
   */
  readonly filePaths?: GlobPatterns;

  /**
   * Tags whose push starts the pipeline.
   *
   * @default - none: `branches` must be given
   */
  readonly tags?: GlobPatterns;
}

/** A pull-request filter: the pipeline starts on pull-request events that match. */
export interface PullRequestFilter {
  /** Destination branches of the pull requests. */
  readonly branches: GlobPatterns;

  /**
   * Files whose change in the pull request starts the pipeline.
   *
   * @default - any file
   */
  readonly filePaths?: GlobPatterns;

  /**
   * The pull-request events that start the pipeline.
   *
   * @default - OPEN, UPDATED and CLOSED
   */
  readonly events?: codepipeline.GitPullRequestEvent[];
}

function checkPatterns(problems: Problems, prop: string, patterns: GlobPatterns | undefined): void {
  if (patterns === undefined) return;
  if (patterns.includes === undefined && patterns.excludes === undefined) {
    problems.add(prop, patterns, 'has neither includes nor excludes', `give ${prop}.includes or ${prop}.excludes, or remove ${prop}`);
  }
  for (const side of ['includes', 'excludes'] as const) {
    const list = patterns[side];
    if (list === undefined) continue;
    const where = `${prop}.${side}`;
    if (list.length === 0) {
      problems.add(where, list, 'is an empty list (CloudFormation rejects empty trigger filter lists)', `give ${FILTER_PATTERNS.min} to ${FILTER_PATTERNS.max} patterns, or remove ${side}`);
    } else if (list.length > FILTER_PATTERNS.max) {
      problems.add(where, list, `has ${list.length} patterns; CodePipeline allows at most ${FILTER_PATTERNS.max}`, `merge patterns with globs (for example 'src/**') to use at most ${FILTER_PATTERNS.max}`);
    }
    list.forEach((pattern, i) => {
      if (isConcrete(pattern) && outside(pattern.length, PATTERN_LENGTH)) {
        problems.add(`${where}[${i}]`, pattern, `must be ${PATTERN_LENGTH.min} to ${PATTERN_LENGTH.max} characters long`, `use a non-empty glob pattern of at most ${PATTERN_LENGTH.max} characters`);
      }
    });
  }
}

/** Validates push filters (prop name `prop`) against CodePipeline's rules. */
export function checkPushFilters(problems: Problems, prop: string, filters: PushFilter[] | undefined): void {
  if (filters === undefined) return;
  if (filters.length === 0) {
    problems.add(prop, filters, 'is an empty list (CloudFormation rejects empty trigger filter lists)', `give ${TRIGGER_FILTERS.min} to ${TRIGGER_FILTERS.max} filters, or remove ${prop}`);
  }
  if (filters.length > TRIGGER_FILTERS.max) {
    problems.add(prop, `${filters.length} filters`, `CodePipeline allows at most ${TRIGGER_FILTERS.max} push filters per trigger`, `combine filters to use at most ${TRIGGER_FILTERS.max}`);
  }
  filters.forEach((f, i) => {
    const at = `${prop}[${i}]`;
    if (!f.branches && !f.tags) {
      problems.add(at, f, 'has neither branches nor tags', `give ${at}.branches or ${at}.tags`);
    }
    if (f.filePaths && !f.branches) {
      problems.add(`${at}.filePaths`, f.filePaths, 'is given without branches (CodePipeline filters file paths only on branch pushes)', `add ${at}.branches, for example { includes: ['main'] }`);
    }
    checkPatterns(problems, `${at}.branches`, f.branches);
    checkPatterns(problems, `${at}.filePaths`, f.filePaths);
    checkPatterns(problems, `${at}.tags`, f.tags);
  });
}

/** Validates pull-request filters (prop name `prop`) against CodePipeline's rules. */
export function checkPullRequestFilters(problems: Problems, prop: string, filters: PullRequestFilter[] | undefined): void {
  if (filters === undefined) return;
  if (filters.length === 0) {
    problems.add(prop, filters, 'is an empty list (CloudFormation rejects empty trigger filter lists)', `give ${TRIGGER_FILTERS.min} to ${TRIGGER_FILTERS.max} filters, or remove ${prop}`);
  }
  if (filters.length > TRIGGER_FILTERS.max) {
    problems.add(prop, `${filters.length} filters`, `CodePipeline allows at most ${TRIGGER_FILTERS.max} pull-request filters per trigger`, `combine filters to use at most ${TRIGGER_FILTERS.max}`);
  }
  filters.forEach((f, i) => {
    const at = `${prop}[${i}]`;
    if (!f.branches) {
      problems.add(`${at}.branches`, undefined, 'is required on a pull-request filter', `give ${at}.branches, for example { includes: ['main'] }`);
    }
    if (f.events !== undefined && f.events.length === 0) {
      problems.add(`${at}.events`, f.events, 'is an empty list', 'give at least one of GitPullRequestEvent.OPEN, UPDATED, CLOSED, or remove events to match all three');
    }
    if (f.events !== undefined && new Set(f.events).size !== f.events.length) {
      problems.add(`${at}.events`, f.events, 'lists an event twice', 'list each event once');
    }
    checkPatterns(problems, `${at}.branches`, f.branches);
    checkPatterns(problems, `${at}.filePaths`, f.filePaths);
  });
}

export function toL2PushFilter(f: PushFilter): codepipeline.GitPushFilter {
  return {
    branchesIncludes: f.branches?.includes,
    branchesExcludes: f.branches?.excludes,
    filePathsIncludes: f.filePaths?.includes,
    filePathsExcludes: f.filePaths?.excludes,
    tagsIncludes: f.tags?.includes,
    tagsExcludes: f.tags?.excludes,
  };
}

export function toL2PullRequestFilter(f: PullRequestFilter): codepipeline.GitPullRequestFilter {
  return {
    branchesIncludes: f.branches.includes,
    branchesExcludes: f.branches.excludes,
    filePathsIncludes: f.filePaths?.includes,
    filePathsExcludes: f.filePaths?.excludes,
    events: f.events,
  };
}
