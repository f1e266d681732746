import { COMMAND_LENGTH, COMMAND_RULE_COMMANDS, outside } from './limits';
import { isConcrete } from './validation';

/**
 * What CodePipeline rejects in a list of commands (of a Commands action or rule): 1 to 50
 * commands, each on one line, of 1 to 1,000 characters (ActionDeclaration, RuleDeclaration).
 * Returns `[prop, value, problem, fix]` tuples.
 */
export function commandProblems(commands: readonly string[], runner: string): string[][] {
  const problems: string[][] = [];
  if (outside(commands.length, COMMAND_RULE_COMMANDS)) {
    problems.push(['commands', `${commands.length} commands`, `${runner} runs ${COMMAND_RULE_COMMANDS.min} to ${COMMAND_RULE_COMMANDS.max}`, 'give at least one command, and join short ones with &&']);
  }
  commands.forEach((c, i) => {
    if (!isConcrete(c)) return;
    if (c.trim() === '') problems.push([`commands[${i}]`, c, 'is empty', 'remove it']);
    else if (/[\r\n]/.test(c)) problems.push([`commands[${i}]`, c, `spans several lines, which ${runner} does not run`, 'give each command on one line, or run a script from the input artifact']);
    else if (c.length > COMMAND_LENGTH.max) problems.push([`commands[${i}]`, `${c.length} characters`, `is longer than the ${COMMAND_LENGTH.max} characters of a command`, 'move it into a script of the input artifact']);
  });
  return problems;
}
