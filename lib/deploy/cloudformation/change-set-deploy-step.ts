import { CfnCapabilities, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { markL2ActionRole } from '../../private/nag';
import { actionPlacement, actionRole, allowBootstrapVersionRead } from '../private/target-roles';
import { ACTION_NAME, NAMESPACE, checkName, toNamespace } from '../../private/names';
import { Problems, fail, isConcrete, nameableAcrossEnvironments, verbatim } from '../../private/validation';
import { checkArgs, constructorOf } from '../../private/shapes';
import { ACTION_CONFIGURATION_VALUE } from '../../private/limits';

/** One parameter of the deployed stack and the value the release gives it. */
export interface StackParameter {
  /** Name of the template parameter. */
  readonly name: string;

  /**
   * Its value: a literal, a variable reference (e.g. `source.variables.commitId`,
   * `build.exportedVariable('VERSION')`) or an artifact attribute.
   */
  readonly value: string;
}

/** Props of a `ChangeSetDeployStep`. */
export interface ChangeSetDeployStepProps {
  /** Name of the stack to create or update: a letter, then letters, digits and hyphens (at most 128). */
  readonly stackName: string;

  /** The template, in an artifact (e.g. `build.output.atPath('service.template.json')`). */
  readonly template: codepipeline.ArtifactPath;

  /**
   * Capabilities the template needs, declared explicitly (`[]` for none): CloudFormation refuses
   * a template that creates IAM resources or uses macros without them.
   */
  readonly capabilities: CfnCapabilities[];

  /**
   * A template configuration file (parameters, tags, stack policy) in an artifact.
   *
   * @default - none
   */
  readonly templateConfiguration?: codepipeline.ArtifactPath;

  /**
   * Parameter values given to the stack (at most 1,000 bytes in all as JSON, CodePipeline's limit).
   *
   * @default - none
   */
  readonly parameters?: StackParameter[];

  /**
   * An approval between creating the change set and executing it, so a reviewer can read the
   * change set first (its `comment` or `reviewUrl` can point at it).
   *
   * @default - no approval: the change set is executed once created
   */
  readonly approval?: IStep;

  /**
   * Name of the change set: a letter, then letters, digits and hyphens (at most 128).
   *
   * @default 'cdk-delivery-release'
   */
  readonly changeSetName?: string;

  /**
   * The role CloudFormation deploys the stack with.
   *
   * @default - the CloudFormation execution role of the environment's `DeliveryTarget`
   */
  readonly executionRole?: iam.IRole;

  /**
   * Variables namespace of the execute action, whose variables are the stack's outputs
   * (`step.stackOutput('Url')`).
   *
   * @default - the step name, with characters a namespace cannot hold replaced by `_`
   */
  readonly variablesNamespace?: string;

  /**
   * More artifacts the parameter values read (with `artifact.getParam(...)` and the like).
   *
   * @default - none
   */
  readonly extraInputs?: codepipeline.Artifact[];
}

/** CloudFormation names (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html). */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const PARAMETER_NAME = /^[A-Za-z0-9]{1,255}$/;
/** Action names are at most 100 characters; the create action appends `.ChangeSet`. */
const MAX_STEP_NAME = 90;

/**
 * Deploys a CloudFormation stack from a template in an artifact, through a change set: create the
 * change set, optionally wait for an approval, execute it. In an environment of another account,
 * the actions assume the `DeliveryTarget`'s deploy role and CloudFormation uses its execution role;
 * in another region, the actions run there. Grants are exact: the deploy role may pass only the
 * execution role, and manage change sets only of this stack.
 */
export class ChangeSetDeployStep implements IStep {
  public readonly stepName: string;
  public readonly label?: string;
  public readonly estimate?: StepEstimate;
  /** Variables namespace of the execute action (its variables are the stack's outputs). */
  public readonly variablesNamespace: string;
  /** Name of the deployed stack. */
  public readonly stackName: string;
  private readonly props: ChangeSetDeployStepProps;

  /** @param name the step's name: the execute action's name (the create action is `<name>.ChangeSet`) */
  constructor(name: string, props: ChangeSetDeployStepProps) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`ChangeSetDeployStep '${name}'`);
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    if (isConcrete(name) && name.length > MAX_STEP_NAME) {
      problems.add('name', name, `is longer than ${MAX_STEP_NAME} characters, leaving no room for the create action's name (<name>.ChangeSet)`, 'shorten the name');
    }
    if (!props?.stackName) problems.add('stackName', props?.stackName, 'is required', "give the stack's name, e.g. 'shop-service'");
    else if (isConcrete(props.stackName) && !STACK_NAME.test(props.stackName)) {
      problems.add('stackName', props.stackName, 'is not a valid CloudFormation stack name', 'start with a letter and use at most 128 letters, digits and hyphens');
    }
    if (isConcrete(props?.changeSetName) && !STACK_NAME.test(props.changeSetName)) {
      problems.add('changeSetName', props.changeSetName, 'is not a valid change set name', 'start with a letter and use at most 128 letters, digits and hyphens');
    }
    if (!props?.template) problems.add('template', undefined, 'is required', "give the template's path in an artifact, e.g. build.output.atPath('service.template.json')");
    if (!props?.capabilities) {
      problems.add('capabilities', undefined, 'must be declared', 'give the capabilities the template needs, e.g. [CfnCapabilities.NAMED_IAM], or [] for none');
    }
    if (props?.variablesNamespace !== undefined) checkName(problems, 'variablesNamespace', props.variablesNamespace, NAMESPACE, 'variables namespace');
    const seen = new Set<string>();
    (props?.parameters ?? []).forEach((p, i) => {
      if (isConcrete(p.name) && !PARAMETER_NAME.test(p.name)) problems.add(`parameters[${i}].name`, p.name, 'is not a valid template parameter name', 'use letters and digits only');
      if (seen.has(p.name)) problems.add(`parameters[${i}].name`, p.name, 'is given twice', 'give each parameter once');
      seen.add(p.name);
    });
    const overrides = Object.fromEntries((props?.parameters ?? []).map((p) => [p.name, p.value]));
    const rendered = JSON.stringify(overrides);
    const bytes = Buffer.byteLength(rendered, 'utf8');
    if (!Token.isUnresolved(rendered) && !Object.values(overrides).some((v) => Token.isUnresolved(v)) && bytes > ACTION_CONFIGURATION_VALUE.max) {
      problems.add('parameters', `${bytes} bytes`, `CodePipeline holds at most ${ACTION_CONFIGURATION_VALUE.max} bytes of parameter overrides`, 'move values into a template configuration file (templateConfiguration)');
    }
    if (props?.approval && props.approval.stepName === name) {
      problems.add('approval', props.approval.stepName, 'has the same name as the step', 'name the approval differently, e.g. ReviewChangeSet');
    }
    problems.throwIfAny();
    this.stepName = name;
    this.props = props;
    this.stackName = props.stackName;
    this.variablesNamespace = props.variablesNamespace ?? toNamespace(name);
    this.label = `CloudFormation change set of ${props.stackName}: create${props.approval ? ', approve' : ''}, execute`;
    // Creating a change set takes about a minute; executing it is a stack update.
    this.estimate = { minutes: 1 + MODEL.stackUpdate };
  }

  /** A stack output, as a variable reference later actions use: `#{namespace.NAME}`. */
  public stackOutput(name: string): string {
    checkArgs('ChangeSetDeployStep#stackOutput', [name]);
    return `#{${this.variablesNamespace}.${name}}`;
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const environment = context.environment;
    const subject = `ChangeSetDeployStep '${this.stepName}'`;
    const executionRole = this.props.executionRole ?? environment?.cloudFormationExecutionRole;
    if (!executionRole) {
      const fix = environment
        ? `give the DeliveryTarget of environment '${environment.name}' cloudFormationExecutionStatements (or cloudFormationExecutionPolicies), or pass executionRole`
        : 'pass executionRole, or place the step in an environment whose DeliveryTarget has cloudFormationExecutionStatements (or cloudFormationExecutionPolicies)';
      fail(subject, 'executionRole', undefined, `no role for CloudFormation to deploy stack '${this.stackName}' with`, fix);
    }
    const roleAccount = executionRole.env.account;
    const account = environment?.account ?? Stack.of(context.pipeline).account;
    if (!Token.isUnresolved(roleAccount) && !Token.isUnresolved(account) && roleAccount !== account) {
      fail(subject, 'executionRole', verbatim(executionRole.node.path), `is in account ${roleAccount}, but the stack is deployed to ${account}`, `pass a role of account ${account}, or use the environment target's CloudFormation execution role`);
    }
    if (environment?.crossAccount && !nameableAcrossEnvironments(executionRole, executionRole.roleArn)) {
      fail(subject, 'executionRole', verbatim(executionRole.node.path), 'has no physical name, and the pipeline in another account must name it', "create it with roleName, or use the environment target's CloudFormation execution role");
    }
    // CloudFormation resolves SSM parameters of the template (a CDK template's bootstrap version,
    // /cdk-bootstrap/<qualifier>/version) with the action's role: the L2 does not grant that.
    const role = actionRole(scope, context, { stepName: this.stepName, description: `CloudFormation change set actions of ${this.stepName}` });
    allowBootstrapVersionRead(role, account, environment?.region ?? Stack.of(context.pipeline).region);
    if (!environment?.crossAccount) markL2ActionRole(role);
    const where = { role, ...actionPlacement(environment) };
    const changeSetName = this.props.changeSetName ?? 'cdk-delivery-release';
    const create = new actions.CloudFormationCreateReplaceChangeSetAction({
      actionName: `${this.stepName}.ChangeSet`,
      runOrder: context.runOrder,
      stackName: this.stackName,
      changeSetName,
      templatePath: this.props.template,
      templateConfiguration: this.props.templateConfiguration,
      parameterOverrides: this.props.parameters ? Object.fromEntries(this.props.parameters.map((p) => [p.name, p.value])) : undefined,
      extraInputs: this.props.extraInputs,
      cfnCapabilities: this.props.capabilities,
      adminPermissions: false,
      deploymentRole: executionRole,
      ...where,
    });
    const approval = this.props.approval
      ? this.props.approval.bind(new Construct(scope, 'Approval'), { ...context, runOrder: context.runOrder + 1 }).actions
      : [];
    // The execute action runs after the approval's last action (or right after the change set).
    const last = Math.max(context.runOrder, ...approval.map((a) => a.actionProperties.runOrder ?? context.runOrder + 1));
    const execute = new actions.CloudFormationExecuteChangeSetAction({
      actionName: this.stepName,
      runOrder: last + 1,
      stackName: this.stackName,
      changeSetName,
      variablesNamespace: this.variablesNamespace,
      ...where,
    });
    return { actions: [create, ...approval, execute] };
  }
}
