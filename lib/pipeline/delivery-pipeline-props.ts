import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IStep } from '../core/step';
import { ISource } from '../source/source';
import { ArtifactAccess } from './artifact-access';
import { CrossRegionArtifactStore } from './artifact-store';
import { PipelineVariable } from './pipeline-variable';
import { SelfUpdateOptions } from './self-update';

/** Props of a `DeliveryPipeline`. */
export interface DeliveryPipelineProps {
  /** Where the code comes from: the first action of the source stage, and the primary input of later steps. */
  readonly source: ISource;

  /**
   * More sources in the source stage (for example a second repository); their outputs are
   * `source.output` of each.
   *
   * @default - one source
   */
  readonly additionalSources?: ISource[];

  /**
   * The build, placed in a stage named `buildStageName` after the sources.
   *
   * @default - no build stage; add stages with `addStage`
   */
  readonly buildStep?: IStep;

  /**
   * Name of the build stage.
   *
   * @default 'Build'
   */
  readonly buildStageName?: string;

  /**
   * Name of the source stage.
   *
   * @default 'Source'
   */
  readonly sourceStageName?: string;

  /**
   * Test steps (lint, unit tests, audits, ...), placed in a stage after the build and run in
   * parallel; a step runs after the steps it `dependsOn`. They read the build's output artifact
   * by default (the source output when the build has none or is a `DockerImageStep`).
   *
   * @default - no test stage
   */
  readonly tests?: IStep[];

  /**
   * Name of the test stage.
   *
   * @default 'Test'
   */
  readonly testStageName?: string;

  /**
   * Name of the pipeline: 1 to 100 characters from A-Z a-z 0-9 . @ _ -.
   *
   * @default - a name CloudFormation generates
   */
  readonly pipelineName?: string;

  /**
   * The pipeline type. V2 has variables, triggers and the QUEUED and PARALLEL execution modes.
   *
   * @default codepipeline.PipelineType.V2
   */
  readonly pipelineType?: codepipeline.PipelineType;

  /**
   * How executions that start while one is running are handled. QUEUED runs every commit in
   * order, so no commit is silently skipped; SUPERSEDED lets a newer execution overtake an older
   * one; PARALLEL runs them independently.
   *
   * @default codepipeline.ExecutionMode.QUEUED
   */
  readonly executionMode?: codepipeline.ExecutionMode;

  /**
   * Pipeline-level variables (V2 only), referenced by actions as `variable.reference`.
   *
   * @default - none
   */
  readonly variables?: PipelineVariable[];

  /**
   * An existing artifact bucket. It should be encrypted with a customer-managed KMS key, which
   * the pipeline then uses; without one, builds cannot encrypt their artifacts with a key you own.
   *
   * @default - a bucket is created: KMS-encrypted, versioned, SSL-only, public access blocked,
   * access-logged, expiring artifacts after `artifactRetentionDays`
   */
  readonly artifactBucket?: s3.IBucket;

  /**
   * The KMS key that encrypts the created artifact bucket.
   *
   * @default - a key is created, with rotation on, retained with the bucket
   */
  readonly artifactKey?: kms.IKey;

  /**
   * Days after which the created bucket deletes artifacts (and their old versions): 1 to 3,650.
   *
   * @default 30
   */
  readonly artifactRetentionDays?: number;

  /**
   * How much of the artifact bucket the roles of build steps may use. By default each build step
   * reads only its inputs' folders and writes only its outputs' folders, so a build step cannot
   * replace an artifact another step built (for example, a test step the template that production
   * deploys); see `ArtifactAccess.OWN_ARTIFACTS` for the exceptions. Output artifact names must
   * then differ in their first 10 characters (CodePipeline names an artifact's folder after them),
   * which the pipeline checks at synth.
   *
   * @default ArtifactAccess.OWN_ARTIFACTS
   */
  readonly artifactAccess?: ArtifactAccess;

  /**
   * Bucket receiving the created artifact bucket's server access logs.
   *
   * @default - an SSE-S3 encrypted, SSL-only bucket is created, expiring logs after 365 days
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * Run the pipeline when its definition changes (CloudFormation update).
   *
   * @default - true with `selfUpdate`, false otherwise
   */
  readonly restartExecutionOnUpdate?: boolean;

  /**
   * Update the pipeline from the commit being released before anything else runs: a stage
   * `UpdatePipeline` right after the sources runs `cdk deploy` of the pipeline's stack, which
   * changes nothing unless the pipeline's synthesized template changed; when it did, the pipeline
   * is updated and the release starts again on the new pipeline. It adds a CodeBuild job of about
   * three minutes to every run, and its role may assume the `cdk bootstrap` roles of the pipeline's
   * account (what a person running `cdk deploy` uses). Without it, deploy the pipeline's stack with
   * `cdk deploy` when the pipeline changes.
   *
   * @default false
   */
  readonly selfUpdate?: boolean;

  /**
   * How the pipeline updates itself (with `selfUpdate`).
   *
   * @default - `npm ci`, then `cdk deploy` of the pipeline's stack with the newest CDK CLI 2, at the source's root
   */
  readonly selfUpdateOptions?: SelfUpdateOptions;

  /**
   * The role CodePipeline assumes. For environments in other accounts or regions give it a
   * `roleName`: their stacks name it.
   *
   * @default - a role is created
   */
  readonly role?: iam.IRole;

  /**
   * Regions other than the pipeline's to create artifact stores in now. For each one without a
   * store in `crossRegionArtifactStores`, an `ArtifactStoreStack` is created in the app (stack name
   * `<pipeline stack name>-artifacts-<region>`), in the pipeline's account. Environments in other
   * regions create theirs when they are added, so this is needed only to have a store before any
   * environment uses it.
   *
   * @default - the stores of the regions environments deploy to, created as they are added
   */
  readonly deployRegions?: string[];

  /**
   * Artifact stores in regions other than the pipeline's (CodePipeline copies the artifacts an
   * action in another region reads into the store of that region).
   *
   * @default - the stores created for `deployRegions` and for the regions environments deploy to
   */
  readonly crossRegionArtifactStores?: CrossRegionArtifactStore[];
}
