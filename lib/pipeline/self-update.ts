import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BuildStep } from '../codebuild/build-step';
import { BuildCache } from '../codebuild/cache';
import { StepActions, StepContext } from '../core/step';
import { acceptNagFindings, escapeRegex } from '../private/nag';
import { Problems, isConcrete } from '../private/validation';

/** How the pipeline updates itself (`selfUpdate`). */
export interface SelfUpdateOptions {
  /**
   * Commands that install the app's dependencies before `cdk deploy` synthesizes it, run in
   * `directory`.
   *
   * @default ['npm ci']
   */
  readonly installCommands?: string[];

  /**
   * Directory of the CDK app (the one holding cdk.json) in the source.
   *
   * @default - the source's root
   */
  readonly directory?: string;

  /**
   * Version of the CDK CLI (npm package aws-cdk) the update runs: a major version, or an exact one.
   *
   * @default '2'
   */
  readonly cliVersion?: string;

  /**
   * The qualifier of the pipeline account's `cdk bootstrap`, whose roles the update assumes.
   *
   * @default 'hnb659fds'
   */
  readonly bootstrapQualifier?: string;

  /**
   * The image the update runs on, an EC2 image of CodeBuild (Linux or ARM). The default runs on
   * ARM (Graviton), about a third cheaper per minute than x86: the update only installs the CLI
   * and the app and synthesizes it. Give an x86 image, e.g.
   * `codebuild.LinuxBuildImage.STANDARD_7_0`, when the app's synthesis needs x86 tools.
   *
   * @default codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0
   */
  readonly buildImage?: codebuild.IBuildImage;
}

const QUALIFIER = /^[A-Za-z0-9_-]{1,10}$/;
const CLI_VERSION = /^\d+(\.\d+\.\d+(-[0-9A-Za-z.-]+)?)?$/;

/** The minutes an update run takes when nothing changed: installing the CLI and the app, synthesizing, comparing. */
export const SELF_UPDATE_MINUTES = 3;

/** Checks the options of the self-update. */
export function checkSelfUpdate(problems: Problems, options: SelfUpdateOptions | undefined, restartExecutionOnUpdate: boolean | undefined): void {
  if (restartExecutionOnUpdate === false) {
    problems.add('restartExecutionOnUpdate', false, 'is off, but an update of the pipeline by selfUpdate cancels the running execution, which then never runs again', 'remove restartExecutionOnUpdate (selfUpdate turns it on)');
  }
  if (!options) return;
  if (options.bootstrapQualifier !== undefined && (!isConcrete(options.bootstrapQualifier) || !QUALIFIER.test(options.bootstrapQualifier))) {
    problems.add('selfUpdateOptions.bootstrapQualifier', options.bootstrapQualifier, 'is not a cdk bootstrap qualifier (1 to 10 letters, digits, _ and -)', "give the qualifier of the tools account's bootstrap, e.g. 'hnb659fds'");
  }
  if (options.cliVersion !== undefined && !CLI_VERSION.test(String(options.cliVersion))) {
    problems.add('selfUpdateOptions.cliVersion', options.cliVersion, 'is not a major or an exact version of the CDK CLI', "give e.g. '2' or '2.1100.0'");
  }
  if (options.buildImage !== undefined && !['LINUX_CONTAINER', 'ARM_CONTAINER'].includes(String(options.buildImage?.type))) {
    problems.add('selfUpdateOptions.buildImage', options.buildImage?.imageId ?? options.buildImage, 'is not an EC2 Linux or ARM image of CodeBuild (the update runs cdk deploy, which may outlast Lambda compute\'s 15 minutes)', 'give e.g. codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 or codebuild.LinuxBuildImage.STANDARD_7_0');
  }
  if (options.directory !== undefined && (!isConcrete(options.directory) || /(^\/|\.\.|['"$`\\\n])/.test(options.directory))) {
    problems.add('selfUpdateOptions.directory', options.directory, 'is not a relative path inside the source', "give the directory of cdk.json, relative to the source's root, e.g. 'infra'");
  }
}

/**
 * The step of the `UpdatePipeline` stage: a CodeBuild job that runs `cdk deploy` of the pipeline's
 * own stack, exclusively, from the commit being released. The CDK CLI deploys nothing when the
 * synthesized template, tags and parameters equal the deployed stack's ("no changes"), so a run
 * that changes only the application goes on at once; when the pipeline changed, CloudFormation
 * updates it, CodePipeline cancels the running execution and starts a new one with the new
 * definition (`restartExecutionOnUpdate`), which then finds no changes. The pipeline's definition
 * names no asset hash of a released Stage, so an application change never updates the pipeline.
 * The job's role may assume exactly the bootstrap roles of the pipeline's account that `cdk deploy`
 * uses, and describe exactly the pipeline's stack.
 */
export class SelfUpdateStep extends BuildStep {
  constructor(private readonly pipelineStack: Stack, private readonly options: SelfUpdateOptions = {}) {
    // From the source's root each time: the phases of a buildspec 0.2 run in one shell, so a
    // relative cd in the install phase would still hold in the build phase.
    const cd = options.directory ? [`cd "$CODEBUILD_SRC_DIR/${options.directory}"`] : [];
    super('SelfUpdate', {
      installCommands: [`npm install --global --no-audit --no-fund --no-update-notifier aws-cdk@${options.cliVersion ?? '2'}`, ...cd, ...(options.installCommands ?? ['npm ci'])],
      commands: [...cd, `cdk deploy '${pipelineStack.node.path}' --exclusively --require-approval never --progress events`],
      computeType: codebuild.ComputeType.SMALL,
      buildImage: options.buildImage ?? codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
      cache: BuildCache.none(),
      expectedMinutes: SELF_UPDATE_MINUTES,
    });
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const result = super.bind(scope, context);
    const stack = this.pipelineStack;
    const qualifier = this.options.bootstrapQualifier ?? 'hnb659fds';
    const role = this.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      // What cdk deploy assumes: the deploy role (which passes CloudFormation its execution role),
      // the asset publishing roles, and the lookup role for context lookups.
      resources: ['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role']
        .map((name) => `arn:${stack.partition}:iam::${stack.account}:role/cdk-${qualifier}-${name}-${stack.account}-${stack.region}`),
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudformation:DescribeStacks'],
      resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` })],
    }));
    acceptNagFindings(role.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'The pipeline\'s own stack, whose ARN ends in the id CloudFormation generated for it.',
      appliesTo: [{ regex: `/^Resource::arn:(?:<[^>]+>|[^:]+):cloudformation:(?:<[^>]+>|[^:]+):(?:<[^>]+>|[^:]+):stack\\/${escapeRegex(stack.stackName)}\\/\\*$/` }],
    }]);
    return result;
  }
}

