import { CfnCapabilities, CfnParameter, DefaultStackSynthesizer, Duration, Fn, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../../core/step';
import { allowBootstrapVersionRead } from '../../private/bootstrap';
import { grantStackCreateUpdate } from '../../private/stack-grants';
import { MODEL } from '../../private/model';
import { pipelinePrincipal } from '../../private/principal';
import { acceptLibraryFindings, acceptNagFindings, artifactReadAcceptance, functionVersionsFinding, markL2ActionRole } from '../../private/nag';
import { ACTION_NAME, checkName, stepScopedId } from '../../private/names';
import { Problems, isConcrete } from '../../private/validation';
import { checkDeploymentOptions, configureNotifications, DeploymentOptions, narrowCodeDeployTrust, resolveAutoRollback, targetEnvironment } from '../common';
import { DeploymentStrategy } from '../strategy';
import { checkArgs, constructorOf } from '../../private/shapes';

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
    const rolePolicy = this.deploymentGroup.role.node.tryFindChild('DefaultPolicy');
    if (rolePolicy && hooks.length > 0) {
      acceptNagFindings(rolePolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'lambda:InvokeFunction on the hook functions and their versions (function:*), which CodeDeploy invokes by qualified ARN.',
        appliesTo: hooks.map((fn) => functionVersionsFinding(fn.functionArn, fn.node.defaultChild)),
      }]);
    }
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

class LambdaDeployStep implements IStep {
  public readonly stepName: string;
  public readonly label: string;
  public readonly estimate: StepEstimate;

  constructor(private readonly deployment: LambdaDeployment, private readonly options: LambdaDeployStepOptions) {
    const problems = new Problems(`LambdaDeployment '${deployment.node.path}' deployStep`);
    this.stepName = options.stepName ?? 'Deploy';
    this.estimate = { minutes: MODEL.stackUpdate + deployment.strategy.shiftMinutes };
    this.label = `Lambda via CloudFormation: ${deployment.strategy.describe()}`;
    checkName(problems, 'stepName', this.stepName, ACTION_NAME, 'action');
    if (!options.code) problems.add('code', undefined, 'is required', 'pass the artifact holding the function code, e.g. build.output');
    if (!options.templates) problems.add('templates', undefined, 'is required', "pass the artifact holding the synthesized templates, e.g. build.secondaryOutput('Templates')");
    problems.throwIfAny();
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const d = this.deployment;
    const stack = Stack.of(d);
    const subject = `LambdaDeployment '${d.node.path}' deployStep`;
    const environment = targetEnvironment(subject, d, context);
    const elsewhere = environment?.crossAccount === true || environment?.crossRegion === true;
    const templatePath = this.options.templatePath ?? `${stack.artifactId}.template.json`;
    const deploymentRole = this.options.deploymentRole ?? this.defaultDeploymentRole(scope, context, elsewhere);
    // The action's role calls CloudFormation, which resolves the template's SSM parameters (the CDK
    // bootstrap version) with it: the L2 does not grant that. In another account it is the target's
    // deploy role, which the L2 grants the stack and the deployment role.
    const actionRole = environment?.crossAccount && environment.deployRole
      ? environment.deployRole
      : new iam.Role(scope, 'ActionRole', { assumedBy: pipelinePrincipal(context) });
    if (stack.synthesizer instanceof DefaultStackSynthesizer) allowBootstrapVersionRead(actionRole, stack.account, stack.region);
    // The L2 would grant ValidateTemplate on the stack's ARN, which grants nothing: it gets an
    // immutable view of the role, and the same access is granted exactly here.
    if (actionRole instanceof iam.Role) {
      grantStackCreateUpdate(actionRole, {
        stackName: stack.stackName,
        region: environment?.crossRegion ? environment.region : undefined,
        deploymentRole,
        artifactBucket: environment?.artifactBucket ?? context.artifactBucket,
      });
    }
    const action = new actions.CloudFormationCreateUpdateStackAction({
        role: actionRole instanceof iam.Role ? actionRole.withoutPolicyUpdates() : actionRole,
        account: environment?.crossAccount ? environment.account : undefined,
        region: environment?.crossRegion ? environment.region : undefined,
        actionName: this.stepName,
        runOrder: context.runOrder,
        stackName: stack.stackName,
        templatePath: this.options.templates.atPath(templatePath),
        extraInputs: [this.options.code],
        parameterOverrides: d._parameterOverrides(this.options.code),
        adminPermissions: false,
        deploymentRole,
        cfnCapabilities: this.options.capabilities ?? [CfnCapabilities.ANONYMOUS_IAM],
    });
    // The L2 adds its grants to the action role when the pipeline binds the action; the pipeline
    // accepts them as it does on the roles it creates for actions.
    if (!environment?.crossAccount) markL2ActionRole(actionRole);
    return { actions: [action] };
  }

  /**
   * The role CloudFormation updates the application stack with. In another account or region it
   * is created in the application's stack (CloudFormation there must be able to assume it), named
   * so the pipeline can refer to it, and reads the release's code from the environment's store.
   */
  private defaultDeploymentRole(scope: Construct, context: StepContext, elsewhere: boolean): iam.IRole {
    const d = this.deployment;
    const role = new iam.Role(elsewhere ? d : scope, elsewhere ? stepScopedId(context.pipeline, context.stageName, this.stepName, 'DeploymentRole') : 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      description: `CloudFormation role of ${this.stepName}: releases of ${d.function.node.path}`,
      roleName: elsewhere ? PhysicalName.GENERATE_IF_NEEDED : undefined,
    });
    const fn = d.function.functionArn;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:GetFunctionCodeSigningConfig', 'lambda:GetRuntimeManagementConfig',
        'lambda:GetFunctionRecursionConfig', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion',
        'lambda:ListVersionsByFunction', 'lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:ListTags', 'lambda:TagResource', 'lambda:UntagResource',
      ],
      resources: [fn, `${fn}:*`],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup', 'codedeploy:StopDeployment'],
      resources: [d.deploymentGroup.deploymentGroupArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:GetDeploymentConfig'],
      resources: [d.deploymentConfig.deploymentConfigArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'],
      resources: [d.deploymentGroup.application.applicationArn],
    }));
    if (d.function.role) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [d.function.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      }));
    }
    if (elsewhere) {
      // Lambda reads the code with this role's credentials from the environment's store, whose
      // bucket and key policies (in the pipeline's account) then name exactly this role.
      (context.environment?.artifactBucket ?? context.artifactBucket).grantRead(role);
    } else {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [context.artifactBucket.arnForObjects('*')],
      }));
      if (context.artifactKey) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [context.artifactKey.keyArn] }));
    }
    const artifacts = artifactReadAcceptance(context.artifactBucket, elsewhere);
    acceptNagFindings(role.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: `The function's versions and alias (function:*), which each release creates and moves; ${artifacts.reason}`,
      appliesTo: [{ regex: '/^Resource::.*:\\*$/' }, ...artifacts.appliesTo],
    }]);
    return role;
  }
}

