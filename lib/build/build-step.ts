import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext } from '../core/step';
import { acceptNagFindings, artifactObjectsFinding } from '../private/nag';
import { ACTION_NAME, checkName, toArtifactName } from '../private/names';
import { DeliveryValidationError, Problems, isConcrete, isConcreteNumber } from '../private/validation';
import { CLONE_CONNECTION_METADATA, useConnectionActions } from '../source/connection-source';

/** A plain-text environment variable of a build. Never put a secret here. */
export interface BuildVariable {
  /** Name of the variable: letters, digits and `_`, not starting with a digit or `CODEBUILD_`. */
  readonly name: string;
  /**
   * Value of the variable. It may contain variable references such as `#{Source.CommitId}`:
   * CodePipeline resolves those only in action configuration, so such variables are passed by the
   * pipeline action; constant ones are written into the buildspec.
   */
  readonly value: string;
}

/** Props of a `BuildStep`. */
export interface BuildStepProps {
  /** Commands of the `build` phase, run in order with bash. */
  readonly commands: string[];

  /**
   * Commands of the `install` phase.
   *
   * @default - no install phase
   */
  readonly installCommands?: string[];

  /**
   * Commands of the `pre_build` phase.
   *
   * @default - no pre_build phase
   */
  readonly preBuildCommands?: string[];

  /**
   * Commands of the `post_build` phase.
   *
   * @default - no post_build phase
   */
  readonly postBuildCommands?: string[];

  /**
   * Plain-text environment variables. Values are visible in the console and the template: never
   * put secrets here.
   *
   * @default - none
   */
  readonly env?: BuildVariable[];

  /**
   * The artifact the build runs on.
   *
   * @default - the pipeline's primary source output
   */
  readonly input?: codepipeline.Artifact;

  /**
   * Files the build outputs, as globs relative to `outputBaseDirectory` (for example `dist/**`).
   * When given, the step produces `output`, an artifact later steps consume.
   *
   * @default - the build has no output artifact
   */
  readonly outputs?: string[];

  /**
   * Directory the output globs are relative to.
   *
   * @default - the source root
   */
  readonly outputBaseDirectory?: string;

  /**
   * Compute type of the build.
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Build image.
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0
   */
  readonly buildImage?: codebuild.IBuildImage;

  /**
   * Time after which CodeBuild stops the build: 5 to 2,160 minutes.
   *
   * @default Duration.minutes(60)
   */
  readonly timeout?: Duration;

  /**
   * How long CloudWatch keeps the build logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The role the build runs with. The step adds the statements the build needs to it (if it can
   * be changed); nothing else is added.
   *
   * @default - a role trusted by CodeBuild in this account, with exactly those statements
   */
  readonly role?: iam.IRole;
}

/** CodeBuild build timeout range (https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html). */
const TIMEOUT_MINUTES = { min: 5, max: 2160 };
/** CodePipeline limit on one action configuration value (https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html). */
const MAX_CONFIGURATION_VALUE = 1000;

/**
 * Runs commands in a CodeBuild project as a pipeline action.
 *
 * The project is encrypted with the pipeline's artifact key, logs to a CloudWatch log group with
 * a retention period, runs bash on the standard Linux image with small compute, and has a role
 * with exactly the permissions the build needs: read its input artifacts, write its output
 * artifact, write its own log group, use the artifact key.
 */
export class BuildStep implements IStep {
  public readonly stepName: string;
  /** The artifact the build produces, when `outputs` is given. */
  public readonly output?: codepipeline.Artifact;
  /** The buildspec the project runs. */
  public readonly buildSpec: codebuild.BuildSpec;
  private readonly props: BuildStepProps;
  private _project?: codebuild.IProject;
  private _role?: iam.IRole;
  private _logGroup?: logs.ILogGroup;

  /** @param name the step's name, used as its action name */
  constructor(name: string, props: BuildStepProps) {
    const problems = new Problems(`BuildStep '${name}'`);
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    if (!Array.isArray(props.commands) || props.commands.length === 0) {
      problems.add('commands', props.commands, 'must list at least one command', "give the build commands, for example ['npm ci', 'npm test']");
    }
    for (const [prop, list] of Object.entries({ commands: props.commands, installCommands: props.installCommands, preBuildCommands: props.preBuildCommands, postBuildCommands: props.postBuildCommands })) {
      (Array.isArray(list) ? list : []).forEach((c, i) => {
        if (typeof c !== 'string' || (isConcrete(c) && c.trim() === '')) {
          problems.add(`${prop}[${i}]`, c, 'is an empty command', 'remove it or write the command');
        }
      });
    }
    const seen = new Set<string>();
    (props.env ?? []).forEach((v, i) => {
      if (!isConcrete(v.name)) return;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.name)) {
        problems.add(`env[${i}].name`, v.name, 'is not a valid environment variable name', 'use letters, digits and _ and do not start with a digit');
      } else if (v.name.toUpperCase().startsWith('CODEBUILD_')) {
        problems.add(`env[${i}].name`, v.name, 'starts with CODEBUILD_, which CodeBuild reserves', 'choose another name');
      }
      if (seen.has(v.name)) {
        problems.add(`env[${i}].name`, v.name, 'is given twice', 'give each variable once');
      }
      seen.add(v.name);
    });
    (props.outputs ?? []).forEach((o, i) => {
      if (isConcrete(o) && o.trim() === '') {
        problems.add(`outputs[${i}]`, o, 'is an empty glob', "use a glob such as 'dist/**/*'");
      }
    });
    if (props.outputs !== undefined && props.outputs.length === 0) {
      problems.add('outputs', props.outputs, 'is an empty list', "list the files to output, for example ['**/*'], or remove outputs");
    }
    if (props.outputBaseDirectory !== undefined && props.outputs === undefined) {
      problems.add('outputBaseDirectory', props.outputBaseDirectory, 'is given without outputs', 'add outputs, or remove outputBaseDirectory');
    }
    const passed = actionVariables(props.env);
    if (passed && JSON.stringify(Object.entries(passed).map(([name, v]) => ({ name, type: 'PLAINTEXT', value: v.value }))).length > MAX_CONFIGURATION_VALUE) {
      problems.add('env', (props.env ?? []).filter((v) => isReference(v.value)).map((v) => v.name), `the variables holding #{...} references are passed in the action's configuration, which CodePipeline limits to ${MAX_CONFIGURATION_VALUE} characters`, 'pass fewer or shorter referenced values, or read them in the build from a file');
    }
    if (props.timeout !== undefined && !props.timeout.isUnresolved() && isConcreteNumber(props.timeout.toMinutes({ integral: false }))) {
      const minutes = props.timeout.toMinutes({ integral: false });
      if (!Number.isInteger(minutes) || minutes < TIMEOUT_MINUTES.min || minutes > TIMEOUT_MINUTES.max) {
        problems.add('timeout', `${minutes} minutes`, `must be a whole number of minutes from ${TIMEOUT_MINUTES.min} to ${TIMEOUT_MINUTES.max} (CodeBuild's range)`, 'use Duration.minutes(n) with n in that range');
      }
    }
    problems.throwIfAny();

    this.stepName = name;
    this.props = props;
    this.output = props.outputs ? new codepipeline.Artifact(toArtifactName(`${name}_Output`)) : undefined;
    this.buildSpec = codebuild.BuildSpec.fromObjectToYaml(renderBuildSpec(props, isLinux(props.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0)));
  }

  /** The CodeBuild project, once the step is placed in a pipeline. */
  public get project(): codebuild.IProject {
    if (!this._project) throw new DeliveryValidationError(`BuildStep '${this.stepName}': the project is created when the step is added to a pipeline; read 'project' after that`);
    return this._project;
  }

  /** The project's role, once the step is placed in a pipeline. */
  public get role(): iam.IRole {
    if (!this._role) throw new DeliveryValidationError(`BuildStep '${this.stepName}': the role is created when the step is added to a pipeline; read 'role' after that`);
    return this._role;
  }

  /** The build's log group, once the step is placed in a pipeline. */
  public get logGroup(): logs.ILogGroup {
    if (!this._logGroup) throw new DeliveryValidationError(`BuildStep '${this.stepName}': the log group is created when the step is added to a pipeline; read 'logGroup' after that`);
    return this._logGroup;
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const input = this.props.input ?? context.primaryInput;
    const stack = Stack.of(scope);
    const logGroup = new logs.LogGroup(scope, 'Logs', {
      retention: this.props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });

    // The project gets an immutable view of this role, so the L2 constructs cannot add their
    // broad default grants (s3:GetObject*, s3:List*, the /aws/codebuild/* log groups); the exact
    // statements below are all the build needs.
    const role = this.props.role ?? new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      description: `CodeBuild role of step ${this.stepName} in stage ${context.stageName}`,
    });
    const image = this.props.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0;
    if (image.imagePullPrincipalType === codebuild.ImagePullPrincipalType.SERVICE_ROLE) {
      // The project cannot make these grants through the immutable role it is given.
      image.repository?.grantPull(role);
      image.secretsManagerCredentials?.grantRead(role);
    }
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'LocateArtifactBucket',
      actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'],
      resources: [context.artifactBucket.bucketArn],
    }));
    const objectActions = ['s3:GetObject', 's3:GetObjectVersion', ...(this.output ? ['s3:PutObject'] : [])];
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadWriteArtifacts',
      actions: objectActions,
      resources: [context.artifactBucket.arnForObjects('*')],
    }));
    if (context.artifactKey) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'UseArtifactKey',
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [context.artifactKey.keyArn],
      }));
    }
    const cloneConnection = input.getMetadata(CLONE_CONNECTION_METADATA) as string | undefined;
    if (cloneConnection) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'CloneThroughConnection',
        actions: useConnectionActions(cloneConnection),
        resources: [cloneConnection],
      }));
    }

    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acceptNagFindings(policy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'Artifact objects: CodePipeline generates their keys per execution, so only the bucket/* ARN of this pipeline\'s artifact bucket can name them.',
        appliesTo: [artifactObjectsFinding(context.artifactBucket)],
      }]);
    }

    const project = new codebuild.PipelineProject(scope, 'Project', {
      description: `Step ${this.stepName} of stage ${context.stageName}`,
      role: role instanceof iam.Role ? role.withoutPolicyUpdates() : iam.Role.fromRoleArn(scope, 'ProjectRole', role.roleArn, { mutable: false }),
      encryptionKey: context.artifactKey,
      buildSpec: this.buildSpec,
      environment: {
        buildImage: image,
        computeType: this.props.computeType ?? (isLinux(image) ? codebuild.ComputeType.SMALL : image.defaultComputeType),
        privileged: false,
      },
      timeout: this.props.timeout,
      logging: { cloudWatch: { logGroup } },
    });
    // The role's policy must exist before a build can run.
    project.node.addDependency(role);
    this._project = project;
    this._role = role;
    this._logGroup = logGroup;

    return {
      actions: [
        new actions.CodeBuildAction({
          actionName: this.stepName,
          project,
          input,
          outputs: this.output ? [this.output] : undefined,
          runOrder: context.runOrder,
          environmentVariables: actionVariables(this.props.env),
        }),
      ],
    };
  }
}

/** Linux images run bash; Windows images run PowerShell by default and have no bash. */
function isLinux(image: codebuild.IBuildImage): boolean {
  return !image.type.startsWith('WINDOWS');
}

function renderBuildSpec(props: BuildStepProps, linux: boolean): Record<string, unknown> {
  const phase = (commands: string[] | undefined) => (commands && commands.length > 0 ? { commands } : undefined);
  const variables: Record<string, string> = {};
  const constants = (props.env ?? []).filter((v) => !isReference(v.value));
  for (const v of constants) variables[v.name] = v.value;
  const phases = Object.fromEntries(Object.entries({
    install: phase(props.installCommands),
    pre_build: phase(props.preBuildCommands),
    build: phase(props.commands),
    post_build: phase(props.postBuildCommands),
  }).filter(([, v]) => v !== undefined));
  return {
    version: '0.2',
    env: {
      // CodeBuild's default shell on Linux is sh; bash is what people write build scripts in.
      ...(linux ? { shell: 'bash' } : {}),
      ...(constants.length > 0 ? { variables } : {}),
    },
    phases,
    ...(props.outputs ? {
      artifacts: {
        files: props.outputs,
        ...(props.outputBaseDirectory ? { 'base-directory': props.outputBaseDirectory } : {}),
      },
    } : {}),
  };
}

/** True when a value holds a pipeline variable reference (`#{...}`) or a deploy-time token. */
function isReference(value: string): boolean {
  return value.includes('#{') || Token.isUnresolved(value);
}

/** Variables CodePipeline must resolve: passed in the action's configuration. */
function actionVariables(env: BuildVariable[] | undefined): { [name: string]: codebuild.BuildEnvironmentVariable } | undefined {
  const refs = (env ?? []).filter((v) => isReference(v.value));
  if (refs.length === 0) return undefined;
  return Object.fromEntries(refs.map((v) => [v.name, { value: v.value, type: codebuild.BuildEnvironmentVariableType.PLAINTEXT }]));
}
