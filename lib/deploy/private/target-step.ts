import { Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { IStep, StepActions, StepContext, StepEnvironment, StepEstimate } from '../../core/step';
import { noteGeneratedNames } from '../../private/generated-names';
import { ACTION_NAME, checkName } from '../../private/names';
import { Problems, differentLiterals, fail, verbatim } from '../../private/validation';

/** What a deploy target's step declares about itself. */
export interface TargetStepOptions {
  /** The step's name; the action's name. */
  readonly stepName: string;
  /** A short description for diagrams. */
  readonly label: string;
  /** What one run is expected to take. */
  readonly estimate: StepEstimate;
  /** Options every run needs, as `[prop, value, fix]`: each missing one is reported. */
  readonly required: ReadonlyArray<readonly [string, unknown, string]>;
  /** Further checks of the options, run after the name's. */
  readonly check?: (problems: Problems) => void;
  /**
   * Notes the target's CodeDeploy application and group get generated names when a pipeline in
   * another account or region refers to them.
   *
   * @default true
   */
  readonly notesGeneratedNames?: boolean;
}

/**
 * The pipeline step of a deploy target (a construct in the target's stack, such as an
 * `EcsBlueGreenDeployment`): checks its options when it is made, and when it is bound checks
 * that the target lives where the step is placed (the environment's account and region, or the
 * pipeline's), notes the names that get generated, then makes its actions. A new deploy target
 * writes only `actions`.
 */
export abstract class TargetStep<T extends Construct> implements IStep {
  public readonly stepName: string;
  public readonly label: string;
  public readonly estimate: StepEstimate;
  /** `<Kind> '<path>' deployStep`: the subject of the step's errors. */
  protected readonly subject: string;
  private readonly notesGeneratedNames: boolean;

  /**
   * @param kind the target's class name, e.g. 'EcsBlueGreenDeployment'
   * @param target the deploy target
   */
  protected constructor(protected readonly kind: string, protected readonly target: T, options: TargetStepOptions) {
    this.subject = `${kind} '${target.node.path}' deployStep`;
    const problems = new Problems(this.subject);
    this.stepName = options.stepName;
    this.label = options.label;
    this.estimate = options.estimate;
    this.notesGeneratedNames = options.notesGeneratedNames ?? true;
    checkName(problems, 'stepName', this.stepName, ACTION_NAME, 'action');
    options.check?.(problems);
    for (const [prop, value, fix] of options.required) {
      if (!value) problems.add(prop, undefined, 'is required', fix);
    }
    problems.throwIfAny();
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const environment = targetEnvironment(this.subject, this.target, context);
    if (this.notesGeneratedNames) noteTargetNames(this.target, `${this.kind} '${this.target.node.path}'`, environment);
    return this.actions(scope, context, environment);
  }

  /**
   * The step's actions.
   *
   * @param environment the environment the step is placed in, whose account and region are the target's
   */
  protected abstract actions(scope: Construct, context: StepContext, environment: StepEnvironment | undefined): StepActions;
}

/**
 * Checks that a deploy target lives in the account and region of the environment its step is
 * placed in (the pipeline's, outside environments), and returns that environment.
 *
 * @param subject the deploy step, e.g. `ServerDeployment 'App/Web' deployStep`
 * @param target a construct in the target's stack
 */
export function targetEnvironment(subject: string, target: IConstruct, context: StepContext): StepEnvironment | undefined {
  const there = Stack.of(target);
  const pipelineStack = Stack.of(context.pipeline);
  const env = context.environment;
  const account = env?.account ?? pipelineStack.account;
  const region = env?.region ?? pipelineStack.region;
  if ((env?.crossAccount || env?.crossRegion) && (Token.isUnresolved(there.account) || Token.isUnresolved(there.region))) {
    fail(subject, 'deployment', Token.isUnresolved(there.account) ? there.account : there.region, `the target's stack has no literal account and region, but environment '${env.name}' deploys to ${account}/${region}`,
      `create the target's stack with env: { account: '${account}', region: '${region}' }`);
  }
  if (differentLiterals(there.account, account) || differentLiterals(there.region, region)) {
    const where = env ? `environment '${env.name}' (${account}/${region}), where the step is placed` : `the pipeline (${account}/${region}), where a step outside an environment runs`;
    const fix = env
      ? `place the step in the environment of ${there.account}/${there.region}, or give environment '${env.name}' env: { account: '${there.account}', region: '${there.region}' }`
      : `place the step with addEnvironment(name, { env: { account: '${there.account}', region: '${there.region}' }, deploy: [step] })`;
    fail(subject, 'deployment', verbatim(`${there.account}/${there.region}`), `the target's account and region are not those of ${where}`, fix);
  }
  return env;
}

/**
 * Says which of a deploy target's resources get generated names because a pipeline in another
 * account or region refers to them (its CodeDeploy application and group).
 */
export function noteTargetNames(target: IConstruct, subject: string, environment: StepEnvironment | undefined): void {
  if (!environment?.crossAccount && !environment?.crossRegion) return;
  noteGeneratedNames(target, subject, `the pipeline of environment '${environment.name}' (${environment.account}/${environment.region} is another ${environment.crossAccount ? 'account' : 'region'} than the pipeline's)`,
    'a new deployment group\'s deployment history starts empty');
}
