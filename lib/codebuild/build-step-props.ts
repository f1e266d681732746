import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IStep } from '../core/step';
import { BatchBuild } from './batch';
import { RuntimeVersion, SecondaryOutput } from './buildspec';
import { BuildCache } from './cache';
import { GeneratedFile } from './generated-file';
import { BuildPhase } from './phases';
import { TestReport } from './reports';
import { BuildSecret } from './secrets';

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
  readonly environmentVariables?: BuildVariable[];

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
   * A CodeBuild reserved-capacity fleet to run the builds on: its instances are up, so a build
   * starts without the on-demand provisioning wait, and it is paid per minute the fleet is up,
   * building or not, instead of per build. The build takes the fleet's compute type, and its image
   * must be of the fleet's environment type; put a VPC on the fleet, not on the step.
   *
   * @default - on-demand compute
   */
  readonly fleet?: codebuild.IFleet;

  /**
   * A managed Docker server for the Docker builds of the step: CodeBuild runs the builds' Docker
   * commands on a server of this compute type that keeps its image layers between builds (for up
   * to a month), so layers are reused even when a build lands on a new host. The server is paid
   * per minute while the project's builds run, on top of the build.
   *
   * @default - Docker runs in the build container (privileged), with the local layer cache
   */
  readonly dockerServer?: codebuild.DockerServerOptions;

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
