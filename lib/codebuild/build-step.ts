import { Annotations, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../core/step';
import { MODEL, fleetEstimate } from '../private/estimate-model';
import { acceptNagFindings, inPacks } from '../private/nag';
import { ACTION_NAME, ARTIFACT_NAME, NAMESPACE, checkName, toNamespace } from '../private/names';
import { checkArgs, constructorOf } from '../private/shapes';
import { Problems, fail, verbatim } from '../private/validation';
import { BuildStepProps, BuildVariable } from './build-step-props';
import { BuildSpecModel, renderBuildSpec, renderTokens } from './buildspec';
import { BuildGrantsHost, S3_LOGS_PREFIX, acceptArtifactObjectFindings, bindSecrets, createReportGroups, grantBaseAccess, logEncryptionKey, renderCache, vpcConfig } from './private/build-grants';
import { actionVariables, buildSpecModel, checkSecretReferences, primaryOutputName, projectVariables } from './private/buildspec-model';
import { checkBuildStepProps, isLambdaCompute, isLinux, readFleet } from './private/validate-props';

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
    // A fleet's instances are up: no provisioning wait.
    const provisioning = props.fleet ? 0 : lambdaCompute ? MODEL.lambdaProvisioning : MODEL.provisioning;
    const minutes = provisioning + (props.expectedMinutes ?? MODEL.build);
    this.estimate = {
      minutes,
      buildMinutes: minutes * (props.batch ? props.batch.buildCount : 1),
      computeType: (props.fleet ? readFleet(props.fleet).computeType : undefined) ?? props.computeType ?? codebuild.ComputeType.SMALL,
      environmentType: (props.fleet ? readFleet(props.fleet).environmentType : undefined) ?? String(props.buildImage?.type ?? 'LINUX_CONTAINER'),
      reservedCapacity: props.fleet ? true : undefined,
      ...(props.fleet ? fleetEstimate(props.fleet) : {}),
      dockerServerComputeType: props.dockerServer?.computeType,
    };
    this.label = this.dockerBuild() ? 'Docker image to ECR' : (props.batch ? `CodeBuild batch of ${props.batch.buildCount}` : 'CodeBuild');
    this.output = props.outputs ? new codepipeline.Artifact(primaryOutputName(name)) : undefined;
    this.secondary = new Map((props.secondaryOutputs ?? []).map((o) => [o.name, new codepipeline.Artifact(o.name)]));
    this.exported = new Set(props.exportedVariables ?? []);
    this.variablesNamespace = props.variablesNamespace ?? (this.exported.size > 0 ? toNamespace(name) : undefined);
    this.model = buildSpecModel(name, props);
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
      fail(`${this.constructor.name} '${this.stepName}'`, 'exportedVariable', name, `'${name}' is not exported by this step`, `add it to exportedVariables (exported: ${[...this.exported].join(', ') || 'none'})`);
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
      fail(`${this.constructor.name} '${this.stepName}'`, 'secondaryOutput', name, `no secondary output is named '${name}'`, `use one of: ${[...this.secondary.keys()].join(', ') || 'none (add secondaryOutputs)'}`);
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
    const fleet = this.props.fleet;
    const computeType = (fleet ? readFleet(fleet).computeType as codebuild.ComputeType | undefined : undefined) ?? this.props.computeType ?? (isLinux(image) ? codebuild.ComputeType.SMALL : image.defaultComputeType);
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
    const host = this.grantsHost();
    grantBaseAccess(host, scope, role, logGroup, image, input, context);
    const secrets = bindSecrets(this.props, scope, role);
    const reportGroups = createReportGroups(host, scope, role);
    const cache = renderCache(host, role, computeType);
    const projectEnv = projectVariables(this.props, this.extraProjectVariables(scope, role));
    const problems = new Problems(`${this.constructor.name} '${this.stepName}'`);
    checkSecretReferences(stack, this.props, problems);
    problems.throwIfAny();
    acceptArtifactObjectFindings(role, context);

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
        ...(fleet ? { fleet } : {}),
        ...(this.props.dockerServer ? { dockerServer: this.props.dockerServer } : {}),
      },
      environmentVariables: projectEnv,
      timeout: this.props.timeout,
      queuedTimeout: this.props.queuedTimeout,
      cache,
      logging: {
        cloudWatch: { logGroup },
        ...(this.props.s3Logs ? { s3: { bucket: this.props.s3Logs.bucket, prefix: this.props.s3Logs.prefix ?? S3_LOGS_PREFIX, encrypted: true } } : {}),
      },
      ...vpcConfig(host, scope, role),
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
          environmentVariables: actionVariables(this.props.environmentVariables),
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
      fail(`${this.constructor.name} '${this.stepName}'`, what, verbatim('not created yet'), 'is created when the step is added to a pipeline', `read ${what} after adding the step to a pipeline`);
    }
    return value;
  }

  private grantsHost(): BuildGrantsHost {
    return {
      stepName: this.stepName,
      props: this.props,
      docker: this.dockerBuild(),
      outputs: this.outputs() ?? [],
      sid: (name) => this.sid(name),
    };
  }

  private outputs(): codepipeline.Artifact[] | undefined {
    const all = [...(this.output ? [this.output] : []), ...this.secondary.values()];
    return all.length > 0 ? all : undefined;
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

}
