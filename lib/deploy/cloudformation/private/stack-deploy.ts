import { CfnCapabilities, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { StepContext } from '../../../core/step';
import { ACTION_CONFIGURATION_VALUE } from '../../../private/limits';
import { markL2ActionRole } from '../../../private/nag';
import { ACTION_NAME, NAMESPACE, checkName } from '../../../private/names';
import { Problems, fail, isConcrete, nameableAcrossEnvironments, verbatim } from '../../../private/validation';
import { actionPlacement, actionRole, allowBootstrapVersionRead } from '../../private/target-roles';
import { StackDeployStepProps } from '../stack-deploy-step-props';

/** CloudFormation names (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html). */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const PARAMETER_NAME = /^[A-Za-z0-9]{1,255}$/;

/** What `cdk deploy` and CDK Pipelines pass: a template synthesized by CDK deploys. */
export const DEFAULT_CAPABILITIES = [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND];

/** Checks the props both CloudFormation steps take. */
export function checkStackDeployProps(problems: Problems, name: string, props: StackDeployStepProps): void {
  checkName(problems, 'name', name, ACTION_NAME, 'action');
  if (!props?.stackName) problems.add('stackName', props?.stackName, 'is required', "give the stack's name, e.g. 'shop-service'");
  else if (isConcrete(props.stackName) && !STACK_NAME.test(props.stackName)) {
    problems.add('stackName', props.stackName, 'is not a valid CloudFormation stack name', 'start with a letter and use at most 128 letters, digits and hyphens');
  }
  if (!props?.template) problems.add('template', undefined, 'is required', "give the template's path in an artifact, e.g. build.output.atPath('service.template.json')");
  if (props?.variablesNamespace !== undefined) checkName(problems, 'variablesNamespace', props.variablesNamespace, NAMESPACE, 'variables namespace');
  const seen = new Set<string>();
  (props?.parameters ?? []).forEach((p, i) => {
    if (isConcrete(p.name) && !PARAMETER_NAME.test(p.name)) problems.add(`parameters[${i}].name`, p.name, 'is not a valid template parameter name', 'use letters and digits only');
    if (seen.has(p.name)) problems.add(`parameters[${i}].name`, p.name, 'is given twice', 'give each parameter once');
    seen.add(p.name);
  });
  const overrides = parameterOverrides(props);
  const rendered = JSON.stringify(overrides ?? {});
  const bytes = Buffer.byteLength(rendered, 'utf8');
  if (!Token.isUnresolved(rendered) && !Object.values(overrides ?? {}).some((v) => Token.isUnresolved(v)) && bytes > ACTION_CONFIGURATION_VALUE.max) {
    problems.add('parameters', `${bytes} bytes`, `CodePipeline holds at most ${ACTION_CONFIGURATION_VALUE.max} bytes of parameter overrides`, 'move values into a template configuration file (templateConfiguration)');
  }
}

/** The parameter overrides of the action, or undefined for none. */
export function parameterOverrides(props: StackDeployStepProps): Record<string, string> | undefined {
  return props?.parameters ? Object.fromEntries(props.parameters.map((p) => [p.name, p.value])) : undefined;
}

/** What the CloudFormation actions of a step run with: the execution role, the action role and where they run. */
export interface StackActionSetup {
  readonly executionRole: iam.IRole;
  readonly role: iam.IRole;
  readonly account?: string;
  readonly region?: string;
}

/**
 * The execution role (the step's, or the environment target's; in the account the stack is
 * deployed to, and nameable from the pipeline's), and the role the actions assume, which may also
 * read the CDK bootstrap version parameter a CDK template resolves (the L2 does not grant that).
 */
export function stackActionSetup(scope: Construct, context: StepContext, subject: string, stepName: string, props: StackDeployStepProps, description: string): StackActionSetup {
  const environment = context.environment;
  const executionRole = props.executionRole ?? environment?.cloudFormationExecutionRole;
  if (!executionRole) {
    const fix = environment
      ? `give the DeliveryTarget of environment '${environment.name}' cloudFormationExecutionStatements (or cloudFormationExecutionPolicies), or pass executionRole`
      : 'pass executionRole, or place the step in an environment whose DeliveryTarget has cloudFormationExecutionStatements (or cloudFormationExecutionPolicies)';
    fail(subject, 'executionRole', undefined, `no role for CloudFormation to deploy stack '${props.stackName}' with`, fix);
  }
  const roleAccount = executionRole.env.account;
  const account = environment?.account ?? Stack.of(context.pipeline).account;
  if (!Token.isUnresolved(roleAccount) && !Token.isUnresolved(account) && roleAccount !== account) {
    fail(subject, 'executionRole', verbatim(executionRole.node.path), `is in account ${roleAccount}, but the stack is deployed to ${account}`, `pass a role of account ${account}, or use the environment target's CloudFormation execution role`);
  }
  if (environment?.crossAccount && !nameableAcrossEnvironments(executionRole, executionRole.roleArn)) {
    fail(subject, 'executionRole', verbatim(executionRole.node.path), 'has no physical name, and the pipeline in another account must name it', "create it with roleName, or use the environment target's CloudFormation execution role");
  }
  const role = actionRole(scope, context, { stepName, description });
  allowBootstrapVersionRead(role, account, environment?.region ?? Stack.of(context.pipeline).region);
  if (!environment?.crossAccount) markL2ActionRole(role);
  return { executionRole, role, ...actionPlacement(environment) };
}
