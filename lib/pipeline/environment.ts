import { Environment } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { IStep } from '../core/step';
import { IDeliveryTarget } from './delivery-target';
import { StageConditionOptions } from './stage-conditions';

/** Options of a stage added with `addStage`. */
export interface DeliveryStageOptions {
  /** The stage's steps. */
  readonly steps: IStep[];

  /**
   * Run the steps in parallel (one runOrder), except that a step runs after the steps it
   * `dependsOn`. When false, each step waits for the one before it.
   *
   * @default false
   */
  readonly parallel?: boolean;

  /**
   * The artifact steps read when not told otherwise.
   *
   * @default - the pipeline's primary source output
   */
  readonly defaultInput?: codepipeline.Artifact;

  /**
   * Stage conditions (V2): what happens on failure, entry gates, bake rules.
   *
   * @default - none: a failure fails the execution
   */
  readonly conditions?: StageConditionOptions;
}

/** An environment of the pipeline: where a release is deployed, with its approval and tests. */
export interface EnvironmentOptions extends StageConditionOptions {
  /**
   * The deployments, run in parallel.
   */
  readonly deploy: IStep[];

  /**
   * Marks a production environment: an approval is then required unless `waiveApproval` is set.
   *
   * @default false
   */
  readonly production?: boolean;

  /**
   * The approval before the environment (runs first).
   *
   * @default - none
   */
  readonly approval?: IStep;

  /**
   * Deploy to a production environment without an approval.
   *
   * @default false
   */
  readonly waiveApproval?: boolean;

  /**
   * Steps before the deployments (e.g. a database migration), run in parallel.
   *
   * @default - none
   */
  readonly before?: IStep[];

  /**
   * Steps after the deployments (smoke and integration tests), run in parallel.
   *
   * @default - none
   */
  readonly after?: IStep[];

  /**
   * The account and region the environment's targets live in. Another account needs `target`;
   * another region needs an artifact store there, which the pipeline creates unless it has one
   * (`deployRegions`, `crossRegionArtifactStores`).
   *
   * @default - the target's account and region, or else the pipeline's
   */
  readonly env?: Environment;

  /**
   * The target of the environment's account and region: its deploy role is the role the
   * deployments assume there, and its CloudFormation execution role deploys stacks there. A
   * `DeliveryTarget` of this app trusts the pipeline's role and gets the steps' grants; one of
   * another app (`DeliveryTarget.fromTargetAttributes`) must already trust and allow them.
   *
   * @default - none: required when the account is not the pipeline's
   */
  readonly target?: IDeliveryTarget;
}

/** One environment of a wave. */
export interface WaveEnvironment extends EnvironmentOptions {
  /** Name of the environment, unique in the wave. */
  readonly name: string;
}

/** Options of a wave added with `addWave`. */
export interface WaveOptions extends StageConditionOptions {
  /** The environments deployed in parallel. */
  readonly environments: WaveEnvironment[];

  /**
   * One approval for the whole wave, run before anything else in it. The wave's production
   * environments then need no approval of their own (and no `waiveApproval`).
   *
   * @default - none: each production environment has its own approval or waives it
   */
  readonly approval?: IStep;
}
