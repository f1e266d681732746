import { Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { artifactObjectsArn } from '../../core/artifact-folders';
import { IStep, StepActions, StepContext, StepEstimate } from '../../core/step';
import { grantPipelineLogs, requirePipelineName } from '../../private/commands';
import { GrantingAction } from '../../private/granting-action';
import { LAMBDA_ACTION_ALARMS } from '../../private/limits';
import { acceptNagFindings, artifactObjectsFinding, functionVersionsFinding } from '../../private/nag';
import { ACTION_NAME, checkName, toNamespace } from '../../private/names';
import { checkArgs, constructorOf } from '../../private/shapes';
import { Problems, fail } from '../../private/validation';
import { targetEnvironment } from '../private/target-step';
import { DeploymentStrategy } from '../strategy';

/** Props of a `LambdaAliasDeployStep`. */
export interface LambdaAliasDeployStepProps {
  /**
   * The alias whose traffic shifts to the new version. It must point at one published version when
   * the action starts (the rollback target); its function gets the new code.
   */
  readonly alias: lambda.IAlias;

  /**
   * The artifact holding the function's code (its files at the root, as in the zip Lambda runs):
   * the action updates the function with it and publishes a version.
   *
   * @default - none: give `version` instead
   */
  readonly code?: codepipeline.Artifact;

  /**
   * A version already published to shift the alias to, e.g. a variable `#{Build.VERSION}`.
   *
   * @default - none: give `code` instead
   */
  readonly version?: string;

  /**
   * How traffic shifts. The action documents three: `allAtOnce()`,
   * `canary({ percent: 10, interval: Duration.minutes(5) })` and
   * `linear({ percent: 10, interval: Duration.minutes(1) })`.
   *
   * @default DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) })
   */
  readonly strategy?: DeploymentStrategy;

  /**
   * CloudWatch alarms that fail the action and roll the alias back (at most 10).
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];
}

/**
 * Releases a Lambda function with CodePipeline's Lambda deploy action (V2 pipelines): the action
 * updates the function's code from the input artifact (or takes a published version), publishes a
 * version and shifts the alias's traffic to it all at once, as a canary or linearly, watching
 * alarms and rolling the alias back on one. No CloudFormation stack update and no CodeDeploy
 * application are involved, so it is quicker than `LambdaDeployment`; it has no traffic hooks, only
 * the three documented strategies, and runs in the pipeline's account and region. Its role may
 * change exactly this function and its alias, read exactly these alarms and its input's folder, and
 * write the pipeline's log group. Exported variable: `functionVersion`, the version deployed.
 *
 * CloudFormation still owns the function and the alias: a stack update that changes either puts
 * back the stack's code or version. Keep the stack's code fixed and let the pipeline carry code.
 */
export class LambdaAliasDeployStep implements IStep {
  public readonly stepName: string;
  /** A short description for diagrams. */
  public readonly label?: string;
  /** What one run of the step is expected to take. */
  public readonly estimate?: StepEstimate;
  /** Variables namespace of the action. */
  public readonly variablesNamespace: string;
  /** Reference to the version the action deployed: `#{namespace.FunctionVersion}`. */
  public readonly functionVersion: string;
  private readonly props: LambdaAliasDeployStepProps;
  private readonly strategyValue: string;

  /** @param name the step's name, used as its action name */
  constructor(name: string, props: LambdaAliasDeployStepProps) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const subject = `LambdaAliasDeployStep '${name}'`;
    const problems = new Problems(subject);
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    if (!props.alias) problems.add('alias', undefined, 'is required', 'give the alias callers invoke, e.g. fn.addAlias(\'live\')');
    if (props.code && props.version !== undefined) problems.add('version', props.version, 'is given together with code', 'give code (the action publishes a version of it) or version (already published), not both');
    if (!props.code && props.version === undefined) problems.add('code', undefined, 'is required without version', 'give the artifact holding the function\'s code, or a published version');
    if (props.version === '') problems.add('version', '', 'is empty', 'give a published version number, or a variable holding one');
    if ((props.alarms ?? []).length > LAMBDA_ACTION_ALARMS.max) {
      problems.add('alarms', `${props.alarms!.length} alarms`, `the Lambda deploy action watches at most ${LAMBDA_ACTION_ALARMS.max}`, 'combine alarms into a composite alarm');
    }
    problems.throwIfAny();
    const strategy = props.strategy ?? DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) });
    this.strategyValue = strategy._lambdaActionStrategy(subject);
    this.stepName = name;
    this.props = props;
    this.variablesNamespace = toNamespace(name);
    this.functionVersion = `#{${this.variablesNamespace}.FunctionVersion}`;
    this.label = `Lambda deploy action: ${strategy.describe()}`;
    this.estimate = { minutes: 1 + strategy.shiftMinutes };
  }

  public bind(_scope: Construct, context: StepContext): StepActions {
    const subject = `LambdaAliasDeployStep '${this.stepName}'`;
    if (context.pipelineType !== codepipeline.PipelineType.V2) {
      fail(subject, 'pipelineType', context.pipelineType, 'the Lambda deploy action runs only in V2 pipelines', 'remove pipelineType from the pipeline (V2 is the default), or use a LambdaDeployment');
    }
    const environment = targetEnvironment(subject, this.props.alias, context);
    if (environment?.crossAccount || environment?.crossRegion) {
      fail(subject, 'environment', environment.name, `is in ${environment.account}/${environment.region}; this step deploys in the pipeline's account and region only`, 'use a LambdaDeployment (CloudFormation and CodeDeploy) with a DeliveryTarget for functions of another account or region');
    }
    const pipelineName = requirePipelineName(context.pipeline, subject, 'Lambda deployments');
    const p = this.props;
    return {
      actions: [new GrantingAction({
        actionName: this.stepName,
        category: codepipeline.ActionCategory.DEPLOY,
        provider: 'Lambda',
        artifactBounds: { minInputs: 0, maxInputs: 1, minOutputs: 0, maxOutputs: 0 },
        inputs: p.code ? [p.code] : [],
        runOrder: context.runOrder,
        variablesNamespace: this.variablesNamespace,
      }, (role) => this.grantAndConfigure(role, pipelineName, context))],
    };
  }

  /** Grants the action's role what the Lambda deploy action does, and returns its configuration. */
  private grantAndConfigure(role: iam.IRole, pipelineName: string, context: StepContext): { [key: string]: unknown } {
    const p = this.props;
    const fn = p.alias.version.lambda;
    // The action's reference page names the group /<region>/codepipeline/<name>, every other
    // action's /aws/codepipeline/<name>: both are granted, by exact name.
    grantPipelineLogs(role, pipelineName, 'The streams of the pipeline\'s own log group, where the Lambda deploy action logs: CodePipeline names them per run.', ['aws', Stack.of(role).region]);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['lambda:GetAlias', 'lambda:GetFunctionConfiguration', 'lambda:GetProvisionedConcurrencyConfig', 'lambda:PublishVersion', 'lambda:UpdateAlias', 'lambda:UpdateFunctionCode'],
      resources: [fn.functionArn, `${fn.functionArn}:*`],
    }));
    if ((p.alarms ?? []).length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: p.alarms!.map((a) => a.alarmArn) }));
    }
    if (p.code) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [artifactObjectsArn(context.artifactBucket, context.pipelineFolder, p.code)] }));
      if (context.artifactKey) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [context.artifactKey.keyArn] }));
    }
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acceptNagFindings(policy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'The action publishes versions of this one function and moves its alias (function:*); the revision\'s objects have keys CodePipeline generates per execution, so its folder names them.',
        appliesTo: [functionVersionsFinding(fn.functionArn, fn.node.defaultChild), ...(p.code ? [artifactObjectsFinding(context.artifactBucket, true)] : [])],
      }]);
    }
    return {
      FunctionName: fn.functionName,
      FunctionAlias: p.alias.aliasName,
      PublishedTargetVersion: p.version,
      DeployStrategy: this.strategyValue,
      Alarms: (p.alarms ?? []).length > 0 ? Fn.join(',', p.alarms!.map((a) => a.alarmName)) : undefined,
    };
  }
}
