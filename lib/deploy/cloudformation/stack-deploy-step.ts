import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { toNamespace } from '../../private/names';
import { Problems } from '../../private/validation';
import { checkArgs, constructorOf } from '../../private/shapes';
import { CreateUpdateStackAction } from './private/create-update-action';
import { DEFAULT_CAPABILITIES, checkStackDeployProps, parameterOverrides, stackActionSetup } from './private/stack-deploy';
import { StackDeployStepProps } from './stack-deploy-step-props';

/**
 * Deploys a CloudFormation stack from a template in an artifact in one action (CodePipeline's
 * CloudFormation `CREATE_UPDATE` mode): the stack is created, or updated, at once. One action
 * where a `ChangeSetDeployStep` takes two, for environments where nobody reviews the change set
 * between creating and executing it. Roles, accounts, regions and grants are those of a
 * `ChangeSetDeployStep`: in an environment of another account the action assumes the
 * `DeliveryTarget`'s deploy role and CloudFormation uses its execution role; the action's role may
 * create and update only this stack, validate templates, pass only the execution role and read
 * the pipeline's artifact store (as the CloudFormation actions of aws-cdk-lib grant it).
 *
 * A stack whose first creation failed (ROLLBACK_COMPLETE) cannot be updated: delete it, then run
 * the pipeline again, as with a change set.
 */
export class StackDeployStep implements IStep {
  public readonly stepName: string;
  public readonly label?: string;
  public readonly estimate?: StepEstimate;
  /** Variables namespace of the action (its variables are the stack's outputs). */
  public readonly variablesNamespace: string;
  /** Name of the deployed stack. */
  public readonly stackName: string;
  private readonly props: StackDeployStepProps;

  /** @param name the step's name: the action's name */
  constructor(name: string, props: StackDeployStepProps) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`StackDeployStep '${name}'`);
    checkStackDeployProps(problems, name, props);
    problems.throwIfAny();
    this.stepName = name;
    this.props = props;
    this.stackName = props.stackName;
    this.variablesNamespace = props.variablesNamespace ?? toNamespace(name);
    this.label = `CloudFormation deploy of ${props.stackName} (create or update, no change set review)`;
    this.estimate = { minutes: MODEL.stackUpdate };
  }

  /** A stack output, as a variable reference later actions use: `#{namespace.NAME}`. */
  public stackOutput(name: string): string {
    checkArgs('StackDeployStep#stackOutput', [name]);
    return `#{${this.variablesNamespace}.${name}}`;
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const { executionRole, role, account, region } = stackActionSetup(scope, context, `StackDeployStep '${this.stepName}'`, this.stepName, this.props,
      `CloudFormation deploy action of ${this.stepName}`);
    return {
      actions: [new CreateUpdateStackAction({
        actionName: this.stepName,
        runOrder: context.runOrder,
        stackName: this.stackName,
        templatePath: this.props.template,
        templateConfiguration: this.props.templateConfiguration,
        parameterOverrides: parameterOverrides(this.props),
        extraInputs: this.props.extraInputs,
        cfnCapabilities: this.props.capabilities ?? DEFAULT_CAPABILITIES,
        adminPermissions: false,
        deploymentRole: executionRole,
        variablesNamespace: this.variablesNamespace,
        role,
        account,
        region,
      })],
    };
  }
}
