import { createHash } from 'crypto';
import { Annotations, CfnCapabilities, CfnOutput, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { ACTION_NAME, checkName, toArtifactName, toNamespace } from '../../private/names';
import { checkArgs, constructorOf } from '../../private/shapes';
import { Problems, fail, isConcrete, verbatim } from '../../private/validation';
import { ChangeSetDeployStep } from './change-set-deploy-step';
import { CDK_ASSETS_VERSION, publishAssets, publishingMinutes } from './private/asset-publishing';
import { uncoveredServices } from './private/execution-coverage';
import { StageAssembly, readStageAssembly } from './private/stage-assembly';
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
   * @default - SMALL for file assets only, MEDIUM when Docker images are built
   */
  readonly assetPublishingComputeType?: codebuild.ComputeType;

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
 * Releases every stack of a CDK Stage built in this app to an environment: its file and Docker
 * assets published first by one CodeBuild job (cdk-assets, which skips what is already there),
 * then its stacks in dependency order, stacks that do not depend on each other at the same time,
 * each through a change set (or in one action). The stacks' outputs are variables later steps
 * read (`stackOutput`).
 *
 * In another account, the actions assume the `DeliveryTarget`'s deploy role, CloudFormation uses
 * its execution role (the policies you give it: nothing has administrator rights), and the
 * publishing job assumes its asset publishing role, which may write exactly the buckets and
 * repositories the assets go to and trusts exactly this pipeline's publishing job. The assets go
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

  /** @param name the step's name: the prefix of its actions' names, `<name>.Assets` and `<name>.<stack id>` */
  constructor(name: string, props: CdkStageDeployStepProps) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`CdkStageDeployStep '${name}'`);
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    if (!Stage.isStage(props.stage) || Stack.isStack(props.stage)) {
      problems.add('stage', props.stage === undefined ? undefined : verbatim(String((props.stage as Construct)?.node?.path ?? props.stage)), 'is not a cdk.Stage', 'pass a Stage holding the stacks to release, e.g. new ShopStage(app, \'Prod\', { env })');
    }
    if (!props.input) problems.add('input', props.input, 'is required', "give the artifact holding the cloud assembly, e.g. synth.output (a BuildStep with outputs: ['cdk.out/**'])");
    if (props.assemblyDirectory !== undefined && (!isConcrete(props.assemblyDirectory) || /(^\/|\.\.|\\)/.test(props.assemblyDirectory))) {
      problems.add('assemblyDirectory', props.assemblyDirectory, 'is not a relative path inside the artifact', "give the directory cdk synth wrote, relative to the artifact's root, e.g. 'cdk.out' (or '' for the root)");
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
    const stack = Stack.of(output);
    if (Stage.of(stack) !== this.stage) {
      fail(`CdkStageDeployStep '${this.stepName}'`, 'output', verbatim(output.node.path), `is not an output of a stack of Stage '${this.stage.node.path}'`, 'pass an output of one of the Stage\'s stacks');
    }
    return `#{${this.namespaceOf(stack)}.${stack.resolve(output.logicalId)}}`;
  }

  /** The variables namespace of the action that deploys a stack of the Stage. */
  public variablesNamespaceOf(stack: Stack): string {
    checkArgs('CdkStageDeployStep#variablesNamespaceOf', [stack]);
    if (Stage.of(stack) !== this.stage) {
      fail(`CdkStageDeployStep '${this.stepName}'`, 'stack', verbatim(stack.node.path), `is not a stack of Stage '${this.stage.node.path}'`, 'pass one of the Stage\'s stacks');
    }
    return this.namespaceOf(stack);
  }

  /** Unique in the pipeline: Stages are released once each, and their names are unique in the app. */
  private namespaceOf(stack: Stack): string {
    return toNamespace(`${this.stage.stageName}-${stack.node.id}`);
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
      `CdkStageDeployStep '${this.stepName}': CloudFormation's execution role ${role.node.path} grants nothing of what these resources of Stage '${this.stage.node.path}' need: ${list}. CloudFormation would fail to create them. Add statements for them to the target's cloudFormationExecutionStatements (or to executionRole).`);
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const subject = `CdkStageDeployStep '${this.stepName}'`;
    const here = Stack.of(context.pipeline);
    const account = context.environment?.account ?? here.account;
    const region = context.environment?.region ?? here.region;
    if (Token.isUnresolved(account) || Token.isUnresolved(region)) {
      fail(subject, 'stage', verbatim(this.stage.node.path), 'is released to an account and region known only at deploy time, but its assets and stacks must be placed at synth', "create the pipeline's stack with env: { account, region }");
    }
    if (Stage.of(context.pipeline) !== this.stage.node.root) {
      fail(subject, 'stage', verbatim(this.stage.node.path), 'is not in the pipeline\'s app: the build\'s cloud assembly would not hold it', 'create the Stage in the app the pipeline is in');
    }
    if (!this.props.executionRole && !context.environment?.cloudFormationExecutionRole) {
      fail(subject, 'executionRole', undefined, `no role for CloudFormation to deploy the stacks of Stage '${this.stage.node.path}' with`, context.environment
        ? `give the DeliveryTarget of environment '${context.environment.name}' cloudFormationExecutionStatements (what the Stage's stacks create), or pass executionRole`
        : 'place the step in an environment whose DeliveryTarget has cloudFormationExecutionStatements, or pass executionRole');
    }
    const assembly = this.assembly ??= readStageAssembly(subject, this.stage, account, region);
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
    const labels: Record<string, string> = {};
    let runOrder = context.runOrder;
    const assets = assembly.files.length + assembly.images.length;
    let templates = (p: string) => this.props.input.atPath(dir ? `${dir}/${p}` : p);
    if (assets > 0) {
      const published = publishAssets(new Construct(scope, 'Assets'), context, assembly, {
        actionName: `${this.stepName}.Assets`,
        input: this.props.input,
        assemblyDirectory: dir,
        account,
        region,
        computeType: this.props.assetPublishingComputeType,
        fleet: this.props.assetPublishingFleet,
        dockerServer: this.props.assetPublishingDockerServer,
        cdkAssetsVersion: this.props.cdkAssetsVersion ?? CDK_ASSETS_VERSION,
        // Unique per Stage: CodePipeline keeps an artifact in a folder named after its first 10
        // characters, so a short hash of the Stage's path comes first.
        templatesArtifactName: toArtifactName(`T${shortHash(this.stage.node.path)}_${this.stage.stageName}_Templates`),
      });
      actions.push(...published.actions);
      const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
      labels[`${this.stepName}.Assets`] = `publish ${[assembly.files.length ? count(assembly.files.length, 'file') : '', assembly.images.length ? count(assembly.images.length, 'Docker image') : ''].filter(Boolean).join(' and ')} (cdk-assets)`;
      templates = (p: string) => published.templates.atPath(p);
      runOrder++;
    }
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
        if (changeSets) labels[`${name}.ChangeSet`] = `change set of ${s.stackName}`;
        labels[name] = changeSets ? `execute ${s.stackName}` : `deploy ${s.stackName}`;
        actions.push(...step.bind(new Construct(stacksScope, s.id), { ...context, runOrder }).actions);
      }
      runOrder += changeSets ? 2 : 1;
    }
    const provisioning = this.props.assetPublishingFleet ? 0 : MODEL.provisioning;
    this.estimateValue = {
      minutes: (assets > 0 ? provisioning + publishingMinutes(assembly) : 0) + assembly.layers.length * ((changeSets ? 1 : 0) + MODEL.stackUpdate),
      buildMinutes: assets > 0 ? publishingMinutes(assembly) : 0,
      computeType: assets > 0 ? (this.props.assetPublishingComputeType ?? (assembly.images.length > 0 ? codebuild.ComputeType.MEDIUM : codebuild.ComputeType.SMALL)) : undefined,
      reservedCapacity: assets > 0 && this.props.assetPublishingFleet ? true : undefined,
      dockerServerComputeType: assembly.images.length > 0 ? this.props.assetPublishingDockerServer?.computeType : undefined,
    };
    return { actions, labels };
  }
}
