import { CfnCapabilities, CfnParameter, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IStep } from '../../core/step';
import { acceptLibraryFindings, acceptNagFindings } from '../../private/nag';
import { checkArgs, constructorOf } from '../../private/shapes';
import { Problems, isConcrete } from '../../private/validation';
import { DeploymentOptions } from '../options';
import { checkDeploymentOptions, configureNotifications, narrowCodeDeployTrust, resolveAutoRollback } from '../private/deployment-group';
import { acceptHookInvokeFindings } from '../private/target-roles';
import { DeploymentStrategy } from '../strategy';
import { LambdaDeployStep } from './lambda-deploy-step';

/** Props of a `LambdaDeployment`. */
export interface LambdaDeploymentProps extends DeploymentOptions {
  /** The function. Its traffic shifts between versions through the alias. */
  readonly function: lambda.Function;

  /**
   * The code the function was created with, when the pipeline delivers it
   * (`lambda.Code.fromCfnParameters()`). Each release then publishes a new version: the version is
   * named after the code's object key, which changes with every build (a plain `currentVersion`
   * would not change, so CodeDeploy would never shift traffic).
   *
   * @default - the function's code is an asset: `function.currentVersion` changes with it
   */
  readonly code?: lambda.CfnParametersCode;

  /**
   * Name of the alias callers invoke: 1 to 128 characters from A-Z a-z 0-9 - _, not only digits.
   *
   * @default 'live'
   */
  readonly aliasName?: string;

  /**
   * How traffic shifts to the new version.
   *
   * @default DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) })
   */
  readonly strategy?: DeploymentStrategy;

  /**
   * Function run before traffic shifts (it must report its result to CodeDeploy). It may read the
   * deployment's targets: a check that calls the released function must call the version in
   * `lambdaTarget.lambdaFunctionInfo.targetVersion` (`GetDeploymentTarget`), because an unqualified
   * call runs `$LATEST`, not the version traffic shifts to.
   *
   * @default - none
   */
  readonly preTraffic?: lambda.IFunction;

  /**
   * Function run after traffic has shifted (it must report its result to CodeDeploy).
   *
   * @default - none
   */
  readonly postTraffic?: lambda.IFunction;

  /**
   * The CodeDeploy application.
   *
   * @default - an application is created
   */
  readonly application?: codedeploy.ILambdaApplication;
}

/** Options of the pipeline step that deploys the application stack of a `LambdaDeployment`. */
export interface LambdaDeployStepOptions {
  /** The artifact holding the function's code (a zip of its files), e.g. a build output. */
  readonly code: codepipeline.Artifact;

  /** The artifact holding the synthesized templates (`cdk synth` output). */
  readonly templates: codepipeline.Artifact;

  /**
   * Path of the application stack's template in `templates`.
   *
   * @default - `<stack artifact id>.template.json`
   */
  readonly templatePath?: string;

  /**
   * The role CloudFormation uses to update the application stack.
   *
   * @default - a role that may update exactly this function's code, configuration, versions and
   * alias, and start deployments of this deployment group: enough for releases that change code
   * and function settings; pass your own for stacks whose releases change other resources
   */
  readonly deploymentRole?: iam.IRole;

  /**
   * The capabilities the stack update acknowledges.
   *
   * @default [CfnCapabilities.ANONYMOUS_IAM]: the function's role is an IAM resource of the stack
   */
  readonly capabilities?: CfnCapabilities[];

  /**
   * Name of the action.
   *
   * @default 'Deploy'
   */
  readonly stepName?: string;
}

const ALIAS_NAME = /^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$/;

/**
 * Canary, linear or all-at-once releases of a Lambda function with CodeDeploy: a version per
 * release, an alias that callers use, the deployment group shifting the alias between versions
 * with hooks, alarms and automatic rollback. Lives in the application stack; the pipeline deploys
 * that stack with `deployStep`, filling the function's code from the build.
 */
export class LambdaDeployment extends Construct {
  /** The version of this release. */
  public readonly version: lambda.IVersion;
  /** The alias callers invoke. */
  public readonly alias: lambda.Alias;
  /** The deployment group. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  /** The deployment configuration the strategy maps to. */
  public readonly deploymentConfig: codedeploy.ILambdaDeploymentConfig;
  /** The strategy. */
  public readonly strategy: DeploymentStrategy;
  /** The function. */
  public readonly function: lambda.Function;
  private readonly code?: lambda.CfnParametersCode;

  constructor(scope: Construct, id: string, props: LambdaDeploymentProps) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id);
    // Compliance-pack findings without a fix worth its cost, on what this construct creates.
    acceptLibraryFindings(this);
    const subject = `LambdaDeployment '${this.node.path}'`;
    const problems = new Problems(subject);
    checkDeploymentOptions(problems, props);
    if (!props.function) {
      problems.add('function', undefined, 'is required', 'pass the lambda.Function whose releases CodeDeploy shifts traffic to');
      problems.throwIfAny();
    }
    const aliasName = props.aliasName ?? 'live';
    if (isConcrete(aliasName) && !ALIAS_NAME.test(aliasName)) {
      problems.add('aliasName', aliasName, 'is not a valid Lambda alias name', 'use 1 to 128 characters from A-Z a-z 0-9 - _, not only digits');
    }
    if (!props.code && usesParameterCode(props.function)) {
      problems.add('code', undefined, "the function's code comes from CloudFormation parameters, and its currentVersion would never change, so CodeDeploy would never shift traffic", 'pass the same lambda.Code.fromCfnParameters() object as code');
    }
    if (props.code && !codeIsBound(props.code)) {
      problems.add('code', 'a CfnParametersCode', 'is not the code of a function yet', 'create the function with this code first: new lambda.Function(this, id, { code, ... })');
    }
    problems.throwIfAny();

    this.function = props.function;
    this.code = props.code;
    this.strategy = props.strategy ?? DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) });
    this.deploymentConfig = this.strategy._lambdaConfig(this, 'DeploymentConfig', subject);
    this.version = props.code
      ? new lambda.Version(this, 'Version', {
        lambda: props.function,
        // Kept when a release replaces it (as currentVersion does): the alias may still point at it
        // during a rollback, and deleting it would need lambda:DeleteFunction in the deploy role.
        removalPolicy: RemovalPolicy.RETAIN,
        // Replaced (a new version published) whenever the pipeline delivers new code.
        description: Fn.join('', ['Release of ', Fn.ref(props.code.objectKeyParam)]),
      })
      : props.function.currentVersion;
    this.alias = new lambda.Alias(this, 'Alias', { aliasName, version: this.version });
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      application: props.application,
      deploymentGroupName: props.deploymentGroupName,
      alias: this.alias,
      deploymentConfig: this.deploymentConfig,
      preHook: props.preTraffic,
      postHook: props.postTraffic,
      alarms: props.alarms,
      autoRollback: resolveAutoRollback(props.autoRollback, props.alarms),
    });
    narrowCodeDeployTrust(this.deploymentGroup.role, true);
    configureNotifications(this.deploymentGroup, props.notificationTopic, props.notifyOn);
    const hooks = [props.preTraffic, props.postTraffic].filter((f): f is lambda.IFunction => f !== undefined);
    // The L2 lets hooks report their result; they may also read the deployment's targets, where the
    // version being released is (lambdaTarget.lambdaFunctionInfo.targetVersion): a hook that calls
    // the function must call that version, not $LATEST (CodeDeploy permissions reference).
    for (const fn of hooks) {
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['codedeploy:ListDeploymentTargets', 'codedeploy:GetDeploymentTarget'],
        resources: [this.deploymentGroup.deploymentGroupArn],
      }));
    }
    acceptHookInvokeFindings(this.deploymentGroup.role, hooks);
    acceptNagFindings(this.deploymentGroup.role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'AWSCodeDeployRoleForLambdaLimited is the service-role policy CodeDeploy documents for Lambda deployment groups (alias updates, alarms); hooks are granted invoke explicitly.',
      appliesTo: [{ regex: '/^Policy::arn:<AWS::Partition>:iam::aws:policy\\/service-role\\/AWSCodeDeployRoleForLambdaLimited$/' }],
    }]);
  }

  /**
   * The pipeline step that deploys the application stack with CloudFormation, the function's code
   * taken from the build; the alias update then shifts traffic through CodeDeploy.
   */
  public deployStep(options: LambdaDeployStepOptions): IStep {
    checkArgs('LambdaDeployment#deployStep', [options]);
    return new LambdaDeployStep(this, options);
  }

  /** @internal */
  public _parameterOverrides(location: codepipeline.Artifact): { [name: string]: unknown } | undefined {
    return this.code ? this.code.assign(location.s3Location) : undefined;
  }
}

/** True when the function's code bucket is a Ref to a CloudFormation parameter of its stack. */
function usesParameterCode(fn: lambda.Function): boolean {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const bucket = Stack.of(fn).resolve((cfn.code as lambda.CfnFunction.CodeProperty | undefined)?.s3Bucket);
  if (typeof bucket !== 'object' || bucket === null || !('Ref' in bucket)) return false;
  const stack = Stack.of(fn);
  return stack.node.findAll().some((c) => c instanceof CfnParameter && stack.resolve(c.logicalId) === bucket.Ref);
}

function codeIsBound(code: lambda.CfnParametersCode): boolean {
  try {
    return code.objectKeyParam !== undefined;
  } catch {
    return false;
  }
}
