import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { toNamespace } from '../../private/names';
import { Problems, isConcrete } from '../../private/validation';
import { checkArgs, constructorOf } from '../../private/shapes';
import { DEFAULT_CAPABILITIES, STACK_NAME, checkStackDeployProps, parameterOverrides, stackActionSetup } from './private/stack-deploy';
import { StackDeployStepProps } from './stack-deploy-step-props';

/** Props of a `ChangeSetDeployStep`. */
export interface ChangeSetDeployStepProps extends StackDeployStepProps {
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
}

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
    checkStackDeployProps(problems, name, props);
    if (isConcrete(name) && name.length > MAX_STEP_NAME) {
      problems.add('name', name, `is longer than ${MAX_STEP_NAME} characters, leaving no room for the create action's name (<name>.ChangeSet)`, 'shorten the name');
    }
    if (isConcrete(props?.changeSetName) && !STACK_NAME.test(props.changeSetName)) {
      problems.add('changeSetName', props.changeSetName, 'is not a valid change set name', 'start with a letter and use at most 128 letters, digits and hyphens');
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
    const { executionRole, role, account, region } = stackActionSetup(scope, context, `ChangeSetDeployStep '${this.stepName}'`, this.stepName, this.props,
      `CloudFormation change set actions of ${this.stepName}`);
    const where = { role, account, region };
    const changeSetName = this.props.changeSetName ?? 'cdk-delivery-release';
    const create = new actions.CloudFormationCreateReplaceChangeSetAction({
      actionName: `${this.stepName}.ChangeSet`,
      runOrder: context.runOrder,
      stackName: this.stackName,
      changeSetName,
      templatePath: this.props.template,
      templateConfiguration: this.props.templateConfiguration,
      parameterOverrides: parameterOverrides(this.props),
      extraInputs: this.props.extraInputs,
      cfnCapabilities: this.props.capabilities ?? DEFAULT_CAPABILITIES,
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
