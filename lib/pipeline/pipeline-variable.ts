import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { VARIABLE_NAME, checkName } from '../private/names';
import { Problems, isConcrete } from '../private/validation';
import { checkArgs, constructorOf } from '../private/shapes';
import { ACTION_CONFIGURATION_VALUE } from '../private/limits';

/** Props of a `PipelineVariable`. */
export interface PipelineVariableProps {
  /** Name of the variable: 1 to 128 characters from A-Z a-z 0-9 @ _ -. */
  readonly name: string;

  /**
   * Value used when an execution does not set the variable: 1 to 1,000 characters.
   *
   * @default - no default: executions started by hand or by API must set it
   */
  readonly defaultValue?: string;

  /**
   * What the variable is for (at most 200 characters).
   *
   * @default - no description
   */
  readonly description?: string;
}

/**
 * A pipeline-level variable (CodePipeline V2), set when an execution starts and readable by every
 * action as `reference` (`#{variables.name}`).
 */
export class PipelineVariable {
  /** Name of the variable. */
  public readonly name: string;
  /** Default value, if any. */
  public readonly defaultValue?: string;
  /** Description, if any. */
  public readonly description?: string;
  /** The variable as a reference for action configuration: `#{variables.name}`. */
  public readonly reference: string;

  constructor(props: PipelineVariableProps) {
    checkArgs(constructorOf(new.target), [props], `${new.target.name}`);
    const problems = new Problems(`PipelineVariable '${props.name}'`);
    if (props.name === undefined) {
      problems.add('name', undefined, 'is required', 'give the variable a name such as DEPLOY_TARGET');
    }
    checkName(problems, 'name', props.name, VARIABLE_NAME, 'pipeline variable');
    if (isConcrete(props.defaultValue) && (props.defaultValue.length < 1 || props.defaultValue.length > ACTION_CONFIGURATION_VALUE.max)) {
      problems.add('defaultValue', props.defaultValue, 'must be 1 to 1,000 characters long (CodePipeline limit)', 'shorten the value, or leave defaultValue out');
    }
    if (isConcrete(props.description) && props.description.length > 200) {
      problems.add('description', props.description, 'is longer than 200 characters (CodePipeline limit)', 'shorten the description');
    }
    problems.throwIfAny();
    this.name = props.name;
    this.defaultValue = props.defaultValue;
    this.description = props.description;
    this.reference = `#{variables.${props.name}}`;
  }

  /** @internal */
  public _toL2(): codepipeline.Variable {
    return new codepipeline.Variable({
      variableName: this.name,
      defaultValue: this.defaultValue,
      description: this.description,
    });
  }
}
