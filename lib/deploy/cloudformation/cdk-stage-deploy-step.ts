import { createHash } from 'crypto';
import { Annotations, CfnCapabilities, CfnOutput, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ActionLabel, IStep, StepActions, StepContext, StepEstimate } from '../../core/step';
import { MODEL, fleetEstimate } from '../../private/estimate-model';
import { ACTION_NAME, checkName, toArtifactName, toNamespace } from '../../private/names';
import { checkArgs, constructorOf } from '../../private/shapes';
import { Problems, fail, isConcrete, verbatim } from '../../private/validation';
import { readFleet } from '../../codebuild/private/validate-props';
import { ChangeSetDeployStep } from './change-set-deploy-step';
import { ARM_IMAGE, CDK_ASSETS_VERSION, ImageOrigin, foreignImages, prepareStage, publishingImage, publishingMinutes } from './private/asset-publishing';
import { uncoveredServices } from './private/execution-coverage';
import { StageAssembly, readStageAssembly, stackIdIn, watchStage } from './private/stage-assembly';
import { StackDeployStep } from './stack-deploy-step';

/** Props of a `CdkStageDeployStep`. */
export interface CdkStageDeployStepProps {
  /**
   * The CDK Stage to release, created in this app (for example `new ShopStage(app, 'Prod', { env })`).
   * The step synthesizes it when a pipeline places the step, so the Stage must be complete by then.
   * Its stacks are for the environment's account and region (or for no account and region).
   */
  readonly stage: Stage;

  /**
   * The artifact holding the cloud assembly that `cdk synth` wrote in the build, from the same app
   * (for example the output of a `BuildStep` whose commands run `npx cdk synth` and whose
   * `outputs` are `['cdk.out/**']`).
   */
  readonly input: codepipeline.Artifact;

  /**
   * Directory of the cloud assembly in `input` (`''` when the artifact's root is the assembly).
   *
   * @default 'cdk.out'
   */
  readonly assemblyDirectory?: string;

  /**
   * Deploy each stack through a change set (create, then execute): the change set stays in the
   * stack's history for review. False deploys each stack in one action (create or update), one
   * action fewer per stack, where nobody reviews changes between the two.
   *
   * @default true
   */
  readonly changeSets?: boolean;

  /**
   * Capabilities CloudFormation may use for the stacks.
   *
   * @default [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND]
   */
  readonly capabilities?: CfnCapabilities[];

  /**
   * The role CloudFormation deploys the stacks with.
   *
   * @default - the CloudFormation execution role of the environment's `DeliveryTarget`
   */
  readonly executionRole?: iam.IRole;

  /**
   * Compute of the job that publishes the Stage's assets.
   *
   * @default codebuild.ComputeType.SMALL
   */
  readonly assetPublishingComputeType?: codebuild.ComputeType;

  /**
   * Image of the job that publishes the Stage's assets, an EC2 Linux or ARM image of CodeBuild.
   * Docker images build for the job's architecture unless their asset names a platform; copying
   * images (`imagesFrom`) installs skopeo from the packages of CodeBuild's Ubuntu image
   * (`aws/codebuild/standard`).
   *
   * @default - ARM (`aws/codebuild/amazonlinux-aarch64-standard:3.0`, a third cheaper) when every
   * Docker image the job builds is for linux/arm64 (or it builds none), it copies none and no asset
   * is built by a command of its own, or on an ARM `assetPublishingFleet`;
   * `aws/codebuild/standard:7.0` otherwise
   */
  readonly assetPublishingBuildImage?: codebuild.IBuildImage;

  /**
   * A reserved-capacity fleet the publishing job runs on (no provisioning wait).
   *
   * @default - on-demand compute
   */
  readonly assetPublishingFleet?: codebuild.IFleet;

  /**
   * A managed Docker server for the publishing job's image builds, which keeps image layers
   * between releases even when a build lands on a new host.
   *
   * @default - Docker in the job's container, with the local layer cache
   */
  readonly assetPublishingDockerServer?: codebuild.DockerServerOptions;

  /**
   * Copy the Stage's Docker images from the environment another step released them to, instead of
   * building them again: the images deployed here are the bytes that ran there (copied by digest,
   * and checked). The other step releases a Stage of the same code (its images have the same
   * asset hashes) in an earlier stage of the pipeline.
   *
   * @default - the images are built from the cloud assembly
   */
  readonly imagesFrom?: CdkStageDeployStep;

  /**
   * Version of cdk-assets (npm) the publishing job runs.
   *
   * @default '4.7.3'
   */
  readonly cdkAssetsVersion?: string;
}

/** Eight hex digits of a text's SHA-256. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Action names are at most 100 characters; the longest this step makes is `<name>.<stack id>.ChangeSet`. */
const MAX_ACTION_NAME = 100;
const VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * Releases every stack of a CDK Stage built in this app to an environment: the Stage in the build
 * checked against the pipeline and its file and Docker assets published first by one CodeBuild job
 * (cdk-assets, which skips what is already there),
 * then its stacks in dependency order, stacks that do not depend on each other at the same time,
 * each through a change set (or in one action). The stacks' outputs are variables later steps
 * read (`stackOutput`).
 *
 * In another account, the actions assume the `DeliveryTarget`'s deploy role, CloudFormation uses
 * its execution role (the policies you give it: nothing has administrator rights), and the
 * publishing job assumes its asset publishing role, which may write exactly the buckets and
 * repositories the assets go to and trusts exactly the publishing jobs of the pipelines that release
 * there. The assets go
 * where the stacks' synthesizer put them: with aws-cdk-lib's default synthesizer, the bucket and
 * repository of `cdk bootstrap` in the target account (bootstrapped without `--trust`: the
 * pipeline uses none of the bootstrap's roles).
 */
export class CdkStageDeployStep implements IStep {
  public readonly stepName: string;
  public readonly label?: string;
  /** The Stage released. */
  public readonly stage: Stage;
  private readonly props: CdkStageDeployStepProps;
  private assembly?: StageAssembly;
  private estimateValue?: StepEstimate;
  private origin?: ImageOrigin;

  /** @param name the step's name: the prefix of its actions' names, `<name>.Prepare` and `<name>.<stack id>` */
  constructor(name: string, props: CdkStageDeployStepProps) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`CdkStageDeployStep '${name}'`);
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    if (!Stage.isStage(props.stage) || Stack.isStack(props.stage)) {
      problems.add('stage', props.stage === undefined ? undefined : verbatim(String((props.stage as Construct)?.node?.path ?? props.stage)), 'is not a cdk.Stage', 'pass a Stage holding the stacks to release, e.g. new ShopStage(app, \'Prod\', { env })');
    }
    if (!props.input) problems.add('input', props.input, 'is required', "give the artifact holding the cloud assembly, e.g. synth.output (a BuildStep with outputs: ['cdk.out/**'])");
    if (props.assemblyDirectory !== undefined && (!isConcrete(props.assemblyDirectory) || /(^\/|\.\.|\\|'|\n)/.test(props.assemblyDirectory))) {
      problems.add('assemblyDirectory', props.assemblyDirectory, 'is not a relative path inside the artifact', "give the directory cdk synth wrote, relative to the artifact's root, e.g. 'cdk.out' (or '' for the root)");
    }
    const compute = props.assetPublishingComputeType;
    if (compute !== undefined && !/^BUILD_GENERAL1_|^BUILD_EC2_/.test(String(compute))) {
      problems.add('assetPublishingComputeType', compute, 'is not an on-demand EC2 compute type, which the publishing job needs (Docker, a cache)', 'use codebuild.ComputeType.SMALL, MEDIUM, LARGE, X_LARGE or X2_LARGE, or give assetPublishingFleet');
    }
    if (props.assetPublishingFleet && typeof props.assetPublishingFleet === 'object' && props.assetPublishingFleet.node && readFleet(props.assetPublishingFleet).imported && compute === undefined) {
      problems.add('assetPublishingComputeType', undefined, 'is needed with an imported assetPublishingFleet, whose compute type cannot be read', 'give the fleet\'s compute type, e.g. codebuild.ComputeType.MEDIUM');
    }
    if (props.cdkAssetsVersion !== undefined && !VERSION.test(String(props.cdkAssetsVersion))) {
      problems.add('cdkAssetsVersion', props.cdkAssetsVersion, 'is not an exact version', `give a version of cdk-assets from npm, e.g. '${CDK_ASSETS_VERSION}'`);
    }
    problems.throwIfAny();
    this.stepName = name;
    this.props = props;
    this.stage = props.stage;
    this.label = `CDK Stage ${props.stage.stageName}`;
  }

  /** What a release takes: known once the step is placed (its assets and stacks come from the Stage's synthesis). */
  public get estimate(): StepEstimate | undefined {
    return this.estimateValue;
  }

  /**
   * An output of one of the Stage's stacks, as a variable reference later actions use:
   * `#{namespace.OutputName}`.
   *
   * @param output an output of a stack of the Stage
   */
  public stackOutput(output: CfnOutput): string {
    checkArgs('CdkStageDeployStep#stackOutput', [output]);
    if (!(output instanceof CfnOutput)) {
      fail(`CdkStageDeployStep '${this.stepName}'`, 'output', verbatim(Construct.isConstruct(output) ? (output as Construct).node.path : String(output)), 'is not a CfnOutput', 'pass a CfnOutput of one of the Stage\'s stacks');
    }
    const stack = Stack.of(output);
    if (stack.nested) {
      fail(`CdkStageDeployStep '${this.stepName}'`, 'output', verbatim(output.node.path), 'is an output of a nested stack, which CloudFormation does not give the pipeline', 'output the value from the Stage\'s stack that holds the nested stack');
    }
    if (Stage.of(stack) !== this.stage) {
      fail(`CdkStageDeployStep '${this.stepName}'`, 'output', verbatim(output.node.path), `is not an output of a stack of Stage '${this.stage.node.path}'`, 'pass an output of one of the Stage\'s stacks');
    }
    return `#{${this.namespaceOf(stack)}.${stack.resolve(output.logicalId)}}`;
  }

  /**
   * The variables namespace of the action that deploys a stack of the Stage.
   *
   * @param stack one of the Stage's stacks
   */
  public variablesNamespaceOf(stack: Stack): string {
    checkArgs('CdkStageDeployStep#variablesNamespaceOf', [stack]);
    if (!Stack.isStack(stack) || stack.nested || Stage.of(stack) !== this.stage) {
      fail(`CdkStageDeployStep '${this.stepName}'`, 'stack', verbatim(stack.node.path), `is not a stack of Stage '${this.stage.node.path}'`, 'pass one of the Stage\'s stacks');
    }
    return this.namespaceOf(stack);
  }

  /**
   * Unique in the pipeline: steps of a stage have different names, and one step releases one Stage
   * (whose name is unique in the app) once.
   */
  private namespaceOf(stack: Stack): string {
    return toNamespace(`${this.stepName}-${this.stage.stageName}-${stackIdIn(this.stage, stack)}`);
  }

  /**
   * Warns, where the execution role's policies can be read, of the services the Stage's resources
   * need that they grant nothing of: CloudFormation would fail to create those resources.
   */
  private checkExecutionRole(scope: Construct, role: iam.IRole, assembly: StageAssembly): void {
    const missing = uncoveredServices(role, assembly);
    if (!missing || missing.size === 0) return;
    const list = [...missing].map(([need, types]) => `${need} (${[...types].join(', ')})`).join('; ');
    Annotations.of(scope).addWarningV2('cdk-delivery:execution-role-coverage',
      `CdkStageDeployStep '${this.stepName}': CloudFormation's execution role ${role.node.path} grants nothing of what these resources of Stage '${this.stage.node.path}' need: ${list}. CloudFormation would fail to create them. Fix: add statements for them to the target's cloudFormationExecutionStatements (or to executionRole).`);
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const subject = `CdkStageDeployStep '${this.stepName}'`;
    const here = Stack.of(context.pipeline);
    const account = context.environment?.account ?? here.account;
    const region = context.environment?.region ?? here.region;
    if (Token.isUnresolved(account) || Token.isUnresolved(region)) {
      fail(subject, 'stage', verbatim(this.stage.node.path), 'is released to an account and region known only at deploy time, but its assets and stacks must be placed at synth', "create the pipeline's stack with env: { account, region }");
    }
    if (context.pipeline.node.root !== this.stage.node.root) {
      fail(subject, 'stage', verbatim(this.stage.node.path), 'is not in the pipeline\'s app: the build\'s cloud assembly would not hold it', 'create the Stage in the app the pipeline is in');
    }
    if (!this.props.executionRole && !context.environment?.cloudFormationExecutionRole) {
      fail(subject, 'executionRole', undefined, `no role for CloudFormation to deploy the stacks of Stage '${this.stage.node.path}' with`, context.environment
        ? `give the DeliveryTarget of environment '${context.environment.name}' cloudFormationExecutionStatements (what the Stage's stacks create), or pass executionRole`
        : 'place the step in an environment whose DeliveryTarget has cloudFormationExecutionStatements, or pass executionRole');
    }
    const assembly = this.assembly ??= readStageAssembly(subject, this.stage, account, region);
    watchStage(scope, subject, this.stage);
    for (const note of assembly.notes) Annotations.of(scope).addWarningV2('cdk-delivery:stage-release-note', `${subject}: ${note}.`);
    this.checkExecutionRole(scope, (this.props.executionRole ?? context.environment?.cloudFormationExecutionRole)!, assembly);
    const problems = new Problems(subject);
    const dir = (this.props.assemblyDirectory ?? 'cdk.out').replace(/\/+$/, '');
    const changeSets = this.props.changeSets ?? true;
    const longest = Math.max(...assembly.layers.flat().map((s) => `${this.stepName}.${s.id}${changeSets ? '.ChangeSet' : ''}`.length));
    if (longest > MAX_ACTION_NAME) {
      problems.add('name', this.stepName, `makes action names of ${longest} characters with the Stage's stack ids; CodePipeline allows ${MAX_ACTION_NAME}`, 'shorten the name or the stacks\' ids');
    }
    for (const s of assembly.layers.flat()) {
      if (!/^[A-Za-z0-9.@_-]+$/.test(s.id)) problems.add('stage', verbatim(s.stack.node.path), `stack id '${s.id}' has characters an action name cannot hold`, 'use letters, digits and . @ _ - in the stack\'s construct id');
    }
    problems.throwIfAny();

    const actions: codepipeline.IAction[] = [];
    const labels: ActionLabel[] = [];
    let runOrder = context.runOrder;
    const assets = assembly.files.length + assembly.images.length;
    const prepareName = `${this.stepName}.Prepare`;
    const from = this.props.imagesFrom;
    let copyImagesFrom: ImageOrigin | undefined;
    if (from && assembly.images.length > 0) {
      copyImagesFrom = from.origin;
      if (!copyImagesFrom) {
        fail(subject, 'imagesFrom', from.stepName, 'is not placed in an earlier stage of the pipeline, so there are no images to copy yet', 'place that step in an environment before this one');
      }
      const missing = assembly.images.filter((i) => !copyImagesFrom!.images.has(i.id)).map((i) => i.id.slice(0, 12));
      if (missing.length > 0) {
        fail(subject, 'imagesFrom', from.stepName, `releases no image of these assets of Stage '${this.stage.node.path}': ${missing.join(', ')} (not the same Stage code)`, 'copy from a step that releases a Stage of the same code, or remove imagesFrom');
      }
    }
    const image = publishingImage(assembly, copyImagesFrom !== undefined, this.props.assetPublishingFleet, this.props.assetPublishingBuildImage);
    if (image.problem) fail(subject, image.problem.prop, image.problem.value, image.problem.problem, image.problem.fix);
    const jobType = (this.props.assetPublishingFleet ? readFleet(this.props.assetPublishingFleet).environmentType : undefined) ?? String(image.image?.type ?? 'LINUX_CONTAINER');
    const foreign = foreignImages(assembly, copyImagesFrom !== undefined, jobType);
    if (foreign.length > 0) {
      Annotations.of(scope).addWarningV2('cdk-delivery:foreign-image-platform', `${subject}: the publishing job runs on ${jobType.startsWith('ARM') ? 'ARM' : 'x86'} but builds Docker images for another platform: ${foreign.join(', ')}. Docker builds those only with an emulator (binfmt/QEMU), which the job does not install, so the build fails at its first RUN step. Give every image of the Stage one platform (the job then runs on it), or set assetPublishingBuildImage (or assetPublishingFleet) to the images' architecture.`);
    }
    // The prepare job is inert (it publishes assets, which nothing uses until the stacks deploy, and
    // checks the Stage): it runs from the stage's start, alongside an approval, when it can.
    const prepareAt = Math.min(context.earliestRunOrder ?? context.runOrder, context.runOrder);
    const prepared = prepareStage(new Construct(scope, 'Prepare'), { ...context, runOrder: prepareAt }, assembly, {
      actionName: prepareName,
      input: this.props.input,
      assemblyDirectory: dir,
      account,
      region,
      computeType: this.props.assetPublishingComputeType,
      buildImage: image.image,
      armByDefault: !this.props.assetPublishingBuildImage && !this.props.assetPublishingFleet && image.image === ARM_IMAGE,
      fleet: this.props.assetPublishingFleet,
      dockerServer: this.props.assetPublishingDockerServer,
      cdkAssetsVersion: this.props.cdkAssetsVersion ?? CDK_ASSETS_VERSION,
      // Unique per release of a Stage: CodePipeline keeps an artifact in a folder named after its
      // first 10 characters, so a short hash comes first.
      templatesArtifactName: toArtifactName(`T${shortHash(`${this.stepName}/${this.stage.node.path}`)}_${this.stage.stageName}_Templates`),
      pipelineStack: here.node.path,
      copyImagesFrom,
    });
    this.origin = {
      account, region, actionName: prepareName,
      images: new Map(assembly.images.map((i) => [i.id, { repositoryName: i.repositoryName, imageTag: i.imageTag }])),
      target: context.environment?.crossAccount ? context.environment.assetPublishing : undefined,
    };
    actions.push(...prepared.actions);
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    labels.push({ actionName: prepareName, label: assets > 0
      ? `check the Stage, publish ${[assembly.files.length ? count(assembly.files.length, 'file') : '', assembly.images.length ? `${count(assembly.images.length, 'Docker image')}${copyImagesFrom ? ` copied from ${copyImagesFrom.account}/${copyImagesFrom.region}` : ''}` : ''].filter(Boolean).join(' and ')}`
      : 'check the Stage, hand over its templates' });
    const templates = (p: string) => prepared.templates.atPath(p);
    runOrder = Math.max(runOrder, prepareAt + 1);
    const stacksScope = new Construct(scope, 'Stacks');
    for (const layer of assembly.layers) {
      for (const s of layer) {
        const props = {
          stackName: s.stackName,
          template: templates(s.templatePath),
          executionRole: this.props.executionRole,
          capabilities: this.props.capabilities,
          variablesNamespace: this.namespaceOf(s.stack),
        };
        const name = `${this.stepName}.${s.id}`;
        const step = changeSets ? new ChangeSetDeployStep(name, props) : new StackDeployStep(name, props);
        if (changeSets) labels.push({ actionName: `${name}.ChangeSet`, label: `change set of ${s.stackName}` });
        labels.push({ actionName: name, label: changeSets ? `execute ${s.stackName}` : `deploy ${s.stackName}` });
        actions.push(...step.bind(new Construct(stacksScope, s.id), { ...context, runOrder }).actions);
      }
      runOrder += changeSets ? 2 : 1;
    }
    const fleet = this.props.assetPublishingFleet;
    const provisioning = fleet ? 0 : MODEL.provisioning;
    // A prepare job that runs alongside earlier actions of the stage (an approval) takes no time of its own.
    const preparing = prepareAt < context.runOrder ? 0 : provisioning + publishingMinutes(assembly, copyImagesFrom !== undefined);
    this.estimateValue = {
      minutes: preparing + assembly.layers.length * ((changeSets ? 1 : 0) + MODEL.stackUpdate),
      buildMinutes: provisioning + publishingMinutes(assembly, copyImagesFrom !== undefined),
      computeType: (fleet ? readFleet(fleet).computeType : undefined) ?? this.props.assetPublishingComputeType ?? codebuild.ComputeType.SMALL,
      environmentType: (fleet ? readFleet(fleet).environmentType : undefined) ?? String(image.image?.type ?? 'LINUX_CONTAINER'),
      reservedCapacity: fleet ? true : undefined,
      ...(fleet ? fleetEstimate(fleet) : {}),
      dockerServerComputeType: assembly.images.length > 0 && !copyImagesFrom ? this.props.assetPublishingDockerServer?.computeType : undefined,
    };
    return { actions, actionLabels: labels };
  }
}
