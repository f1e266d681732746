import { Annotations, PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IStep, StepActions, StepEnvironment, StepEstimate } from '../core/step';
import { pipelineFolder } from '../core/artifact-folders';
import { namedWhenReferencedElsewhere } from '../private/generated-names';
import { acceptLibraryFindings } from '../private/nag';
import { ScopedKmsRole } from '../private/scoped-kms-role';
import { PIPELINE_STAGES } from '../private/limits';
import { Problems, checkUnique, fail, verbatim } from '../private/validation';
import { ISource } from '../source/source';
import { checkArgs, constructorOf } from '../private/shapes';
import { ArtifactAccess } from './artifact-access';
import { createArtifactStore } from './artifact-store';
import { DeliveryPipelineProps } from './delivery-pipeline-props';
import { DeliveryTarget } from './delivery-target';
import { DeliveryStageOptions, EnvironmentOptions, WaveOptions } from './environment';
import { PipelineEstimate } from './estimate';
import { renderMermaid } from './private/diagram';
import { estimateRun } from './private/estimate-run';
import { PipelineStage, pipelineProperties, stagesOf } from '../checks/model/pipeline-template';
import { PipelineNotificationOptions, PipelineNotifications, createNotifications } from './notifications';
import { FailureBehavior, StageConditionOptions, renderConditions } from './stage-conditions';
import { PipelineVariable } from './pipeline-variable';
import { SelfUpdateStep } from './self-update';
import { StagePhase, checkEnvironment, environmentPhases, environmentsOf, resolveEnvironment } from './private/environments';
import { L2GrantAcceptance, narrowEventsRoleTrust, pipelineRoleArn } from './private/pipeline-role';
import { addRegionalStore, checkRegionalStores, regionalStores } from './private/regional-stores';
import { placeSteps } from './private/stage-placement';
import { PipelineStructure, actionAccount } from './private/structure-checks';
import { checkRules, checkVariableReferences } from './private/synth-validation';
import { checkPipelineProps } from './private/validate-props';

interface PlaceOptions {
  readonly conditions: StageConditionOptions;
  readonly defaultFailure: FailureBehavior;
  readonly defaultInput?: codepipeline.Artifact;
  readonly environments?: Map<IStep, StepEnvironment>;
}

const DEFAULT_RETENTION_DAYS = 30;

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

  /** The pipeline's name, when given (`pipelineName`). */
  public readonly pipelineName?: string;

  private readonly placed: IStep[] = [];
  private notificationCount = 0;
  private readonly labels = new Map<string, string>();
  private readonly estimates = new Map<string, StepEstimate>();
  /** The pipeline's folder in the artifact bucket, when steps scope their roles to their artifacts' folders. */
  private readonly pipelineFolder?: string;
  private readonly structure: PipelineStructure;
  private readonly l2Grants: L2GrantAcceptance;
  private readonly stagesScope: Construct;
  private readonly regionalStores: Map<string, s3.IBucket>;
  private readonly usesOwnRole: boolean;
  private readonly retentionDays: number;

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
    const here = Stack.of(this);
    const days = props.artifactRetentionDays ?? DEFAULT_RETENTION_DAYS;

    checkPipelineProps(problems, props, sources, executionMode);
    this.pipelineFolder = (props.artifactAccess ?? ArtifactAccess.OWN_ARTIFACTS) === ArtifactAccess.OWN_ARTIFACTS
      ? pipelineFolder(props.pipelineName)
      : undefined;
    this.structure = new PipelineStructure(this, this.pipelineFolder);
    // Repeated names are reported above; each name is recorded once.
    sources.filter((s, i) => sources.findIndex((o) => o.output.artifactName === s.output.artifactName) === i)
      .forEach((s) => this.structure.addOutputArtifact(problems, `source '${s.actionName}' output`, s.actionName, s.output.artifactName ?? ''));
    checkRegionalStores(problems, here, props);
    problems.throwIfAny();

    if (props.artifactBucket) {
      this.artifactBucket = props.artifactBucket;
      this.artifactKey = props.artifactBucket.encryptionKey;
      if (!this.artifactKey) {
        Annotations.of(this).addWarningV2('cdk-delivery:artifact-bucket-without-key',
          'The artifact bucket passed in has no customer-managed KMS key known to CDK: builds cannot encrypt artifacts with your key and cross-account deployments are impossible. Pass a bucket created with encryptionKey, or let the pipeline create one.');
      }
    } else {
      const store = createArtifactStore(this, { key: props.artifactKey, retentionDays: days, accessLogsBucket: props.accessLogsBucket });
      this.artifactBucket = store.bucket;
      this.artifactKey = store.key;
      this.accessLogsBucket = store.accessLogsBucket;
      namedWhenReferencedElsewhere(this, 'its artifact bucket');
    }

    this.variables = [...(props.variables ?? [])];
    this.pipelineType = pipelineType;
    this.pipelineName = props.pipelineName;
    this.retentionDays = days;
    this.regionalStores = regionalStores(this, props, days);
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
      restartExecutionOnUpdate: props.restartExecutionOnUpdate ?? (props.selfUpdate === true),
      role,
      variables: this.variables.length > 0 ? this.variables.map((v) => v._toL2()) : undefined,
    });

    this.sources = [...sources];
    const sourcesScope = new Construct(this, 'Sources');
    const configs = sources.map((s) => s.bind(new Construct(sourcesScope, s.actionName), this.pipeline));
    const filtered = sources.filter((_, i) => configs[i].trigger !== undefined);
    if (pipelineType === codepipeline.PipelineType.V1 && filtered.length > 0) {
      fail(`DeliveryPipeline '${this.node.path}'`, 'pipelineType', 'V1', `source '${filtered[0].actionName}' has trigger filters, which need a V2 pipeline`, 'remove pipelineType (V2 is the default) or remove the filters');
    }
    this.pipeline.addStage({ stageName: sourceStageName, actions: configs.map((c) => c.action) });
    this.structure.addSourceStage(sourceStageName, sources.length);
    for (const config of configs) {
      if (config.trigger) this.pipeline.addTrigger(config.trigger);
    }

    this.l2Grants = new L2GrantAcceptance(this, this.pipeline, this.artifactBucket, () => this.regionalStores.size > 0);
    this.l2Grants.acceptNew();
    narrowEventsRoleTrust(this.pipeline);
    this.stagesScope = new Construct(this, 'Stages');
    if (props.selfUpdate) {
      this.addStage('UpdatePipeline', { steps: [new SelfUpdateStep(here, props.selfUpdateOptions)] });
    }
    if (props.buildStep) {
      this.addStage(props.buildStageName ?? 'Build', { steps: [props.buildStep] });
    }
    if (props.tests && props.tests.length > 0) {
      this.addStage(props.testStageName ?? 'Test', {
        steps: props.tests,
        parallel: true,
        // A step whose output holds no code to test (a Docker build's) says so: tests read the source then.
        defaultInput: (props.buildStep?.testsReadOutput === false ? undefined : props.buildStep?.output) ?? this.primaryOutput,
      });
    }

    this.node.addValidation({
      validate: () => {
        const synthProblems = new Problems(`DeliveryPipeline '${this.node.path}'`);
        if (this.structure.stageNames.length < PIPELINE_STAGES.min) {
          synthProblems.add('stages', verbatim(`only the '${sourceStageName}' stage`), `CodePipeline needs at least ${PIPELINE_STAGES.min} stages`, 'pass buildStep, or call addStage(...)');
        }
        checkVariableReferences(synthProblems, this.pipeline);
        checkRules(synthProblems, this);
        return synthProblems.messages();
      },
    });
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
    const stages = this.templateStages();
    const labels = new Map(this.labels);
    this.sources.forEach((source) => {
      if (source.label) labels.set(`${stages[0]?.Name}/${source.actionName}`, source.label);
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
    return estimateRun(this.templateStages(), this.estimates, this.pipelineType === codepipeline.PipelineType.V2);
  }

  /** The pipeline's stages as its template holds them. */
  private templateStages(): PipelineStage[] {
    return stagesOf(pipelineProperties(this.pipeline.node.defaultChild as codepipeline.CfnPipeline));
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
  public addStage(stageName: string, options: DeliveryStageOptions): codepipeline.IStage {
    checkArgs('DeliveryPipeline#addStage', [stageName, options]);
    return this.placeStage(stageName, [{ steps: options?.steps ?? [], parallel: options?.parallel ?? false }], {
      conditions: options?.conditions ?? {},
      defaultFailure: FailureBehavior.FAIL,
      defaultInput: options?.defaultInput,
    });
  }

  /**
   * Adds an environment: a stage with an approval (required before production unless waived), steps
   * before the deployment, the deployments in parallel, and steps after them (smoke tests). On a V2
   * pipeline the stage rolls back when it fails, unless told otherwise.
   *
   * @param name name of the stage
   */
  public addEnvironment(name: string, options: EnvironmentOptions): codepipeline.IStage {
    checkArgs('DeliveryPipeline#addEnvironment', [name, options]);
    const problems = new Problems(`DeliveryPipeline '${this.node.path}' environment '${name}'`);
    checkEnvironment(problems, '', options);
    const environment = resolveEnvironment(this.environmentHost(), problems, '', name, options);
    problems.throwIfAny();
    return this.placeStage(name, environmentPhases([options]), {
      conditions: options,
      defaultFailure: this.pipelineType === codepipeline.PipelineType.V2 ? FailureBehavior.ROLLBACK : FailureBehavior.FAIL,
      environments: environmentsOf([[options, environment]]),
    });
  }

  /**
   * Adds a wave: several environments deployed in parallel in one stage (e.g. production in two
   * regions). The wave's approval and the environments' approvals run first, then their
   * before-steps, deployments and after-steps, each group in parallel. Step names must be unique
   * across the wave.
   *
   * @param name name of the stage
   */
  public addWave(name: string, options: WaveOptions): codepipeline.IStage {
    checkArgs('DeliveryPipeline#addWave', [name, options]);
    const problems = new Problems(`DeliveryPipeline '${this.node.path}' wave '${name}'`);
    if (!options.environments || options.environments.length === 0) {
      problems.add('environments', options.environments, 'is empty', 'give at least one environment');
    }
    (options.environments ?? []).forEach((e, i) => checkEnvironment(problems, `environments[${i}].`, e, options.approval !== undefined));
    checkUnique(problems, options.environments ?? [], 'environments', 'environment name', (e) => e.name);
    const host = this.environmentHost();
    const resolved = (options.environments ?? []).map((e, i): [EnvironmentOptions, StepEnvironment] => [e, resolveEnvironment(host, problems, `environments[${i}].`, e.name, e)]);
    problems.throwIfAny();
    return this.placeStage(name, environmentPhases(options.environments, options.approval), {
      conditions: options,
      defaultFailure: this.pipelineType === codepipeline.PipelineType.V2 ? FailureBehavior.ROLLBACK : FailureBehavior.FAIL,
      environments: environmentsOf(resolved),
    });
  }

  /**
   * Notifies pipeline events (by default: execution failed, approval needed, execution succeeded)
   * to an SNS topic (created encrypted, or passed in), email addresses and other targets such as
   * AWS Chatbot channels, through a CodeStar Notifications rule.
   */
  public addNotifications(options: PipelineNotificationOptions = {}): PipelineNotifications {
    checkArgs('DeliveryPipeline#addNotifications', [options]);
    // Each set of notifications has its own scope and rule: e.g. failures to a chat channel, approvals by email.
    const n = this.notificationCount++;
    return createNotifications(new Construct(this, `Notifications${n || ''}`), this.pipeline, options, `DeliveryPipeline '${this.node.path}' notifications`, `Rule${n || ''}`);
  }

  private environmentHost() {
    return {
      scope: this,
      pipeline: this.pipeline,
      artifactBucket: this.artifactBucket,
      artifactKey: this.artifactKey,
      storeFor: (region: string) => this.regionalStores.get(region) ?? addRegionalStore(this, this.pipeline, this.regionalStores, region, this.retentionDays),
      usesOwnRole: this.usesOwnRole,
      pipelineRoleArn: () => pipelineRoleArn(this.pipeline, this.usesOwnRole),
    };
  }

  private placeStage(stageName: string, phases: StagePhase[], options: PlaceOptions): codepipeline.IStage {
    const subject = `DeliveryPipeline '${this.node.path}' stage '${stageName}'`;
    const problems = new Problems(subject);
    this.structure.checkStage(problems, stageName, phases.flatMap((p) => p.steps));
    const conditions = renderConditions(problems, options.conditions, options.defaultFailure, this.pipelineType === codepipeline.PipelineType.V2, this.pipeline, this.pipelineName);
    problems.throwIfAny();

    const stageScope = new Construct(this.stagesScope, stageName);
    const stageProblems = new Problems(subject);
    // Until a step of the stage has produced an artifact, every artifact a step reads comes from an
    // earlier stage: inert actions (publishing assets) may then start with the stage.
    let produced = false;
    const placed = placeSteps(phases, stageProblems, (step, runOrder) => {
      const result = this.bindStep(stageScope, stageName, step, runOrder, options, produced ? runOrder : 1);
      produced ||= step.output !== undefined || result.actions.some((a) => a.actionProperties.outputs && a.actionProperties.outputs.length > 0);
      return result;
    });
    const stageActions = placed.flatMap((p) => p.actions);
    this.structure.checkActions(stageProblems, stageActions);
    stageProblems.throwIfAny();
    this.structure.recordStage(stageName);
    const stage = this.pipeline.addStage({ stageName, actions: stageActions, ...conditions });
    this.l2Grants.acceptNew();
    for (const environment of new Set(options.environments?.values() ?? [])) {
      const target = environment.deployRole?.node.scope;
      if (target instanceof DeliveryTarget) target._acceptL2Grants();
    }
    return stage;
  }

  /** Binds one step of a stage, and records its labels and estimate for the diagram and the estimate. */
  private bindStep(stageScope: Construct, stageName: string, step: IStep, runOrder: number, options: PlaceOptions, earliestRunOrder: number): StepActions {
    const result = step.bind(new Construct(stageScope, step.stepName), {
      stageName,
      runOrder,
      earliestRunOrder,
      pipeline: this.pipeline,
      artifactBucket: this.artifactBucket,
      artifactKey: this.artifactKey,
      pipelineFolder: this.pipelineFolder,
      primaryInput: options.defaultInput ?? this.primaryOutput,
      pipelineType: this.pipelineType,
      environment: options.environments?.get(step),
    });
    this.structure.placed(step, stageName);
    this.placed.push(step);
    if (result.actions.length === 0) {
      fail(`DeliveryPipeline '${this.node.path}' stage '${stageName}'`, 'steps', step.stepName, `step '${step.stepName}' produced no action`, 'a step must return at least one action from bind()');
    }
    result.actions.forEach((a) => {
      const where = this.elsewhere(a.actionProperties);
      const own = result.actionLabels?.find((l) => l.actionName === a.actionProperties.actionName)?.label ?? step.label;
      const label = own && where ? `${own} (${where})` : own ?? where;
      if (label) this.labels.set(`${stageName}/${a.actionProperties.actionName}`, label);
    });
    // A step's estimate goes to its last action; its other actions are part of it.
    const byOrder = [...result.actions].sort((x, y) => (x.actionProperties.runOrder ?? 1) - (y.actionProperties.runOrder ?? 1));
    byOrder.forEach((a, k) => this.estimates.set(`${stageName}/${a.actionProperties.actionName}`,
      k === byOrder.length - 1 ? (step.estimate ?? { minutes: 1 }) : { minutes: 0, waitsForPerson: step.estimate?.waitsForPerson }));
    return result;
  }

  /** `<account>/<region>` of an action that runs outside the pipeline's account or region. */
  private elsewhere(p: codepipeline.ActionProperties): string | undefined {
    const here = Stack.of(this);
    const account = actionAccount(p, here.account);
    const region = p.region ?? p.resource?.env.region ?? here.region;
    if (Token.isUnresolved(account) || Token.isUnresolved(region) || (account === here.account && region === here.region)) return undefined;
    return `${account}/${region}`;
  }
}
