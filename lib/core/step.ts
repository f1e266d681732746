import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * What a pipeline tells a step when the step is placed in a stage.
 */
export interface StepContext {
  /** Name of the stage the step is placed in. */
  readonly stageName: string;

  /**
   * The runOrder the step's first actions take. Actions with the same runOrder run in parallel;
   * a step that runs several actions in sequence uses `runOrder`, `runOrder + 1`, ...
   */
  readonly runOrder: number;

  /**
   * The first runOrder an action of the step may take when it reads only artifacts of earlier
   * stages and changes nothing a later action of the stage depends on having waited for: an
   * inert preparation (publishing assets) can then run while the environment's approval waits for
   * a person. The step's other actions start at `runOrder`.
   *
   * @default - runOrder
   */
  readonly earliestRunOrder?: number;

  /** The pipeline the step is placed in. */
  readonly pipeline: codepipeline.IPipeline;

  /** The pipeline's type: some action settings (e.g. action timeouts) exist only in V2. */
  readonly pipelineType: codepipeline.PipelineType;

  /** The bucket the pipeline keeps its artifacts in. */
  readonly artifactBucket: s3.IBucket;

  /**
   * The KMS key that encrypts the pipeline's artifacts.
   *
   * @default - the artifact bucket has no customer-managed key
   */
  readonly artifactKey?: kms.IKey;

  /**
   * The pipeline's folder in `artifactBucket`, as an S3 key pattern: the pipeline's name (its
   * first 20 characters and `*` when it is longer), or `*` when the name is decided at deploy
   * time. CodePipeline keeps an artifact's objects under
   * `<pipelineFolder>/<artifact name, its first 10 characters and * when longer>/`; the artifact
   * stores of other regions are not known to keep this layout. Steps scope their roles to the
   * folders of the artifacts they read and write with `ArtifactObjects.arnFor(context, artifact)`.
   *
   * @default - undefined: the pipeline grants steps every object of the bucket (`ArtifactAccess.WHOLE_BUCKET`)
   */
  readonly pipelineFolder?: string;

  /** The artifact a step consumes when it is not told otherwise: the pipeline's primary source output. */
  readonly primaryInput: codepipeline.Artifact;

  /**
   * The environment of the stage the step is placed in (`addEnvironment`, `addWave`): where its
   * deploy targets live and, for another account, the roles the step's actions use there.
   *
   * @default - the step is not in an environment: it works in the pipeline's account and region
   */
  readonly environment?: StepEnvironment;
}

/**
 * An account and region that lets roles of the pipeline's account publish assets there (a
 * `DeliveryTarget`): it names the role in its account that publishes, and trusts the roles it is
 * told to.
 */
export interface IAssetPublishingTarget {
  /** Name of the role in the target's account that publishes assets. */
  readonly assetPublishingRoleName: string;

  /**
   * The role in the target's account that publishes assets, made to trust exactly this role of the
   * pipeline's account too (a target of this app adds it to the role's trust policy; one of
   * another app must already trust it). The caller grants the role the asset locations it writes.
   *
   * @param publisherRoleArn the exact ARN of the role that assumes it (no wildcards)
   */
  trustAssetPublisher(publisherRoleArn: string): iam.IRole;
}

/** The account and region a step deploys to, with the roles it uses there. */
export interface StepEnvironment {
  /** Name of the environment. */
  readonly name: string;

  /** The account the environment's targets live in. */
  readonly account: string;

  /** The region the environment's targets live in. */
  readonly region: string;

  /** True when the account differs from the pipeline's: actions must then assume `deployRole`. */
  readonly crossAccount: boolean;

  /** True when the region differs from the pipeline's: actions run there with a regional artifact store. */
  readonly crossRegion: boolean;

  /**
   * The role in the environment's account that the step's actions assume (a `DeliveryTarget`'s deploy role).
   *
   * @default - none: the actions use roles in the pipeline's account
   */
  readonly deployRole?: iam.IRole;

  /**
   * The role CloudFormation uses in the environment's account to deploy stacks.
   *
   * @default - none
   */
  readonly cloudFormationExecutionRole?: iam.IRole;

  /**
   * Where assets are published in another account: the environment's target.
   *
   * @default - none: in the pipeline's account, steps publish with roles of their own
   */
  readonly assetPublishing?: IAssetPublishingTarget;

  /**
   * The artifact store the environment's actions read from: the store of its region.
   *
   * @default - the pipeline's artifact bucket
   */
  readonly artifactBucket?: s3.IBucket;
}

/**
 * What a step adds to a stage.
 */
export interface StepActions {
  /** The pipeline actions, each with its runOrder already set. */
  readonly actions: codepipeline.IAction[];

  /**
   * Short descriptions of some actions for diagrams (e.g. one per stack of a step that deploys
   * several).
   *
   * @default - every action is described by the step's `label`
   */
  readonly actionLabels?: ActionLabel[];
}

/** A short description of one action of a step, for diagrams. */
export interface ActionLabel {
  /** Name of the action. */
  readonly actionName: string;
  /** What the action does, e.g. "change set of shop-api". */
  readonly label: string;
}

/** What a step expects to take, for run-time and cost estimates. */
export interface StepEstimate {
  /** Minutes from the start to the end of the step's actions, without time spent waiting for people. */
  readonly minutes: number;

  /**
   * Billable CodeBuild minutes of one run of the step.
   *
   * @default 0
   */
  readonly buildMinutes?: number;

  /**
   * CodeBuild compute type of those minutes (e.g. `BUILD_GENERAL1_SMALL`).
   *
   * @default - none
   */
  readonly computeType?: string;

  /**
   * CodeBuild environment type of those minutes (e.g. `ARM_CONTAINER`), which with the compute
   * type sets their price.
   *
   * @default 'LINUX_CONTAINER'
   */
  readonly environmentType?: string;

  /**
   * The build minutes run on a reserved-capacity fleet: no provisioning wait, and paid per minute
   * the fleet is up rather than per build, so they are left out of the cost of a run.
   *
   * @default false
   */
  readonly reservedCapacity?: boolean;

  /**
   * The reserved-capacity fleet the builds run on (its construct path, or its name when imported),
   * so that the estimate counts each fleet once.
   *
   * @default - none
   */
  readonly fleet?: string;

  /**
   * The instances that fleet keeps provisioned (its base capacity), each billed per minute while
   * provisioned.
   *
   * @default - unknown (an imported fleet)
   */
  readonly fleetBaseCapacity?: number;

  /**
   * Compute type of a Docker server that runs while the build does, paid per minute on top of it.
   *
   * @default - none
   */
  readonly dockerServerComputeType?: string;

  /**
   * The step waits for a person (an approval): its time is reported apart from the run time.
   *
   * @default false
   */
  readonly waitsForPerson?: boolean;
}

/**
 * One step of a pipeline stage: a build, an approval, a deployment, a test.
 *
 * A step is a plain object until a pipeline places it in a stage; then `bind` creates the
 * resources the step needs (under `scope`) and returns its actions. Steps written by users
 * implement this interface too.
 */
export interface IStep {
  /** The step's name, used as its action name: unique within a stage. */
  readonly stepName: string;

  /**
   * The primary artifact the step produces, if any (later steps and tests read it).
   *
   * @default - the step produces no artifact
   */
  readonly output?: codepipeline.Artifact;

  /**
   * Whether the `tests` of a pipeline whose build step this is read its `output` by default. False
   * for a step whose output holds no code to test (a Docker build's image files): the tests then
   * read the primary source.
   *
   * @default true
   */
  readonly testsReadOutput?: boolean;

  /**
   * Steps of the same stage this step runs after, in a parallel stage (a sequential stage already
   * runs steps in the order given).
   *
   * @default - none: in a parallel stage the step starts with the stage
   */
  readonly dependsOn?: IStep[];

  /**
   * A short description for diagrams, e.g. "ECS canary 10% then 100% after 5 minutes".
   *
   * @default - the step name only
   */
  readonly label?: string;

  /**
   * What the step expects to take, for run-time and cost estimates.
   *
   * @default - one minute, no build minutes
   */
  readonly estimate?: StepEstimate;

  /**
   * Creates the step's resources and actions. Called once, by the pipeline.
   *
   * @param scope the construct to create resources under (unique to this step)
   * @param context where the step is placed
   */
  bind(scope: Construct, context: StepContext): StepActions;
}

