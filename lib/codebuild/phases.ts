import { SECRET_REFERENCE } from '../private/credentials';
import { Problems, isConcrete } from '../private/validation';

/** What CodeBuild does when a command of a phase fails. */
export enum PhaseFailure {
  /** Stop the build (CodeBuild's default). */
  ABORT = 'ABORT',
  /** Go on with the next phase. */
  CONTINUE = 'CONTINUE',
  /** Run the phase again, up to 3 times (not on Lambda compute). */
  RETRY = 'RETRY',
}

/** One phase of a buildspec. */
export interface BuildPhase {
  /** Commands of the phase, run in order. */
  readonly commands: string[];

  /**
   * Commands that run after `commands`, also when one of them failed (clean-up, uploading logs).
   *
   * @default - none
   */
  readonly finallyCommands?: string[];

  /**
   * What happens when a command fails.
   *
   * @default PhaseFailure.ABORT
   */
  readonly onFailure?: PhaseFailure;
}

/** The phases of a buildspec, as given by the step's props. */
export interface ResolvedPhases {
  readonly install?: BuildPhase;
  readonly pre_build?: BuildPhase;
  readonly build?: BuildPhase;
  readonly post_build?: BuildPhase;
}

/** Checks one phase: commands present and not empty, finally not empty. */
export function checkPhase(problems: Problems, prop: string, phase: BuildPhase | undefined): void {
  if (phase === undefined) return;
  if (!Array.isArray(phase.commands) || phase.commands.length === 0) {
    problems.add(`${prop}.commands`, phase.commands, 'must list at least one command (CodeBuild rejects empty phases)', `give the commands, or remove ${prop}`);
  }
  checkCommands(problems, `${prop}.commands`, phase.commands);
  if (phase.finallyCommands !== undefined && phase.finallyCommands.length === 0) {
    problems.add(`${prop}.finallyCommands`, phase.finallyCommands, 'is an empty list', `give the commands, or remove ${prop}.finallyCommands`);
  }
  checkCommands(problems, `${prop}.finallyCommands`, phase.finallyCommands);
}

/** Checks that no command is empty or resolves a secret into the project. */
export function checkCommands(problems: Problems, prop: string, commands: string[] | undefined): void {
  (Array.isArray(commands) ? commands : []).forEach((c, i) => {
    if (typeof c !== 'string' || (isConcrete(c) && c.trim() === '')) {
      problems.add(`${prop}[${i}]`, c, 'is an empty command', 'remove it or write the command');
    } else if (SECRET_REFERENCE.test(c)) {
      problems.add(`${prop}[${i}]`, '(hidden: holds a {{resolve:...}} secret reference)', SECRET_REFERENCE_PROBLEM, SECRET_REFERENCE_FIX);
    }
  });
}

export const SECRET_REFERENCE_PROBLEM = 'resolves a secret with a CloudFormation dynamic reference, which CloudFormation writes into the CodeBuild project in plaintext';
export const SECRET_REFERENCE_FIX = "read it at build time with secrets: BuildSecret.fromSecret('NAME', secret) (or fromParameter) and use $NAME";

/** Renders a phase as buildspec YAML wants it. */
export function renderPhase(phase: BuildPhase, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...extra,
    ...(phase.onFailure ? { 'on-failure': phase.onFailure } : {}),
    commands: phase.commands,
    ...(phase.finallyCommands ? { finally: phase.finallyCommands } : {}),
  };
}
