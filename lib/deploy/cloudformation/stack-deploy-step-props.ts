import { CfnCapabilities } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';

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

/** Props of a `StackDeployStep` (and, with more, of a `ChangeSetDeployStep`). */
export interface StackDeployStepProps {
  /** Name of the stack to create or update: a letter, then letters, digits and hyphens (at most 128). */
  readonly stackName: string;

  /** The template, in an artifact (e.g. `build.output.atPath('service.template.json')`). */
  readonly template: codepipeline.ArtifactPath;

  /**
   * Capabilities CloudFormation may use for the template: `[]` refuses a template that creates
   * IAM resources or uses macros. Capabilities only acknowledge; what the stack can do is bounded
   * by the execution role's policies.
   *
   * @default [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND] - what `cdk deploy` and CDK Pipelines pass, so a template synthesized by CDK deploys
   */
  readonly capabilities?: CfnCapabilities[];

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
   * The role CloudFormation deploys the stack with.
   *
   * @default - the CloudFormation execution role of the environment's `DeliveryTarget`
   */
  readonly executionRole?: iam.IRole;

  /**
   * Variables namespace of the action that deploys the stack, whose variables are the stack's
   * outputs (`step.stackOutput('Url')`).
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
