import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { COMMAND_LENGTH, COMMAND_RULE_COMMANDS, outside } from './limits';
import { acceptNagFindings, logStreamsFinding } from './nag';
import { fail, isConcrete } from './validation';

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

/**
 * The pipeline's name, which actions on CodePipeline's managed compute (Commands, InspectorScan)
 * need for the grant of their log group `/aws/codepipeline/<name>`: known at synth only when the
 * pipeline was given one (a generated name would be a reference to the pipeline, which depends on
 * its roles' policies).
 */
export function requirePipelineName(pipeline: codepipeline.IPipeline, subject: string, what: string): string {
  const cfn = pipeline.node.defaultChild as codepipeline.CfnPipeline | undefined;
  const given = cfn?.name;
  const name = given === undefined ? undefined : Stack.of(pipeline).resolve(given);
  if (name !== undefined && typeof name !== 'string') {
    fail(subject, 'pipelineName', given, `must be a literal: ${what} log to the log group /aws/codepipeline/<pipeline name>, which the action's role is granted by name`, "give the DeliveryPipeline a literal pipelineName, e.g. 'shop-release'");
  }
  if (typeof name !== 'string') {
    fail(subject, 'pipelineName', undefined, `is required: ${what} log to the log group /aws/codepipeline/<pipeline name>, which the action's role is granted by name`, "give the DeliveryPipeline a pipelineName, e.g. 'shop-release'");
  }
  return name;
}

/**
 * Lets a role write the pipeline's log group, where managed-compute actions and rules log, with
 * cdk-nag's finding on its streams accepted.
 *
 * @param prefixes the first part of the group's name: `aws` (`/aws/codepipeline/<name>`), and for
 * actions whose reference names another, that one too
 */
export function grantPipelineLogs(role: iam.IRole, pipelineName: string, reason: string, prefixes: string[] = ['aws']): void {
  const logs = (resourceName: string) => Stack.of(role).formatArn({ service: 'logs', resource: 'log-group', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: prefixes.flatMap((prefix) => [logs(`/${prefix}/codepipeline/${pipelineName}`), logs(`/${prefix}/codepipeline/${pipelineName}:log-stream:*`)]),
  }));
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) acceptNagFindings(policy, [{ id: 'AwsSolutions-IAM5', reason, appliesTo: [logStreamsFinding(pipelineName, prefixes.some((prefix) => prefix !== 'aws'))] }]);
}
