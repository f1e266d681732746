import { Problems, isConcrete } from '../private/validation';
import { ACTION_NAME, NAMESPACE, checkName, toArtifactName, toNamespace } from '../private/names';

/** Props every source accepts. */
export interface SourceOptions {
  /**
   * Name of the source action, unique within the source stage.
   *
   * @default 'Source'
   */
  readonly actionName?: string;

  /**
   * Variables namespace of the source action. Later actions reference the source's variables as
   * `#{namespace.CommitId}`; the `variables` property of each source renders these for you.
   *
   * @default - the action name
   */
  readonly variablesNamespace?: string;

  /**
   * Name of the output artifact.
   *
   * @default - the action name followed by `_Source`
   */
  readonly outputArtifactName?: string;
}

/** Names every source resolves from `SourceOptions`. */
export interface ResolvedSourceNames {
  readonly actionName: string;
  readonly variablesNamespace: string;
  readonly outputArtifactName: string;
}

/** Validates and defaults the names shared by every source. */
export function resolveSourceNames(problems: Problems, options: SourceOptions): ResolvedSourceNames {
  const actionName = options.actionName ?? 'Source';
  checkName(problems, 'actionName', actionName, ACTION_NAME, 'action');
  checkName(problems, 'variablesNamespace', options.variablesNamespace, NAMESPACE, 'variables namespace');
  if (options.outputArtifactName !== undefined) {
    checkName(problems, 'outputArtifactName', options.outputArtifactName, { pattern: /^[A-Za-z0-9_-]{1,100}$/, rule: '1 to 100 characters from A-Z a-z 0-9 _ -' }, 'artifact');
  }
  return {
    actionName,
    variablesNamespace: options.variablesNamespace ?? toNamespace(actionName),
    outputArtifactName: options.outputArtifactName ?? toArtifactName(`${actionName}_Source`),
  };
}

/**
 * Checks a branch name against git's ref rules that matter here (`git check-ref-format`):
 * not empty, no whitespace or control characters, none of `~ ^ : ? * [ \`, no `..`, no leading
 * or trailing `/`, not ending in `.lock` or `.`.
 */
export function checkBranch(problems: Problems, prop: string, branch: string | undefined): void {
  if (!isConcrete(branch)) return;
  const fix = "use a git branch name such as 'main' or 'release/1.x'";
  if (branch.trim().length === 0) {
    problems.add(prop, branch, 'is empty', fix);
  } else if (/[\s~^:?*[\\]/.test(branch) || hasControlCharacter(branch) || branch.includes('..') || branch.startsWith('/') || branch.endsWith('/') || branch.endsWith('.lock') || branch.endsWith('.') || branch.includes('@{')) {
    problems.add(prop, branch, 'is not a valid git branch name', fix);
  }
}

function hasControlCharacter(value: string): boolean {
  return [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}
