import { Annotations, ArnFormat, Environment, Names, PhysicalName, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DockerImageStep } from '../codebuild/docker-image-step';
import { IStep, StepEnvironment, StepEstimate } from '../core/step';
import { namedWhenReferencedElsewhere, noteGeneratedNames } from '../private/generated-names';
import { ARTIFACT_FOLDER_LENGTH, artifactFolderName, pipelineFolder } from '../core/artifact-folders';
import { acceptL2ActionGrants, acceptLibraryFindings, acceptNagFindings, isMarkedL2ActionRole } from '../private/nag';
import { ScopedKmsRole } from '../private/scoped-kms-role';
import { ACTION_NAME, PIPELINE_NAME, STAGE_NAME, checkLiteral, checkName } from '../private/names';
import { DeliveryValidationError, Problems, differentLiterals, isConcreteNumber, nameableAcrossEnvironments } from '../private/validation';
import { DeliveryChecks } from '../checks/delivery-checks';
import { RuleLevel, templateProperties } from '../checks/rule';
import { stagesOf } from '../checks/rules/pipeline-model';
import { unresolvedReferences } from '../checks/rules/CodePipelineVariableReferences';
import { ISource } from '../source/source';
import { ArtifactAccess } from './artifact-access';
import { ArtifactStoreStack, CrossRegionArtifactStore, createArtifactStore } from './artifact-store';
import { DeliveryTarget, IDeliveryTarget } from './delivery-target';
import { RenderedStage, renderMermaid } from './diagram';
import { PipelineEstimate, estimateRun } from './estimate';
import { PipelineNotificationProps, PipelineNotifications, createNotifications } from './notifications';
import { FailureBehavior, StageConditionOptions, renderConditions } from './stage-conditions';
import { PipelineVariable } from './pipeline-variable';
import { checkArgs, constructorOf } from '../private/shapes';

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
   * @default false
   */
  readonly restartExecutionOnUpdate?: boolean;

  /**
   * The role CodePipeline assumes. For environments in other accounts or regions give it a
   * `roleName`: their stacks name it.
   *
   * @default - a role is created
   */
  readonly role?: iam.IRole;

  /**
   * Regions other than the pipeline's that environments deploy to. For each one without a store
   * in `crossRegionArtifactStores`, an `ArtifactStoreStack` is created in the app (stack name
   * `<pipeline stack name>-artifacts-<region>`), in the pipeline's account.
   *
   * @default - none
   */
  readonly deployRegions?: string[];

  /**
   * Artifact stores in regions other than the pipeline's (CodePipeline copies the artifacts an
   * action in another region reads into the store of that region).
   *
   * @default - the stores created for `deployRegions`
   */
  readonly crossRegionArtifactStores?: CrossRegionArtifactStore[];
}

/** Props of a stage added with `addStage`. */
export interface DeliveryStageProps {
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
export interface EnvironmentProps extends StageConditionOptions {
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
   * another region needs an artifact store there (`deployRegions` or `crossRegionArtifactStores`).
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
export interface WaveEnvironment extends EnvironmentProps {
  /** Name of the environment, unique in the wave. */
  readonly name: string;
}

/** Props of a wave. */
export interface WaveProps extends StageConditionOptions {
  /** The environments deployed in parallel. */
  readonly environments: WaveEnvironment[];
}

interface StagePhase {
  readonly steps: IStep[];
  readonly parallel: boolean;
  readonly prop: string;
  readonly kind?: string;
}

interface PlaceOptions {
  readonly conditions: StageConditionOptions;
  readonly defaultFailure: FailureBehavior;
  readonly defaultInput?: codepipeline.Artifact;
  readonly environments?: Map<IStep, StepEnvironment>;
}

function environmentPhases(props: EnvironmentProps, _prefix: string): StagePhase[] {
  return [
    { steps: props.approval ? [props.approval] : [], parallel: true, prop: 'approval', kind: 'approval' },
    { steps: props.before ?? [], parallel: true, prop: 'before', kind: 'before' },
    { steps: props.deploy ?? [], parallel: true, prop: 'deploy', kind: 'deploy' },
    { steps: props.after ?? [], parallel: true, prop: 'after', kind: 'after' },
  ].filter((p) => p.steps.length > 0);
}

function checkEnvironment(problems: Problems, prefix: string, props: EnvironmentProps): void {
  if (!props.deploy || props.deploy.length === 0) {
    problems.add(`${prefix}deploy`, props.deploy, 'is empty', 'give the deploy steps of the environment, e.g. [service.deployStep({ input: build.output })]');
  }
  if (props.production && !props.approval && !props.waiveApproval) {
    problems.add(`${prefix}approval`, undefined, 'is missing before a production environment', "add approval: new ManualApprovalStep('Approve', { notifyEmails: [...] }), or set waiveApproval: true to release without one");
  }
  if (props.waiveApproval && props.approval) {
    problems.add(`${prefix}waiveApproval`, true, 'is set together with an approval', 'remove waiveApproval, or remove the approval');
  }
}

const DEFAULT_RETENTION_DAYS = 30;
/** CodePipeline quotas (https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html). */
const MAX_STAGES = 50;
const MAX_ACTIONS_PER_STAGE = 50;
const MAX_ACTIONS_PER_PIPELINE = 500;
const MAX_RUN_ORDER = 999;
const MAX_RETENTION_DAYS = 3650;

/**
 * A CodePipeline V2 release pipeline: a source stage, an optional build stage, and the stages you
 * add with `addStage`. Secure by default: artifacts in a KMS-encrypted, versioned, SSL-only bucket;
 * every step's role with only the permissions it needs.
 */
export class DeliveryPipeline extends Construct {
  /** The underlying CodePipeline pipeline. */
  public readonly pipeline: codepipeline.Pipeline;
  /** The bucket holding the pipeline's artifacts. */
  public readonly artifactBucket: s3.IBucket;
  /** The KMS key encrypting the artifacts (undefined only for a passed-in bucket without a key). */
  public readonly artifactKey?: kms.IKey;
  /** The bucket receiving the artifact bucket's access logs (undefined for a passed-in artifact bucket). */
  public readonly accessLogsBucket?: s3.IBucket;
  /** The sources of the source stage, primary first. */
  public readonly sources: ISource[];
  /** The pipeline-level variables. */
  public readonly variables: PipelineVariable[];

  /** The pipeline's type. */
  public readonly pipelineType: codepipeline.PipelineType;

  private readonly stageNames: string[] = [];
  private readonly placed: IStep[] = [];
  private notificationCount = 0;
  private readonly labels = new Map<string, string>();
  private readonly estimates = new Map<string, StepEstimate>();
  /** Output artifact names, with the action that outputs each. */
  private readonly outputArtifacts = new Map<string, string>();
  /** The pipeline's folder in the artifact bucket, when steps scope their roles to their artifacts' folders. */
  private readonly pipelineFolder?: string;
  private actionCount = 0;
  private readonly acceptedPolicies = new Set<iam.CfnPolicy>();
  private readonly stagesScope: Construct;
  private readonly regionalStores = new Map<string, s3.IBucket>();
  private readonly artifactAccounts = new Map<string, string>();
  private readonly namespaces = new Set<string>();
  private readonly usesOwnRole: boolean;
  private static readonly boundSteps = new WeakMap<IStep, string>();

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id);
    // Compliance-pack findings without a fix worth its cost, on what this construct creates.
    acceptLibraryFindings(this);
    const problems = new Problems(`DeliveryPipeline '${this.node.path}'`);
    const pipelineType = props.pipelineType ?? codepipeline.PipelineType.V2;
    const executionMode = props.executionMode ?? (pipelineType === codepipeline.PipelineType.V2 ? codepipeline.ExecutionMode.QUEUED : codepipeline.ExecutionMode.SUPERSEDED);
    const sources = [props.source, ...(props.additionalSources ?? [])].filter((s) => s !== undefined);
    const sourceStageName = props.sourceStageName ?? 'Source';

    if (!props.source) {
      problems.add('source', undefined, 'is required', "give a source, for example Source.connection('my-org/shop', { connectionArn })");
    }
    checkName(problems, 'pipelineName', props.pipelineName, PIPELINE_NAME, 'pipeline');
    checkName(problems, 'sourceStageName', sourceStageName, STAGE_NAME, 'stage');
    checkLiteral(problems, 'sourceStageName', sourceStageName, 'stage');
    sources.forEach((s, i) => checkLiteral(problems, i === 0 ? 'source.actionName' : `additionalSources[${i - 1}].actionName`, s.actionName, 'source action'));
    if (pipelineType === codepipeline.PipelineType.V1) {
      if (props.variables && props.variables.length > 0) {
        problems.add('variables', props.variables.map((v) => v.name), 'pipeline variables need a V2 pipeline', 'remove pipelineType (V2 is the default) or remove the variables');
      }
      if (executionMode !== codepipeline.ExecutionMode.SUPERSEDED) {
        problems.add('executionMode', executionMode, 'V1 pipelines only run in SUPERSEDED mode', 'remove pipelineType (V2 is the default) or use ExecutionMode.SUPERSEDED');
      }
    }
    const variableNames = new Set<string>();
    (props.variables ?? []).forEach((v, i) => {
      if (variableNames.has(v.name)) problems.add(`variables[${i}]`, v.name, 'is declared twice', 'give each pipeline variable a unique name');
      variableNames.add(v.name);
    });
    if (props.artifactBucket && props.artifactKey) {
      problems.add('artifactKey', 'a key', 'is given together with artifactBucket; the key of a passed-in bucket is the bucket\'s own', 'pass a bucket encrypted with your key, or pass only artifactKey');
    }
    if (props.artifactBucket && props.artifactRetentionDays !== undefined) {
      problems.add('artifactRetentionDays', props.artifactRetentionDays, 'applies only to the bucket the pipeline creates', 'set a lifecycle rule on your bucket, or do not pass artifactBucket');
    }
    if (props.artifactBucket && props.accessLogsBucket) {
      problems.add('accessLogsBucket', 'a bucket', 'applies only to the bucket the pipeline creates', 'configure access logs on your bucket, or do not pass artifactBucket');
    }
    const days = props.artifactRetentionDays;
    if (isConcreteNumber(days) && (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS)) {
      problems.add('artifactRetentionDays', days, `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}`, 'choose how many days old artifacts are kept, e.g. 30');
    }
    checkUnique(problems, sources, 'actionName', 'action name', (s) => s.actionName);
    checkUnique(problems, sources, 'variablesNamespace', 'variables namespace', (s) => s.variablesNamespace);
    checkUnique(problems, sources, 'output', 'output artifact name', (s) => s.output.artifactName ?? '');
    this.pipelineFolder = (props.artifactAccess ?? ArtifactAccess.OWN_ARTIFACTS) === ArtifactAccess.OWN_ARTIFACTS
      ? pipelineFolder(props.pipelineName)
      : undefined;
    // Repeated names are reported above; each name is recorded once.
    sources.filter((s, i) => sources.findIndex((o) => o.output.artifactName === s.output.artifactName) === i)
      .forEach((s) => this.addOutputArtifact(problems, `source '${s.actionName}' output`, s.actionName, s.output.artifactName ?? ''));
    const here = Stack.of(this);
    const crossRegion = [...(props.deployRegions ?? []), ...(props.crossRegionArtifactStores ?? []).map((st) => st.region)];
    if (crossRegion.length > 0 && (Token.isUnresolved(here.region) || Token.isUnresolved(here.account))) {
      problems.add('deployRegions', crossRegion, 'needs the pipeline stack\'s account and region, which are unresolved tokens', "create the pipeline's stack with env: { account, region }");
    }
    (props.deployRegions ?? []).forEach((region, i) => {
      if (Token.isUnresolved(region)) problems.add(`deployRegions[${i}]`, region, 'is an unresolved token', 'give the region as a literal, e.g. \'eu-west-1\'');
      else if (region === here.region) problems.add(`deployRegions[${i}]`, region, 'is the pipeline\'s own region, whose store is the artifact bucket', 'list only other regions');
    });
    checkUnique(problems, props.deployRegions ?? [], 'deployRegions', 'region', (r) => r);
    (props.crossRegionArtifactStores ?? []).forEach((store, i) => {
      if (Token.isUnresolved(store.region)) problems.add(`crossRegionArtifactStores[${i}].region`, store.region, 'is an unresolved token', 'give the region as a literal');
      else if (store.region === here.region) problems.add(`crossRegionArtifactStores[${i}].region`, store.region, 'is the pipeline\'s own region', 'pass the bucket of the pipeline\'s region as artifactBucket');
      if (!store.bucket?.encryptionKey) problems.add(`crossRegionArtifactStores[${i}].bucket`, store.region, 'has no customer-managed KMS key known to CDK', 'pass a bucket created with encryptionKey, e.g. an ArtifactStoreStack\'s store');
      // The bucket's own environment: its stack's, or what it was imported with.
      const bucketEnv = store.bucket?.env;
      if (bucketEnv && !Token.isUnresolved(bucketEnv.region) && bucketEnv.region !== store.region && !Token.isUnresolved(store.region)) {
        problems.add(`crossRegionArtifactStores[${i}].bucket`, bucketEnv.region, `is in region ${bucketEnv.region}, not ${store.region}`, 'pass the bucket of that region (a stack there, or imported with its region)');
      }
      if (bucketEnv && !Token.isUnresolved(bucketEnv.account) && !Token.isUnresolved(here.account) && bucketEnv.account !== here.account) {
        problems.add(`crossRegionArtifactStores[${i}].bucket`, bucketEnv.account, `is in account ${bucketEnv.account}; artifact stores are in the pipeline's account (${here.account})`, 'create the store in the pipeline\'s account');
      }
    });
    checkUnique(problems, props.crossRegionArtifactStores ?? [], 'crossRegionArtifactStores', 'region', (st) => st.region);
    problems.throwIfAny();

    if (props.artifactBucket) {
      this.artifactBucket = props.artifactBucket;
      this.artifactKey = props.artifactBucket.encryptionKey;
      if (!this.artifactKey) {
        Annotations.of(this).addWarningV2('cdk-delivery:artifact-bucket-without-key',
          'The artifact bucket passed in has no customer-managed KMS key known to CDK: builds cannot encrypt artifacts with your key and cross-account deployments are impossible. Pass a bucket created with encryptionKey, or let the pipeline create one.');
      }
    } else {
      const store = createArtifactStore(this, {
        key: props.artifactKey,
        retentionDays: days ?? DEFAULT_RETENTION_DAYS,
        accessLogsBucket: props.accessLogsBucket,
      });
      this.artifactBucket = store.bucket;
      this.artifactKey = store.key;
      this.accessLogsBucket = store.accessLogsBucket;
    }
    if (!props.artifactBucket) namedWhenReferencedElsewhere(this, 'its artifact bucket');

    this.variables = [...(props.variables ?? [])];
    this.pipelineType = pipelineType;
    for (const store of props.crossRegionArtifactStores ?? []) this.regionalStores.set(store.region, store.bucket);
    for (const region of props.deployRegions ?? []) {
      if (this.regionalStores.has(region)) continue;
      const id = `${here.stackName}-artifacts-${region}`;
      const stage = Stage.of(this) ?? this.node.root;
      const existing = stage.node.tryFindChild(id);
      // Pipelines of one stack share the store of a region: they must agree on its retention.
      if (existing instanceof ArtifactStoreStack && existing.artifactRetentionDays !== (days ?? DEFAULT_RETENTION_DAYS)) {
        throw new DeliveryValidationError(`DeliveryPipeline '${this.node.path}' has 1 problem:\n  - artifactRetentionDays: the ${region} store '${id}', shared by the pipelines of this stack, keeps artifacts ${existing.artifactRetentionDays} days (got ${days ?? DEFAULT_RETENTION_DAYS}). Fix: give the pipelines of one stack the same artifactRetentionDays, or pass a store of your own in crossRegionArtifactStores`);
      }
      const supportStack = existing instanceof ArtifactStoreStack ? existing : new ArtifactStoreStack(stage, id, {
        env: { account: here.account, region },
        artifactRetentionDays: days ?? DEFAULT_RETENTION_DAYS,
        description: `Artifact store in ${region} of the pipelines of stack ${here.stackName} (cdk-delivery)`,
      });
      this.regionalStores.set(region, supportStack.bucket);
    }
    // Stacks in other regions grant this role on their keys and buckets: it needs a physical name.
    this.usesOwnRole = !props.role && this.regionalStores.size > 0;
    // Without regional stores, the role gets its name when a target in another account trusts it.
    if (!props.role && !this.usesOwnRole) namedWhenReferencedElsewhere(this, 'its role');
    // The regional stores' keys are known here by alias only, so aws-cdk-lib grants KMS on "*":
    // ScopedKmsRole narrows that to keys of this account.
    const role = props.role ?? (this.usesOwnRole ? new ScopedKmsRole(this, 'Role', {
      keyAccount: here.account,
      assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
      roleName: PhysicalName.GENERATE_IF_NEEDED,
    }) : undefined);
    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineType,
      executionMode,
      ...(this.regionalStores.size > 0
        ? { crossRegionReplicationBuckets: { [here.region]: this.artifactBucket, ...Object.fromEntries(this.regionalStores) } }
        : { artifactBucket: this.artifactBucket }),
      restartExecutionOnUpdate: props.restartExecutionOnUpdate ?? false,
      role,
      variables: this.variables.length > 0 ? this.variables.map((v) => v._toL2()) : undefined,
    });

    this.sources = [...sources];
    this.actionCount = sources.length;
    const sourcesScope = new Construct(this, 'Sources');
    const configs = sources.map((s) => s.bind(new Construct(sourcesScope, s.actionName), this.pipeline));
    const filtered = sources.filter((_, i) => configs[i].trigger !== undefined);
    if (pipelineType === codepipeline.PipelineType.V1 && filtered.length > 0) {
      const v1 = new Problems(`DeliveryPipeline '${this.node.path}'`);
      v1.add('pipelineType', 'V1', `source '${filtered[0].actionName}' has trigger filters, which need a V2 pipeline`, 'remove pipelineType (V2 is the default) or remove the filters');
      v1.throwIfAny();
    }
    this.pipeline.addStage({ stageName: sourceStageName, actions: configs.map((c) => c.action) });
    this.stageNames.push(sourceStageName);
    for (const config of configs) {
      if (config.trigger) this.pipeline.addTrigger(config.trigger);
    }

    this.acceptL2ArtifactGrants();
    this.narrowEventsRoleTrust();
    this.stagesScope = new Construct(this, 'Stages');
    if (props.buildStep) {
      this.addStage(props.buildStageName ?? 'Build', { steps: [props.buildStep] });
    }
    if (props.tests && props.tests.length > 0) {
      this.addStage(props.testStageName ?? 'Test', {
        steps: props.tests,
        parallel: true,
        // A Docker build's output holds only the image files, so tests read the source then.
        defaultInput: (props.buildStep instanceof DockerImageStep ? undefined : props.buildStep?.output) ?? this.primaryOutput,
      });
    }

    this.node.addValidation({
      validate: () => this.stageNames.length < 2
        ? [`DeliveryPipeline '${this.node.path}' has only the '${sourceStageName}' stage; CodePipeline needs at least 2 stages. Fix: pass buildStep, or call addStage(...).`]
        : [],
    });
    this.node.addValidation({ validate: () => [...this.checkVariableReferences(), ...this.checkRules()] });
  }

  /**
   * Records an output artifact. Names must be unique in the pipeline; with per-step artifact
   * access they must also differ in their first 10 characters, because CodePipeline keeps each
   * artifact in a folder named after them and the steps' roles are scoped to those folders.
   */
  private addOutputArtifact(problems: Problems, prop: string, actionName: string, name: string): void {
    if (this.outputArtifacts.has(name)) {
      problems.add(prop, name, 'another action of the pipeline already outputs an artifact with this name', 'give the step a unique name (its output artifact is named after it), or rename the artifact');
    } else if (this.pipelineFolder !== undefined) {
      const folder = artifactFolderName(name);
      const other = [...this.outputArtifacts].find(([n]) => artifactFolderName(n) === folder);
      if (other) {
        problems.add(prop, name, `shares the artifact folder '${folder}' with '${other[0]}' (output of action '${other[1]}'): CodePipeline names an artifact's folder after the first ${ARTIFACT_FOLDER_LENGTH} characters of its name, so the roles of the two actions could replace each other's artifacts`,
          `name the two outputs so that their first ${ARTIFACT_FOLDER_LENGTH} characters differ: a step's output is named after the step (<step>_Output), a secondary output by secondaryOutputs[].name, a source's by outputArtifactName (artifactAccess: ArtifactAccess.WHOLE_BUCKET would instead turn per-step artifact access off for every step)`);
      }
    }
    this.outputArtifacts.set(name, actionName);
  }

  /**
   * Every `#{namespace.name}` in an action's configuration must name a namespace an earlier action
   * produces (an earlier stage, or a lower runOrder in the same stage), a declared pipeline
   * variable (`#{variables.name}`), or CodePipeline's own `#{codepipeline.PipelineExecutionId}`;
   * otherwise CodePipeline rejects the pipeline at deploy time (rule CodePipelineVariableReferences,
   * with the fix for each case).
   */
  private checkVariableReferences(): string[] {
    const properties = templateProperties(this.pipeline.node.defaultChild as codepipeline.CfnPipeline);
    // The declared variables as the template holds them (also those added on the L2 pipeline).
    const variables = (Array.isArray(properties.Variables) ? properties.Variables : []).map((v: { Name?: string }) => v.Name).filter((n: unknown): n is string => typeof n === 'string');
    return unresolvedReferences(stagesOf(properties), variables).map((r) => {
      const where = `DeliveryPipeline '${this.node.path}': action '${r.stage}/${r.action}' references #{${r.namespace}.${r.name}}`;
      switch (r.reason) {
        case 'variable': return `${where}, which is not a pipeline variable. Fix: declare it in variables (new PipelineVariable({ name: '${r.name}' })), or correct the reference`;
        case 'later': return `${where}, but namespace '${r.namespace}' is produced later in the pipeline (or in the same runOrder). Fix: move the producing step before it`;
        default: return `${where}, but no action has the namespace '${r.namespace}'. Fix: reference a namespace of an earlier step (for example source.variables.commitId)`;
      }
    });
  }

  /**
   * The rules of `DeliveryChecks` on everything under the pipeline (the pipeline, its build
   * projects and the roles and topics of its steps; deployment targets live in their own stacks,
   * which `Aspects.of(app).add(new DeliveryChecks())` covers): errors fail synthesis. The constructs check most of this when they
   * are built; this catches what only the finished template shows, including actions of your own steps.
   */
  private checkRules(): string[] {
    return DeliveryChecks.findProblems(this)
      .filter((f) => f.level === RuleLevel.ERROR && f.ruleId !== 'CodePipelineVariableReferences')
      .map((f) => `DeliveryPipeline '${this.node.path}': ${f.path} breaks rule Delivery-${f.ruleId} (${f.finding}): ${f.info} ${f.explanation} Fix: ${f.fix} (in the step that makes it)`);
  }

  /** Every step placed in the pipeline, in the order they were added. */
  public get steps(): IStep[] {
    return [...this.placed];
  }

  /**
   * The pipeline as a Mermaid flowchart: stages in order, parallel actions side by side, approvals
   * as gates, stage conditions and what each deployment does (e.g. its traffic-shifting strategy).
   * `npx cdk synth` of the examples writes one `.mmd` file per pipeline into cdk.out/diagrams.
   */
  public diagram(): string {
    const stages = (Stack.of(this).resolve((this.pipeline.node.defaultChild as codepipeline.CfnPipeline).stages) ?? []) as RenderedStage[];
    const labels = new Map(this.labels);
    this.sources.forEach((source) => {
      if (source.label) labels.set(`${stages[0]?.name}/${source.actionName}`, source.label);
    });
    return renderMermaid(stages, labels);
  }

  /**
   * Estimates one run: the critical path (stages in sequence; runOrder groups in sequence; the
   * actions of a group in parallel) from each step's estimate (CodeBuild provisioning plus the
   * build's expected minutes; deployments from their strategy and waits), approvals reported
   * apart, and the cost from CodePipeline V2 action minutes and CodeBuild minutes at us-east-1
   * on-demand prices. `npx cdk synth` of the examples writes one table per pipeline into
   * cdk.out/estimates.
   */
  public estimate(): PipelineEstimate {
    const stages = (Stack.of(this).resolve((this.pipeline.node.defaultChild as codepipeline.CfnPipeline).stages) ?? []) as RenderedStage[];
    return estimateRun(stages, this.estimates, this.pipelineType === codepipeline.PipelineType.V2);
  }

  /** The primary source's output artifact: the default input of every build step. */
  public get primaryOutput(): codepipeline.Artifact {
    return this.sources[0].output;
  }

  /**
   * Adds a stage after the existing ones.
   *
   * @param stageName name of the stage, unique in the pipeline
   */
  public addStage(stageName: string, props: DeliveryStageProps): codepipeline.IStage {
    checkArgs('DeliveryPipeline#addStage', [stageName, props]);
    return this.placeStage(stageName, [{ steps: props?.steps ?? [], parallel: props?.parallel ?? false, prop: 'steps' }], {
      conditions: props?.conditions ?? {},
      defaultFailure: FailureBehavior.FAIL,
      defaultInput: props?.defaultInput,
    });
  }

  /**
   * Adds an environment: a stage with an approval (required before production unless waived), steps
   * before the deployment, the deployments in parallel, and steps after them (smoke tests). On a V2
   * pipeline the stage rolls back when it fails, unless told otherwise.
   *
   * @param name name of the stage
   */
  public addEnvironment(name: string, props: EnvironmentProps): codepipeline.IStage {
    checkArgs('DeliveryPipeline#addEnvironment', [name, props]);
    const problems = new Problems(`DeliveryPipeline '${this.node.path}' environment '${name}'`);
    checkEnvironment(problems, '', props);
    const environment = this.resolveEnvironment(problems, '', name, props);
    problems.throwIfAny();
    return this.placeStage(name, environmentPhases(props, ''), {
      conditions: props,
      defaultFailure: this.pipelineType === codepipeline.PipelineType.V2 ? FailureBehavior.ROLLBACK : FailureBehavior.FAIL,
      environments: this.environmentsOf([[props, environment]]),
    });
  }

  /**
   * Adds a wave: several environments deployed in parallel in one stage (e.g. production in two
   * regions). Their approvals run first, then their before-steps, deployments and after-steps, each
   * group in parallel. Step names must be unique across the wave.
   *
   * @param name name of the stage
   */
  public addWave(name: string, props: WaveProps): codepipeline.IStage {
    checkArgs('DeliveryPipeline#addWave', [name, props]);
    const problems = new Problems(`DeliveryPipeline '${this.node.path}' wave '${name}'`);
    if (!props.environments || props.environments.length === 0) {
      problems.add('environments', props.environments, 'is empty', 'give at least one environment');
    }
    (props.environments ?? []).forEach((e, i) => checkEnvironment(problems, `environments[${i}].`, e));
    checkUnique(problems, props.environments ?? [], 'environments', 'environment name', (e) => e.name);
    const resolved = (props.environments ?? []).map((e, i): [EnvironmentProps, StepEnvironment] => [e, this.resolveEnvironment(problems, `environments[${i}].`, e.name, e)]);
    problems.throwIfAny();
    const phases: StagePhase[] = [];
    for (const kind of ['approval', 'before', 'deploy', 'after'] as const) {
      const steps = props.environments.flatMap((e) => environmentPhases(e, '').find((p) => p.kind === kind)?.steps ?? []);
      if (steps.length > 0) phases.push({ steps, parallel: true, prop: kind, kind });
    }
    return this.placeStage(name, phases, {
      conditions: props,
      defaultFailure: this.pipelineType === codepipeline.PipelineType.V2 ? FailureBehavior.ROLLBACK : FailureBehavior.FAIL,
      environments: this.environmentsOf(resolved),
    });
  }

  /** The environment each step of these environments is bound with. */
  private environmentsOf(list: Array<[EnvironmentProps, StepEnvironment]>): Map<IStep, StepEnvironment> {
    const map = new Map<IStep, StepEnvironment>();
    for (const [props, environment] of list) {
      for (const phase of environmentPhases(props, '')) phase.steps.forEach((step) => map.set(step, environment));
    }
    return map;
  }

  /**
   * Where an environment deploys, and what that needs: a literal account and region, a target
   * (deploy role) in another account, a customer-managed artifact key that account can be granted,
   * and an artifact store in another region.
   */
  private resolveEnvironment(problems: Problems, prefix: string, name: string, props: EnvironmentProps): StepEnvironment {
    const here = Stack.of(this);
    const target = props.target;
    const account = props.env?.account ?? target?.account ?? here.account;
    const region = props.env?.region ?? target?.region ?? here.region;
    let concrete = true;
    for (const [key, value] of [['account', props.env?.account], ['region', props.env?.region]] as const) {
      if (value !== undefined && Token.isUnresolved(value)) {
        problems.add(`${prefix}env.${key}`, value, 'is an unresolved token, but the environment must be known at synth', `give the ${key} as a literal`);
        concrete = false;
      }
    }
    const differs = differentLiterals;
    const crossAccount = differs(account, here.account);
    const crossRegion = differs(region, here.region);
    if ((props.env?.account !== undefined || target) && Token.isUnresolved(here.account) && concrete) {
      problems.add(`${prefix}env.account`, account, 'is given, but the pipeline stack\'s account is an unresolved token, so CodePipeline cannot tell whether it is another account', "create the pipeline's stack with env: { account, region }");
    }
    if (target) {
      if (differs(target.account, account) || differs(target.region, region)) {
        problems.add(`${prefix}target`, `${target.account}/${target.region}`, `is not in the environment's account and region (${account}/${region})`, 'pass the DeliveryTarget of that account and region, or correct env');
      }
      if (differs(target.pipelineAccount, here.account)) {
        problems.add(`${prefix}target`, `${target.account}/${target.region}`, `trusts pipelines of account ${target.pipelineAccount}, not this pipeline's (${here.account})`, `create the target with pipelineAccount: '${here.account}'`);
      }
    }
    if (crossAccount) {
      if (!target) {
        problems.add(`${prefix}target`, undefined, `is required: environment '${name}' is in account ${account}, not the pipeline's (${here.account}), and its actions must assume a role there`, `create new DeliveryTargetStack(app, '${name}Target', { env: { account: '${account}', region: '${region}' }, pipelineAccount: '${here.account}' }) and pass target: its target`);
      }
      if (!this.artifactKey) {
        problems.add(`${prefix}env.account`, account, 'is another account, but the artifact bucket has no customer-managed KMS key, and the AWS-managed key cannot be shared across accounts', 'pass a bucket encrypted with your own KMS key, or let the pipeline create its artifact store');
      }
    }
    if (crossRegion && !this.regionalStores.has(region)) {
      problems.add(`${prefix}env.region`, region, `has no artifact store; CodePipeline needs one in every region an action runs in`, `add '${region}' to the pipeline's deployRegions, or pass its store in crossRegionArtifactStores`);
    }
    if (crossAccount) {
      noteGeneratedNames(this, `DeliveryPipeline '${this.node.path}'`, `environment '${name}' in account ${account}`,
        'a new, empty artifact bucket; the old one is retained');
      // Another account's stack names the pipeline's role and bucket: they need physical names.
      const role = this.pipeline.role;
      if (!this.usesOwnRole && role.node.scope !== this.pipeline && !nameableAcrossEnvironments(role, role.roleArn)) {
        problems.add('role', role.node.path, `has no physical name, and the deploy role of account ${account} must name it in its trust policy`, 'create the role with roleName (or PhysicalName.GENERATE_IF_NEEDED), or let the pipeline create its role');
      }
      if (!(this.artifactBucket.node.scope === this) && !nameableAcrossEnvironments(this.artifactBucket, this.artifactBucket.bucketArn)) {
        problems.add('artifactBucket', this.artifactBucket.node.path, `has no physical name, and account ${account} must name it to read the artifacts`, 'create the bucket with bucketName (or PhysicalName.GENERATE_IF_NEEDED), or let the pipeline create its artifact store');
      }
    }
    if (problems.length === 0 && target) {
      if (target instanceof DeliveryTarget) {
        target._trustPipelineRole(this.pipelineRoleArn());
      } else if (crossAccount) {
        Annotations.of(this).addInfo(`Environment '${name}' uses a target of another app: its deploy role must trust ${Stack.of(this).resolve(this.pipelineRoleArn())} (trustedRoleArns) and allow what the environment's actions do (deployPermissions).`);
      }
      // The regional store's bucket and key policies name the target's deploy role, which must exist first.
      const store = crossRegion ? this.regionalStores.get(region) : undefined;
      if (crossAccount && store && target instanceof DeliveryTarget && Stack.of(store) !== Stack.of(target)) Stack.of(store).addDependency(Stack.of(target));
    }
    return {
      name,
      account,
      region,
      crossAccount,
      crossRegion,
      deployRole: crossAccount ? target?.deployRole : undefined,
      cloudFormationExecutionRole: target?.cloudFormationExecutionRole,
      artifactBucket: crossRegion ? this.regionalStores.get(region) : this.artifactBucket,
    };
  }

  /**
   * The pipeline role's ARN as another account's stack can name it. The L2 creates its role
   * without a physical name; it is given a stable generated one the first time another account
   * needs it (the same name on every synth).
   */
  /**
   * The role EventBridge rules of event-driven sources (CodeCommit, S3) assume to start the
   * pipeline, made by the L2: only rules of this account may use it (confused-deputy protection:
   * for EventBridge rule targets aws:SourceArn is the rule's ARN, EventBridge user guide). The rules
   * name the role, so the role names them by pattern, not by ARN (that would be a cycle).
   */
  private narrowEventsRoleTrust(): void {
    const role = this.pipeline.node.tryFindChild('EventsRole');
    if (!(role instanceof iam.Role)) return;
    const stack = Stack.of(this);
    (role.node.defaultChild as iam.CfnRole).addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }) },
    });
  }

  private pipelineRoleArn(): string {
    const role = this.pipeline.role;
    if (!(role instanceof iam.Role) || this.usesOwnRole || !Token.isUnresolved(role.roleName) || role.node.scope !== this.pipeline) return role.roleArn;
    const cfn = role.node.defaultChild as iam.CfnRole;
    // The L2 leaves a token that resolves to nothing when the role has no physical name.
    let name = Stack.of(this).resolve(cfn.roleName) as string | undefined;
    if (name === undefined) {
      name = Names.uniqueResourceName(role, { maxLength: 64, separator: '-' });
      cfn.roleName = name;
    }
    return Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }

  /**
   * Notifies pipeline events (by default: execution failed, approval needed, execution succeeded)
   * to an SNS topic (created encrypted, or passed in), email addresses and other targets such as
   * AWS Chatbot channels, through a CodeStar Notifications rule.
   */
  public addNotifications(props: PipelineNotificationProps = {}): PipelineNotifications {
    checkArgs('DeliveryPipeline#addNotifications', [props]);
    return createNotifications(new Construct(this, `Notifications${this.notificationCount++ || ''}`), this.pipeline, props, `DeliveryPipeline '${this.node.path}' notifications`);
  }

  private placeStage(stageName: string, phases: StagePhase[], options: PlaceOptions): codepipeline.IStage {
    const problems = new Problems(`DeliveryPipeline '${this.node.path}' stage '${stageName}'`);
    checkName(problems, 'stageName', stageName, STAGE_NAME, 'stage');
    checkLiteral(problems, 'stageName', stageName, 'stage');
    if (this.stageNames.includes(stageName)) {
      problems.add('stageName', stageName, 'is already a stage of this pipeline', 'give each stage a unique name');
    }
    const steps = phases.flatMap((p) => p.steps);
    steps.forEach((s, i) => checkLiteral(problems, `steps[${i}].stepName`, s.stepName, 'step'));
    if (steps.length === 0) {
      problems.add('steps', steps, 'is empty; CodePipeline needs at least one action per stage', 'give at least one step');
    }
    checkUnique(problems, steps, 'steps', 'step name', (s) => s.stepName);
    steps.forEach((s, i) => checkName(problems, `steps[${i}].stepName`, s.stepName, ACTION_NAME, 'action'));
    if (this.stageNames.length + 1 > MAX_STAGES) {
      problems.add('stageName', stageName, `would be stage ${this.stageNames.length + 1}; CodePipeline allows at most ${MAX_STAGES} stages per pipeline`, 'merge stages, or split the release into several pipelines');
    }
    steps.forEach((step, i) => {
      const where = DeliveryPipeline.boundSteps.get(step);
      if (where) problems.add(`steps[${i}]`, step.stepName, `is already placed in ${where}`, 'create a new step for each place it runs');
    });
    const conditions = renderConditions(problems, options.conditions, options.defaultFailure, this.pipelineType === codepipeline.PipelineType.V2, this.pipeline.role);
    problems.throwIfAny();

    const stageScope = new Construct(this.stagesScope, stageName);
    const stageProblems = new Problems(`DeliveryPipeline '${this.node.path}' stage '${stageName}'`);
    const stageActions: codepipeline.IAction[] = [];
    const lastRunOrder = new Map<IStep, number>();
    let previous = 0;
    const ordered = phases.map((p) => ({ phase: p, steps: orderSteps(p.steps, p.parallel, stageProblems, steps) }));
    stageProblems.throwIfAny();
    for (const { phase, steps: phaseSteps } of ordered) {
      const phaseStart = previous;
      for (const step of phaseSteps) {
        const after = phase.parallel
          ? Math.max(phaseStart, ...(step.dependsOn ?? []).map((d) => lastRunOrder.get(d) ?? 0))
          : previous;
        const result = step.bind(new Construct(stageScope, step.stepName), {
          stageName,
          runOrder: after + 1,
          pipeline: this.pipeline,
          artifactBucket: this.artifactBucket,
          artifactKey: this.artifactKey,
          pipelineFolder: this.pipelineFolder,
          primaryInput: options.defaultInput ?? this.primaryOutput,
          pipelineType: this.pipelineType,
          environment: options.environments?.get(step),
        });
        DeliveryPipeline.boundSteps.set(step, `stage '${stageName}' of ${this.node.path}`);
        this.placed.push(step);
        if (result.actions.length === 0) {
          throw new DeliveryValidationError(`DeliveryPipeline '${this.node.path}' stage '${stageName}': step '${step.stepName}' produced no action. Fix: a step must return at least one action from bind().`);
        }
        stageActions.push(...result.actions);
        result.actions.forEach((a) => {
          const where = this.elsewhere(a.actionProperties);
          const label = step.label && where ? `${step.label} (${where})` : step.label ?? where;
          if (label) this.labels.set(`${stageName}/${a.actionProperties.actionName}`, label);
        });
        // A step's estimate goes to its last action; its other actions are part of it.
        const byOrder = [...result.actions].sort((x, y) => (x.actionProperties.runOrder ?? 1) - (y.actionProperties.runOrder ?? 1));
        byOrder.forEach((a, k) => this.estimates.set(`${stageName}/${a.actionProperties.actionName}`,
          k === byOrder.length - 1 ? (step.estimate ?? { minutes: 1 }) : { minutes: 0, waitsForPerson: step.estimate?.waitsForPerson }));
        const last = Math.max(...result.actions.map((a) => a.actionProperties.runOrder ?? 1));
        lastRunOrder.set(step, last);
        previous = phase.parallel ? Math.max(previous, last) : last;
      }
    }
    this.checkActions(stageProblems, stageActions);
    stageProblems.throwIfAny();
    this.stageNames.push(stageName);
    const stage = this.pipeline.addStage({ stageName, actions: stageActions, ...conditions });
    this.acceptL2ArtifactGrants();
    for (const environment of new Set(options.environments?.values() ?? [])) {
      const target = environment.deployRole?.node.scope;
      if (target instanceof DeliveryTarget) target._acceptL2Grants();
    }
    return stage;
  }

  /** `<account>/<region>` of an action that runs outside the pipeline's account or region. */
  private elsewhere(p: codepipeline.ActionProperties): string | undefined {
    const here = Stack.of(this);
    const account = actionAccount(p, here.account);
    const region = p.region ?? p.resource?.env.region ?? here.region;
    if (Token.isUnresolved(account) || Token.isUnresolved(region) || (account === here.account && region === here.region)) return undefined;
    return `${account}/${region}`;
  }

  /** Checks the actions a stage's steps produced against CodePipeline's structure rules. */
  private checkActions(problems: Problems, stageActions: codepipeline.IAction[]): void {
    const names = new Set<string>();
    for (const action of stageActions) {
      const p = action.actionProperties;
      checkName(problems, `action '${p.actionName}'`, p.actionName, ACTION_NAME, 'action');
      if (names.has(p.actionName)) {
        problems.add(`action '${p.actionName}'`, p.actionName, 'two actions of the stage have this name', 'give each step (and each action a custom step returns) a unique name');
      }
      names.add(p.actionName);
      const order = p.runOrder ?? 1;
      if (!Number.isInteger(order) || order < 1 || order > MAX_RUN_ORDER) {
        problems.add(`action '${p.actionName}' runOrder`, order, `must be a whole number from 1 to ${MAX_RUN_ORDER}`, 'return actions with a runOrder in that range');
      }
      if (p.variablesNamespace !== undefined && !Token.isUnresolved(p.variablesNamespace)) {
        if (this.namespaces.has(p.variablesNamespace)) {
          problems.add(`action '${p.actionName}' variablesNamespace`, p.variablesNamespace, 'another action of the pipeline already has this variables namespace (CodePipeline rejects it only at deploy time, aws/aws-cdk#6111)', 'give the step a unique name or variablesNamespace (a ChangeSetDeployStep\'s namespace is its name)');
        }
        this.namespaces.add(p.variablesNamespace);
      }
      const account = actionAccount(p, Stack.of(this).account);
      for (const input of p.inputs ?? []) {
        const producer = this.artifactAccounts.get(input.artifactName ?? '');
        const pipelineAccount = Stack.of(this).account;
        if (producer && producer !== pipelineAccount && account !== pipelineAccount && producer !== account && !Token.isUnresolved(account) && !Token.isUnresolved(producer)) {
          problems.add(`action '${p.actionName}' input`, input.artifactName, `is produced in account ${producer} and read in account ${account}; CodePipeline cannot pass an artifact between two accounts that are both not the pipeline's (${pipelineAccount})`, 'produce the artifact in the pipeline\'s account (e.g. with a build step), or read it in the account that produced it');
        }
      }
      for (const output of p.outputs ?? []) {
        const name = output.artifactName ?? '';
        this.artifactAccounts.set(name, account);
        this.addOutputArtifact(problems, `action '${p.actionName}' output`, p.actionName, name);
      }
    }
    if (stageActions.length > MAX_ACTIONS_PER_STAGE) {
      problems.add('steps', `${stageActions.length} actions`, `CodePipeline allows at most ${MAX_ACTIONS_PER_STAGE} actions per stage`, 'split the steps over several stages');
    }
    this.actionCount += stageActions.length;
    if (this.actionCount > MAX_ACTIONS_PER_PIPELINE) {
      problems.add('steps', `${this.actionCount} actions in the pipeline`, `CodePipeline allows at most ${MAX_ACTIONS_PER_PIPELINE} actions per pipeline`, 'split the release into several pipelines');
    }
  }

  /**
   * The CodePipeline L2 grants its pipeline role and the action roles it creates S3 and KMS action
   * families (`s3:GetObject*`, `kms:GenerateDataKey*`, ...) on the artifact bucket and key. They
   * are scoped to this pipeline's artifact store; cdk-nag IAM5 is accepted for exactly those
   * findings on exactly those policies.
   */
  private acceptL2ArtifactGrants(): void {
    const candidates = [
      ...this.pipeline.node.findAll(),
      // Roles steps create for L2 actions (e.g. a CloudFormation action's role): DefaultPolicy/Resource.
      ...this.node.findAll().filter((c) => isMarkedL2ActionRole(c.node.scope?.node.scope)),
    ];
    const ownRolePolicy = this.usesOwnRole ? this.pipeline.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild : undefined;
    if (ownRolePolicy) candidates.push(ownRolePolicy);
    for (const child of candidates) {
      if (!(child instanceof iam.CfnPolicy) || this.acceptedPolicies.has(child)) continue;
      this.acceptedPolicies.add(child);
      acceptL2ActionGrants(child, this.artifactBucket);
      if (child === ownRolePolicy) {
        acceptNagFindings(child, [{
          id: 'AwsSolutions-IAM5',
          reason: 'Grants the CodePipeline L2 makes on the artifact stores of other regions: their artifact objects (keys generated per execution) and their KMS keys, which a stack in another region can only name by alias, so the L2 grants them on "*" here while each key\'s policy grants this account.',
          appliesTo: [{ regex: '/^Resource::arn:[^:]+:s3:::[^/]+\\/\\*$/' }, 'Resource::*'],
        }]);
      }
    }
  }
}

/** The account an action runs in: its resource's, its declared account, or its role's. */
function actionAccount(p: codepipeline.ActionProperties, pipelineAccount: string): string {
  return p.resource?.env.account ?? p.account ?? p.role?.env.account ?? pipelineAccount;
}

function checkUnique<T>(problems: Problems, items: T[], prop: string, what: string, key: (item: T) => string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) {
      problems.add(prop, k, `the ${what} '${k}' is used twice`, `give each a unique ${what}`);
    }
    seen.add(k);
  }
}

/**
 * The order to bind a stage's steps in: as given for a sequential stage (a dependency must come
 * earlier), dependencies first for a parallel one. Reports dependencies outside the stage or in a
 * cycle.
 */
function orderSteps(steps: IStep[], parallel: boolean, problems: Problems, stageSteps: IStep[] = steps): IStep[] {
  const inStage = new Set(stageSteps);
  const inPhase = new Set(steps);
  steps.forEach((step, i) => {
    for (const dep of step.dependsOn ?? []) {
      if (!inStage.has(dep)) {
        problems.add(`steps[${i}].dependsOn`, dep.stepName, `'${step.stepName}' depends on a step that is not in this stage`, 'list the step in the same stage, or drop the dependency (earlier stages always finish first)');
      } else if (!parallel && inPhase.has(dep) && steps.indexOf(dep) > i) {
        problems.add(`steps[${i}].dependsOn`, dep.stepName, `'${step.stepName}' depends on a step listed after it in a sequential stage`, 'list the dependency first, or make the stage parallel');
      }
    }
  });
  if (!parallel) return steps;
  const ordered: IStep[] = [];
  const state = new Map<IStep, 'visiting' | 'done'>();
  const visit = (step: IStep, path: IStep[]): void => {
    if (state.get(step) === 'done') return;
    if (state.get(step) === 'visiting') {
      problems.add('steps', [...path, step].map((s) => s.stepName).join(' -> '), 'the dependencies form a cycle', 'remove one of the dependencies');
      return;
    }
    state.set(step, 'visiting');
    for (const dep of step.dependsOn ?? []) if (inPhase.has(dep)) visit(dep, [...path, step]);
    state.set(step, 'done');
    ordered.push(step);
  };
  steps.forEach((s) => visit(s, []));
  return ordered;
}
