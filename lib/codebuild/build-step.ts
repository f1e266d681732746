import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { artifactObjectsArn } from '../core/artifact-folders';
import { IStep, StepActions, StepContext, StepEstimate } from '../core/step';
import { SECRET_REFERENCE } from '../private/credentials';
import { MODEL } from '../private/model';
import { acceptNagFindings, artifactObjectsFinding, inPacks } from '../private/nag';
import { ACTION_NAME, ARTIFACT_NAME, NAMESPACE, checkName, toArtifactName, toNamespace } from '../private/names';
import { DeliveryValidationError, Problems } from '../private/validation';
import { CLONE_CONNECTION_METADATA, useConnectionActions } from '../source/connection-source';
import { BuildCache, BuildCacheType } from './cache';
import { BuildSpecModel, RuntimeVersion, SecondaryOutput, renderBuildSpec, renderTokens } from './buildspec';
import { checkBuildStepProps, isLambdaCompute, isLinux, isReference } from './private/validate-props';
import { BuildPhase, SECRET_REFERENCE_FIX, SECRET_REFERENCE_PROBLEM } from './phases';
import { BatchBuild } from './batch';
import { GeneratedFile, generatedFileVariable, writeFileCommand } from './generated-file';
import { TestReport } from './reports';
import { BuildSecret } from './secrets';
import { checkArgs, constructorOf } from '../private/shapes';

/** A plain-text environment variable of a build. Never put a secret here: use `secrets`. */
export interface BuildVariable {
  /** Name of the variable: letters, digits and `_`, not starting with a digit or `CODEBUILD_`. */
  readonly name: string;
  /**
   * Value of the variable. It may contain variable references such as `#{Source.CommitId}`:
   * CodePipeline resolves those only in action configuration, so such variables are passed by the
   * pipeline action; deploy-time values (tokens) are set on the project; constant ones are written
   * into the buildspec.
   */
  readonly value: string;
}

/** Where a build also writes its logs in S3. */
export interface S3LogsOptions {
  /** The bucket (should be encrypted; the logs are written encrypted). */
  readonly bucket: s3.IBucket;
  /**
   * Key prefix of the logs.
   *
   * @default 'codebuild-logs'
   */
  readonly prefix?: string;
}

/** Props of a `BuildStep`. */
export interface BuildStepProps {
  /**
   * Commands of the `build` phase: shorthand for `buildPhase: { commands }`.
   *
   * @default - none: `buildPhase` must be given
   */
  readonly commands?: string[];

  /**
   * Commands of the `install` phase: shorthand for `installPhase: { commands }`.
   *
   * @default - no install commands
   */
  readonly installCommands?: string[];

  /**
   * Commands of the `pre_build` phase: shorthand for `preBuildPhase: { commands }`.
   *
   * @default - no pre_build phase
   */
  readonly preBuildCommands?: string[];

  /**
   * Commands of the `post_build` phase: shorthand for `postBuildPhase: { commands }`.
   *
   * @default - no post_build phase
   */
  readonly postBuildCommands?: string[];

  /**
   * The `install` phase, with `finally` commands and failure behaviour.
   *
   * @default - from `installCommands`
   */
  readonly installPhase?: BuildPhase;

  /**
   * The `pre_build` phase.
   *
   * @default - from `preBuildCommands`
   */
  readonly preBuildPhase?: BuildPhase;

  /**
   * The `build` phase.
   *
   * @default - from `commands`
   */
  readonly buildPhase?: BuildPhase;

  /**
   * The `post_build` phase.
   *
   * @default - from `postBuildCommands`
   */
  readonly postBuildPhase?: BuildPhase;

  /**
   * Runtimes the install phase selects (`runtime-versions`), e.g. nodejs 22 and python 3.12.
   * Checked against the runtimes CodeBuild documents for the standard images.
   *
   * @default - the image's default runtimes
   */
  readonly runtimeVersions?: RuntimeVersion[];

  /**
   * Plain-text environment variables. Values are visible in the console and the template: a
   * variable whose name or value looks like a credential is rejected (use `secrets`).
   *
   * @default - none
   */
  readonly env?: BuildVariable[];

  /**
   * Environment variables read from Parameter Store or Secrets Manager when the build starts; the
   * build role may read exactly those parameters and secrets.
   *
   * @default - none
   */
  readonly secrets?: BuildSecret[];

  /**
   * Environment variables the build exports to the pipeline. Later actions read them as
   * `step.exportedVariable('NAME')` (`#{namespace.NAME}`).
   *
   * @default - none
   */
  readonly exportedVariables?: string[];

  /**
   * Variables namespace of the build action.
   *
   * @default - the step name, when the step exports variables
   */
  readonly variablesNamespace?: string;

  /**
   * The artifact the build runs on (its primary source, in `CODEBUILD_SRC_DIR`).
   *
   * @default - the pipeline's primary source output
   */
  readonly input?: codepipeline.Artifact;

  /**
   * More input artifacts (at most 4 more: CodeBuild actions take 5 inputs). Each is checked out
   * to the directory in the variable `CODEBUILD_SRC_DIR_<artifact name>`.
   *
   * @default - none
   */
  readonly additionalInputs?: codepipeline.Artifact[];

  /**
   * Files the build outputs, as globs relative to `outputBaseDirectory` (for example `dist/**`).
   * When given, the step produces `output`, an artifact later steps consume.
   *
   * @default - the build has no primary output artifact
   */
  readonly outputs?: string[];

  /**
   * Directory the output globs are relative to.
   *
   * @default - the source root
   */
  readonly outputBaseDirectory?: string;

  /**
   * Drop the directory structure of the output files.
   *
   * @default false
   */
  readonly discardPaths?: boolean;

  /**
   * Files the build writes into its output (relative to `outputBaseDirectory`) after the build
   * commands, and adds to the output artifact, such as an appspec generated by a deployment target.
   *
   * @default - none
   */
  readonly generatedFiles?: GeneratedFile[];

  /**
   * Named output artifacts besides `outputs` (CodeBuild actions have at most 5 outputs); each is
   * `step.secondaryOutput(name)`.
   *
   * @default - none
   */
  readonly secondaryOutputs?: SecondaryOutput[];

  /**
   * Where the build keeps its cache.
   *
   * @default - BuildCache.local() (source and `cachePaths`; Docker layers in Docker steps); none on Lambda compute
   */
  readonly cache?: BuildCache;

  /**
   * Directories to cache between builds, e.g. `/root/.npm/**\/*`.
   *
   * @default - none
   */
  readonly cachePaths?: string[];

  /**
   * Test and code-coverage reports the build writes; each gets a report group of its own.
   *
   * @default - none
   */
  readonly reports?: TestReport[];

  /**
   * Compute type of the build (including ARM and Lambda compute with the matching image).
   *
   * @default codebuild.ComputeType.SMALL (the image's default for Windows images)
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
   * Time a build may wait in the queue: 5 to 480 minutes.
   *
   * @default Duration.hours(8)
   */
  readonly queuedTimeout?: Duration;

  /**
   * Run the build in privileged mode (needed to run Docker). Only Docker builds need it
   * (Security Hub CodeBuild.5): use `DockerImageStep`, which turns it on for itself.
   *
   * @default false
   */
  readonly privileged?: boolean;

  /**
   * How long CloudWatch keeps the build logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Also write the logs to S3, encrypted.
   *
   * @default - CloudWatch Logs only
   */
  readonly s3Logs?: S3LogsOptions;

  /**
   * Run the build in a VPC (to reach private resources).
   *
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of the VPC the build runs in.
   *
   * @default - the VPC's private subnets
   */
  readonly subnetSelection?: ec2.SubnetSelection;

  /**
   * Security groups of the build in the VPC.
   *
   * @default - a security group allowing all outbound traffic is created
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Name of the CodeBuild project: 2 to 150 characters from A-Z a-z 0-9 _ -, starting with a letter or digit.
   *
   * @default - a name CloudFormation generates
   */
  readonly projectName?: string;

  /**
   * Minutes the build's commands are expected to take, for run-time and cost estimates.
   *
   * @default 5
   */
  readonly expectedMinutes?: number;

  /**
   * Run the step as a CodeBuild batch: a build matrix or a build graph.
   *
   * @default - a single build
   */
  readonly batch?: BatchBuild;

  /**
   * Steps of the same stage this build runs after, in a parallel stage (e.g. end-to-end tests
   * after unit tests).
   *
   * @default - none
   */
  readonly dependsOn?: IStep[];

  /**
   * The role the build runs with. The step adds the statements the build needs to it (if it can
   * be changed); nothing else is added. Give each step a role of its own: a role shared by two
   * steps gets the artifact grants of both, so either could replace the other's outputs (synth
   * warns).
   *
   * @default - a role trusted by CodeBuild in this account, with exactly those statements
   */
  readonly role?: iam.IRole;
}

/**
 * Runs commands in a CodeBuild project as a pipeline action.
 *
 * The buildspec is generated from typed props and checked at synth; the project is encrypted with
 * the pipeline's artifact key, logs to a CloudWatch log group with a retention period, runs bash on
 * the standard Linux image with small compute and a local cache, and has a role with exactly the
 * permissions the build needs: read its inputs, write its outputs and reports, write its own log
 * group, use the artifact key, read its secrets.
 */
export class BuildStep implements IStep {
  /** The first step each passed-in role was given to. */
  private static readonly roleUsers = new WeakMap<iam.IRole, string>();

  public readonly stepName: string;
  /** The primary artifact the build produces, when `outputs` is given. */
  public readonly output?: codepipeline.Artifact;

  /** Variables namespace of the build action (set when the step exports variables). */
  public readonly variablesNamespace?: string;
  /** Steps of the same stage this build runs after. */
  public readonly dependsOn?: IStep[];
  /** A short description for diagrams. */
  public readonly label?: string;
  /** What one run of the step is expected to take. */
  public readonly estimate?: StepEstimate;
  /** The props the step was made from. */
  protected readonly props: BuildStepProps;
  private readonly secondary: Map<string, codepipeline.Artifact>;
  private readonly exported: Set<string>;
  private readonly model: BuildSpecModel;
  private _project?: codebuild.PipelineProject;
  private _role?: iam.IRole;
  private _logGroup?: logs.ILogGroup;
  private _reportGroups: codebuild.IReportGroup[] = [];
  private _buildSpec: codebuild.BuildSpec;

  /** @param name the step's name, used as its action name */
  constructor(name: string, props: BuildStepProps) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`${new.target.name} '${name}'`);
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    checkBuildStepProps(problems, props, this.dockerBuild());
    if (props.variablesNamespace !== undefined) {
      checkName(problems, 'variablesNamespace', props.variablesNamespace, NAMESPACE, 'variables namespace');
    }
    (props.secondaryOutputs ?? []).forEach((o, i) => checkName(problems, `secondaryOutputs[${i}].name`, o.name, ARTIFACT_NAME, 'artifact'));
    props.batch?._check(problems);
    problems.throwIfAny();

    this.stepName = name;
    this.props = props;
    this.dependsOn = props.dependsOn ? [...props.dependsOn] : undefined;
    const lambdaCompute = isLambdaCompute(props.computeType);
    const minutes = (lambdaCompute ? MODEL.lambdaProvisioning : MODEL.provisioning) + (props.expectedMinutes ?? MODEL.build);
    this.estimate = {
      minutes,
      buildMinutes: minutes * (props.batch ? props.batch.buildCount : 1),
      computeType: props.computeType ?? codebuild.ComputeType.SMALL,
    };
    this.label = this.dockerBuild() ? 'Docker image to ECR' : (props.batch ? `CodeBuild batch of ${props.batch.buildCount}` : 'CodeBuild');
    this.output = props.outputs ? new codepipeline.Artifact(toArtifactName(`${name}_Output`)) : undefined;
    this.secondary = new Map((props.secondaryOutputs ?? []).map((o) => [o.name, new codepipeline.Artifact(o.name)]));
    this.exported = new Set(props.exportedVariables ?? []);
    this.variablesNamespace = props.variablesNamespace ?? (this.exported.size > 0 ? toNamespace(name) : undefined);
    this.model = this.buildSpecModel();
    this._buildSpec = codebuild.BuildSpec.fromObjectToYaml(renderBuildSpec(this.model));
  }

  /**
   * The buildspec the project runs. Before the step is placed in a pipeline it lacks what needs
   * the pipeline (secret references and report groups).
   */
  public get buildSpec(): codebuild.BuildSpec {
    return this._buildSpec;
  }

  /**
   * A variable the build exports, as a reference later actions use: `#{namespace.NAME}`.
   *
   * @param name one of `exportedVariables`
   */
  public exportedVariable(name: string): string {
    checkArgs('BuildStep#exportedVariable', [name]);
    if (!this.exported.has(name)) {
      throw new DeliveryValidationError(`${this.constructor.name} '${this.stepName}' has 1 problem:\n  - exportedVariable: '${name}' is not exported by this step (got "${name}"). Fix: add it to exportedVariables (exported: ${[...this.exported].join(', ') || 'none'})`);
    }
    return `#{${this.variablesNamespace}.${name}}`;
  }

  /**
   * A secondary output artifact.
   *
   * @param name one of `secondaryOutputs`
   */
  public secondaryOutput(name: string): codepipeline.Artifact {
    checkArgs('BuildStep#secondaryOutput', [name]);
    const artifact = this.secondary.get(name);
    if (!artifact) {
      throw new DeliveryValidationError(`${this.constructor.name} '${this.stepName}' has 1 problem:\n  - secondaryOutput: no secondary output is named '${name}' (got "${name}"). Fix: use one of: ${[...this.secondary.keys()].join(', ') || 'none (add secondaryOutputs)'}`);
    }
    return artifact;
  }

  /**
   * The buildspec as the YAML the project runs, byte for byte. Values known only at deploy time
   * (such as report group ARNs in a stack without an explicit environment) appear as
   * `${LogicalId.Attribute}`, as CloudFormation's Fn::Sub would write them.
   */
  public buildSpecYaml(): string {
    const yaml = this.buildSpec.toBuildSpec(this._project);
    return this._project ? renderTokens(this._project, yaml) : yaml;
  }

  /** The CodeBuild project, once the step is placed in a pipeline. */
  public get project(): codebuild.IProject {
    return this.bound(this._project, 'project');
  }

  /** The project's role, once the step is placed in a pipeline. */
  public get role(): iam.IRole {
    return this.bound(this._role, 'role');
  }

  /** The build's log group, once the step is placed in a pipeline. */
  public get logGroup(): logs.ILogGroup {
    return this.bound(this._logGroup, 'logGroup');
  }

  /** The report groups of `reports`, in order, once the step is placed in a pipeline. */
  public get reportGroups(): codebuild.IReportGroup[] {
    this.bound(this._project, 'reportGroups');
    return [...this._reportGroups];
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const input = this.props.input ?? context.primaryInput;
    const stack = Stack.of(scope);
    const image = this.props.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0;
    const computeType = this.props.computeType ?? (isLinux(image) ? codebuild.ComputeType.SMALL : image.defaultComputeType);
    const logKey = logEncryptionKey(context.artifactKey);
    const logGroup = new logs.LogGroup(scope, 'Logs', {
      retention: this.props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      encryptionKey: logKey,
    });
    if (!logKey) {
      acceptNagFindings(logGroup, inPacks('CloudWatchLogGroupEncrypted', 'The pipeline\'s artifact key is imported, so its key policy cannot let CloudWatch Logs use it; the logs are encrypted by CloudWatch Logs with its own key. Pass an artifactKey created in this app to encrypt them with it.'));
    }

    // The project gets an immutable view of this role, so the L2 constructs cannot add their
    // broad default grants (s3:GetObject*, s3:List*, the /aws/codebuild/* log groups); the exact
    // statements below are all the build needs.
    const role = this.props.role ?? new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      description: `CodeBuild role of step ${this.stepName} in stage ${context.stageName}`,
    });
    this.warnOnSharedRole(scope, context);
    const extraProblems = this.grantBaseAccess(scope, role, logGroup, image, input, context);
    const secrets = this.bindSecrets(scope, role);
    const reportGroups = this.createReportGroups(scope, role);
    const cache = this.renderCache(role, computeType);
    const projectEnv = this.projectEnvironment(scope, role);
    this.checkSecretReferences(stack, extraProblems);
    extraProblems.throwIfAny();

    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acceptNagFindings(policy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'Artifact objects: CodePipeline generates their keys per execution, so only a pattern can name them: the folders of the step\'s own artifacts in this pipeline\'s artifact bucket (or the whole bucket with ArtifactAccess.WHOLE_BUCKET).',
        appliesTo: [artifactObjectsFinding(context.artifactBucket, true)],
      }]);
    }

    const model: BuildSpecModel = {
      ...this.model,
      parameterStore: secrets.parameterStore,
      secretsManager: secrets.secretsManager,
      reports: Object.fromEntries(reportGroups.map(([group, r]) => [group.reportGroupArn, {
        files: r.files, fileFormat: r.fileFormat, baseDirectory: r.baseDirectory, discardPaths: r.discardPaths,
      }])),
    };
    const buildSpec = codebuild.BuildSpec.fromObjectToYaml(renderBuildSpec(model));
    this._buildSpec = buildSpec;

    const project = new codebuild.PipelineProject(scope, 'Project', {
      projectName: this.props.projectName,
      description: `Step ${this.stepName} of stage ${context.stageName}`,
      role: role instanceof iam.Role ? role.withoutPolicyUpdates() : iam.Role.fromRoleArn(scope, 'ProjectRole', role.roleArn, { mutable: false }),
      encryptionKey: context.artifactKey,
      buildSpec,
      environment: {
        buildImage: image,
        computeType,
        privileged: this.dockerBuild() || (this.props.privileged ?? false),
      },
      environmentVariables: projectEnv,
      timeout: this.props.timeout,
      queuedTimeout: this.props.queuedTimeout,
      cache,
      logging: {
        cloudWatch: { logGroup },
        ...(this.props.s3Logs ? { s3: { bucket: this.props.s3Logs.bucket, prefix: this.props.s3Logs.prefix ?? 'codebuild-logs', encrypted: true } } : {}),
      },
      ...this.vpcConfig(scope, role),
    });
    // The role's policy must exist before a build can run.
    project.node.addDependency(role);
    const batch = this.props.batch;
    if (batch) {
      project.enableBatchBuilds();
      // The L2 has no props for the batch restrictions and timeout (CloudFormation BuildBatchConfig).
      const cfn = project.node.defaultChild as codebuild.CfnProject;
      cfn.addPropertyOverride('BuildBatchConfig.Restrictions.MaximumBuildsAllowed', batch._maximumBuilds());
      const timeout = batch._timeoutMinutes();
      if (timeout !== undefined) cfn.addPropertyOverride('BuildBatchConfig.TimeoutInMins', timeout);
    }
    this._project = project;
    if (this.dockerBuild()) {
      acceptNagFindings(project, [{
        id: 'Delivery-CodeBuildPrivilegedMode',
        reason: 'This project builds Docker images, which needs privileged mode; it is the only kind of step the library runs privileged.',
      }]);
    }
    this._role = role;
    this._logGroup = logGroup;
    this._reportGroups = reportGroups.map(([g]) => g);

    return {
      actions: [
        new actions.CodeBuildAction({
          actionName: this.stepName,
          project,
          input,
          extraInputs: this.props.additionalInputs,
          outputs: this.outputs(),
          runOrder: context.runOrder,
          environmentVariables: actionVariables(this.props.env),
          variablesNamespace: this.variablesNamespace,
          executeBatchBuild: this.props.batch ? true : undefined,
          combineBatchBuildArtifacts: this.props.batch?._combineArtifacts(this.outputs() !== undefined),
        }),
      ],
    };
  }

  /** True for steps that build Docker images (privileged mode, Docker layer cache). */
  protected dockerBuild(): boolean {
    return false;
  }

  /**
   * Project-level environment variables the step adds (values known only at deploy time, such as
   * a repository URI), and the grants they need.
   */
  protected extraProjectVariables(_scope: Construct, _role: iam.IRole): BuildVariable[] {
    return [];
  }

  private bound<T>(value: T | undefined, what: string): T {
    if (value === undefined) {
      throw new DeliveryValidationError(`${this.constructor.name} '${this.stepName}': '${what}' is created when the step is added to a pipeline; read it after that`);
    }
    return value;
  }

  private outputs(): codepipeline.Artifact[] | undefined {
    const all = [...(this.output ? [this.output] : []), ...this.secondary.values()];
    return all.length > 0 ? all : undefined;
  }

  private buildSpecModel(): BuildSpecModel {
    const p = this.props;
    const phase = (full: BuildPhase | undefined, commands: string[] | undefined): BuildPhase | undefined =>
      full ?? (commands && commands.length > 0 ? { commands } : undefined);
    const generated = (p.generatedFiles ?? []).map((f, i) => writeFileCommand(f, p.outputBaseDirectory, Token.isUnresolved(f.content) ? generatedFileVariable(i) : undefined));
    const buildPhase = phase(p.buildPhase, p.commands);
    const variables: { [name: string]: string } = {};
    for (const v of p.env ?? []) {
      if (!isReference(v.value) && !Token.isUnresolved(v.value)) variables[v.name] = v.value;
    }
    return {
      linux: isLinux(p.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0),
      runtimeVersions: p.runtimeVersions ?? [],
      phases: {
        install: phase(p.installPhase, p.installCommands),
        pre_build: phase(p.preBuildPhase, p.preBuildCommands),
        build: generated.length > 0
          ? { ...buildPhase, commands: [...(buildPhase?.commands ?? []), ...generated] }
          : buildPhase,
        post_build: phase(p.postBuildPhase, p.postBuildCommands),
      },
      variables,
      parameterStore: {},
      secretsManager: {},
      exportedVariables: [...(p.exportedVariables ?? [])],
      primary: p.outputs ? {
        name: toArtifactName(`${this.stepName}_Output`),
        files: [...p.outputs, ...(p.generatedFiles ?? []).map((f) => f.path).filter((path) => !p.outputs!.includes(path))],
        baseDirectory: p.outputBaseDirectory,
        discardPaths: p.discardPaths,
      } : undefined,
      secondary: Object.fromEntries((p.secondaryOutputs ?? []).map((o) => [o.name, { files: o.files, baseDirectory: o.baseDirectory, discardPaths: o.discardPaths }])),
      reports: {},
      cachePaths: [...(p.cachePaths ?? [])],
      batch: p.batch?._renderBuildSpec(),
    };
  }

  /**
   * A role given to several steps collects the artifact grants of each, so per-step artifact
   * access cannot keep those steps from replacing each other's artifacts.
   */
  private warnOnSharedRole(scope: Construct, context: StepContext): void {
    const role = this.props.role;
    if (!role || context.pipelineFolder === undefined) return;
    const first = BuildStep.roleUsers.get(role);
    if (first === undefined) {
      BuildStep.roleUsers.set(role, this.stepName);
    } else if (first !== this.stepName) {
      Annotations.of(scope).addWarningV2('cdk-delivery:shared-build-role',
        `${this.constructor.name} '${this.stepName}': its role is also the role of step '${first}', so each step can read and write the other's artifacts (per-step artifact access grants a role, not a step). Fix: give each step a role of its own, or leave role unset.`);
    }
  }

  /** A statement id, only on the role the step creates (a shared role would get it twice). */
  protected sid(name: string): string | undefined {
    return this.props.role ? undefined : name;
  }

  private grantBaseAccess(scope: Construct, role: iam.IRole, logGroup: logs.ILogGroup, image: codebuild.IBuildImage, input: codepipeline.Artifact, context: StepContext): Problems {
    const problems = new Problems(`${this.constructor.name} '${this.stepName}'`);
    if (image.imagePullPrincipalType === codebuild.ImagePullPrincipalType.SERVICE_ROLE) {
      // The project cannot make these grants through the immutable role it is given.
      image.repository?.grantPull(role);
      image.secretsManagerCredentials?.grantRead(role);
    }
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: this.sid('WriteOwnLogs'),
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: this.sid('LocateArtifactBucket'),
      actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'],
      resources: [context.artifactBucket.bucketArn],
    }));
    // Only the folders of the step's own artifacts (ArtifactAccess.OWN_ARTIFACTS): a step cannot
    // replace what another step built, nor read what it was not given. CodeBuild does not document
    // where the builds of a batch keep their artifacts, so a batch step keeps the whole bucket.
    const folder = this.props.batch ? undefined : context.pipelineFolder;
    const objects = (artifacts: codepipeline.Artifact[]) => [...new Set(artifacts.map((a) => artifactObjectsArn(context.artifactBucket, folder, a)))];
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: this.sid('ReadInputArtifacts'),
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: objects([input, ...(this.props.additionalInputs ?? [])]),
    }));
    const outputs = [...(this.output ? [this.output] : []), ...this.secondary.values()];
    if (outputs.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: this.sid('WriteOutputArtifacts'),
        actions: ['s3:PutObject'],
        resources: objects(outputs),
      }));
    }
    if (context.artifactKey) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: this.sid('UseArtifactKey'),
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [context.artifactKey.keyArn],
      }));
    }
    [input, ...(this.props.additionalInputs ?? [])].forEach((artifact, i) => {
      const connection = artifact.getMetadata(CLONE_CONNECTION_METADATA) as string | undefined;
      if (connection) {
        role.addToPrincipalPolicy(new iam.PolicyStatement({
          sid: this.sid(`CloneThroughConnection${i === 0 ? '' : i}`),
          actions: useConnectionActions(connection),
          resources: [connection],
        }));
      }
    });
    if (this.props.s3Logs) {
      const prefix = this.props.s3Logs.prefix ?? 'codebuild-logs';
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: this.sid('WriteS3Logs'),
        actions: ['s3:PutObject'],
        resources: [this.props.s3Logs.bucket.arnForObjects(`${prefix}/*`)],
      }));
      this.props.s3Logs.bucket.encryptionKey?.grantEncrypt(role);
    }
    if ((this.props.privileged ?? false) && !this.dockerBuild()) {
      Annotations.of(scope).addWarningV2('cdk-delivery:privileged-without-docker',
        `BuildStep '${this.stepName}': privileged is true, but the step builds no Docker image. Privileged mode gives the build root on its host (Security Hub CodeBuild.5). Use DockerImageStep for Docker builds, or remove privileged.`);
    }
    return problems;
  }

  private bindSecrets(scope: Construct, role: iam.IRole): { parameterStore: { [name: string]: string }; secretsManager: { [name: string]: string } } {
    const parameterStore: { [name: string]: string } = {};
    const secretsManager: { [name: string]: string } = {};
    for (const secret of this.props.secrets ?? []) {
      const config = secret._bind(scope, role);
      (config.store === 'parameter-store' ? parameterStore : secretsManager)[secret.variableName] = config.reference;
    }
    return { parameterStore, secretsManager };
  }

  private createReportGroups(scope: Construct, role: iam.IRole): Array<[codebuild.IReportGroup, TestReport]> {
    const groups = (this.props.reports ?? []).map((report) => {
      const group = new codebuild.ReportGroup(scope, `Report-${report.name}`, {
        type: report.groupType,
        // Test history is worth keeping; a retained group without a fixed name cannot clash.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      return [group, report] as [codebuild.IReportGroup, TestReport];
    });
    if (groups.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: this.sid('WriteReports'),
        actions: ['codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases', 'codebuild:BatchPutCodeCoverages'],
        resources: groups.map(([g]) => g.reportGroupArn),
      }));
    }
    return groups;
  }

  private renderCache(role: iam.IRole, computeType: codebuild.ComputeType): codebuild.Cache | undefined {
    const cache = this.props.cache ?? (isLambdaCompute(computeType) ? BuildCache.none() : BuildCache.local());
    if (cache.cacheType === BuildCacheType.S3) {
      const prefix = cache.prefix ?? 'codebuild-cache';
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: this.sid('ReadWriteCache'),
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [cache.bucket!.arnForObjects(`${prefix}/*`)],
      }));
      cache.bucket!.encryptionKey?.grantEncryptDecrypt(role);
      return codebuild.Cache.bucket(cache.bucket!, { prefix });
    }
    if (cache.cacheType === BuildCacheType.LOCAL) {
      const modes = [
        ...(cache.source ? [codebuild.LocalCacheMode.SOURCE] : []),
        ...((cache.dockerLayers ?? this.dockerBuild()) ? [codebuild.LocalCacheMode.DOCKER_LAYER] : []),
        ...((this.props.cachePaths ?? []).length > 0 ? [codebuild.LocalCacheMode.CUSTOM] : []),
      ];
      return modes.length > 0 ? codebuild.Cache.local(...modes) : undefined;
    }
    return undefined;
  }

  /**
   * Deploy-time values (tokens) in commands and plain variables that CloudFormation would resolve
   * to a secret (`SecretValue.secretsManager(...).unsafeUnwrap()`, `{{resolve:ssm-secure:...}}`):
   * the project would hold it in plaintext. Literal references are caught by the props checks.
   */
  private checkSecretReferences(stack: Stack, problems: Problems): void {
    const p = this.props;
    const phases: Array<[string, BuildPhase | undefined, string[] | undefined]> = [
      ['install', p.installPhase, p.installCommands], ['preBuild', p.preBuildPhase, p.preBuildCommands],
      ['build', p.buildPhase, p.commands], ['postBuild', p.postBuildPhase, p.postBuildCommands],
    ];
    const candidates: Array<[string, unknown]> = [
      ...(p.env ?? []).map((v, i): [string, unknown] => [`env[${i}].value`, v.value]),
      ...phases.flatMap(([name, phase, short]) => [
        ...(short ?? []).map((c, i): [string, unknown] => [`${name === 'build' ? 'commands' : `${name}Commands`}[${i}]`, c]),
        ...(phase?.commands ?? []).map((c, i): [string, unknown] => [`${name}Phase.commands[${i}]`, c]),
        ...(phase?.finallyCommands ?? []).map((c, i): [string, unknown] => [`${name}Phase.finallyCommands[${i}]`, c]),
      ]),
    ];
    for (const [prop, value] of candidates) {
      if (typeof value !== 'string' || !Token.isUnresolved(value)) continue;
      let text: string;
      try {
        text = JSON.stringify(stack.resolve(value));
      } catch {
        continue;
      }
      if (SECRET_REFERENCE.test(text)) problems.add(prop, '(hidden: resolves to a {{resolve:...}} secret reference)', SECRET_REFERENCE_PROBLEM, SECRET_REFERENCE_FIX);
    }
  }

  private projectEnvironment(scope: Construct, role: iam.IRole): { [name: string]: codebuild.BuildEnvironmentVariable } | undefined {
    const vars = [
      ...(this.props.env ?? []).filter((v) => !isReference(v.value) && Token.isUnresolved(v.value)),
      ...(this.props.generatedFiles ?? []).flatMap((f, i) => (Token.isUnresolved(f.content) ? [{ name: generatedFileVariable(i), value: f.content }] : [])),
      ...this.extraProjectVariables(scope, role),
    ];
    return vars.length > 0 ? Object.fromEntries(vars.map((v) => [v.name, { value: v.value }])) : undefined;
  }

  private vpcConfig(scope: Construct, role: iam.IRole): Partial<codebuild.PipelineProjectProps> {
    const vpc = this.props.vpc;
    if (!vpc) return {};
    const subnets = vpc.selectSubnets(this.props.subnetSelection ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    const securityGroups = this.props.securityGroups ?? [new ec2.SecurityGroup(scope, 'SecurityGroup', {
      vpc,
      description: `Build ${this.stepName}: outbound only`,
      allowAllOutbound: true,
    })];
    // What CodeBuild needs to place the build in the VPC; Describe* and CreateNetworkInterface have
    // no resource-level scoping (Service Authorization Reference, Amazon EC2).
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: this.sid('BuildInVpc'),
      actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: this.sid('AttachBuildInterfaces'),
      actions: ['ec2:CreateNetworkInterfacePermission'],
      resources: [Stack.of(scope).formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' })],
      conditions: {
        StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
        ArnEquals: { 'ec2:Subnet': subnets.subnetIds.map((id) => Stack.of(scope).formatArn({ service: 'ec2', resource: 'subnet', resourceName: id })) },
      },
    }));
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acceptNagFindings(policy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'CodeBuild in a VPC: the EC2 Describe* and CreateNetworkInterface actions take no resource ARN; CreateNetworkInterfacePermission is limited to CodeBuild and the build subnets.',
        appliesTo: ['Resource::*', { regex: '/^Resource::arn:.*:network-interface\\/\\*$/' }],
      }]);
    }
    return { vpc, subnetSelection: this.props.subnetSelection ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups };
  }
}

/** Variables CodePipeline must resolve: passed in the action's configuration. */
function actionVariables(env: BuildVariable[] | undefined): { [name: string]: codebuild.BuildEnvironmentVariable } | undefined {
  const refs = (env ?? []).filter((v) => isReference(v.value));
  if (refs.length === 0) return undefined;
  return Object.fromEntries(refs.map((v) => [v.name, { value: v.value, type: codebuild.BuildEnvironmentVariableType.PLAINTEXT }]));
}

const logKeys = new WeakSet<kms.IKey>();

/**
 * The artifact key, when CloudWatch Logs may use it for the build logs: its key policy then lets
 * CloudWatch Logs of this account and region use it for log data only (the encryption context
 * names a log group; CloudWatch Logs user guide, "Encrypt log data using AWS KMS"). An imported key's
 * policy cannot be changed here: the logs then keep CloudWatch Logs' own encryption.
 */
function logEncryptionKey(key: kms.IKey | undefined): kms.IKey | undefined {
  if (!key) return undefined;
  if (logKeys.has(key)) return key;
  const stack = Stack.of(key);
  const added = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchLogsBuildLogs',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
  }), true);
  if (!added.statementAdded) return undefined;
  logKeys.add(key);
  return key;
}
