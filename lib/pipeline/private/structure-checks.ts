import { Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { ARTIFACT_FOLDER_LENGTH, artifactFolderName } from '../../core/artifact-folders';
import { IStep } from '../../core/step';
import { PIPELINE_ACTIONS, PIPELINE_STAGES, RUN_ORDER, STAGE_ACTIONS, outside } from '../../private/limits';
import { ACTION_NAME, STAGE_NAME, checkLiteral, checkName } from '../../private/names';
import { Problems, checkUnique } from '../../private/validation';

/** The account an action runs in: its resource's, its declared account, or its role's. */
export function actionAccount(p: codepipeline.ActionProperties, pipelineAccount: string): string {
  return p.resource?.env.account ?? p.account ?? p.role?.env.account ?? pipelineAccount;
}

/**
 * What CodePipeline requires of a pipeline's structure as a whole, checked as stages are added:
 * unique stage and action names, unique variables namespaces, output artifact names (and, with
 * per-step artifact access, their folders), artifacts passed only through the pipeline's account,
 * and the stage and action quotas. One instance per pipeline: it remembers what came before.
 */
export class PipelineStructure {
  /** Names of the stages added so far. */
  public readonly stageNames: string[] = [];
  /** Output artifact names, with the action that outputs each. */
  private readonly outputArtifacts = new Map<string, string>();
  private readonly artifactAccounts = new Map<string, string>();
  private readonly namespaces = new Set<string>();
  private actionCount = 0;
  private static readonly boundSteps = new WeakMap<IStep, string>();

  /**
   * @param pipeline the DeliveryPipeline
   * @param pipelineFolder its folder in the artifact bucket when steps' roles are scoped to their artifacts' folders
   */
  constructor(private readonly pipeline: Construct, private readonly pipelineFolder: string | undefined) {}

  /** Records the source stage. */
  public addSourceStage(stageName: string, actionCount: number): void {
    this.stageNames.push(stageName);
    this.actionCount += actionCount;
  }

  /**
   * Records an output artifact. Names must be unique in the pipeline; with per-step artifact
   * access they must also differ in their first 10 characters, because CodePipeline keeps each
   * artifact in a folder named after them and the steps' roles are scoped to those folders.
   */
  public addOutputArtifact(problems: Problems, prop: string, actionName: string, name: string): void {
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

  /** Checks a stage before its steps are bound: its name, its steps' names, and that each step is placed once. */
  public checkStage(problems: Problems, stageName: string, steps: IStep[]): void {
    checkName(problems, 'stageName', stageName, STAGE_NAME, 'stage');
    checkLiteral(problems, 'stageName', stageName, 'stage');
    if (this.stageNames.includes(stageName)) {
      problems.add('stageName', stageName, 'is already a stage of this pipeline', 'give each stage a unique name');
    }
    steps.forEach((s, i) => checkLiteral(problems, `steps[${i}].stepName`, s.stepName, 'step'));
    if (steps.length === 0) {
      problems.add('steps', steps, 'is empty; CodePipeline needs at least one action per stage', 'give at least one step');
    }
    checkUnique(problems, steps, 'steps', 'step name', (s) => s.stepName,
      "give each step of the stage a unique name (a wave's environments share one stage): a BuildStep's name is its first argument, a deploy step's is deployStep({ ..., stepName: 'DeployEu' })");
    steps.forEach((s, i) => checkName(problems, `steps[${i}].stepName`, s.stepName, ACTION_NAME, 'action'));
    if (this.stageNames.length + 1 > PIPELINE_STAGES.max) {
      problems.add('stageName', stageName, `would be stage ${this.stageNames.length + 1}; CodePipeline allows at most ${PIPELINE_STAGES.max} stages per pipeline`, 'merge stages, or split the release into several pipelines');
    }
    steps.forEach((step, i) => {
      const where = PipelineStructure.boundSteps.get(step);
      if (where) problems.add(`steps[${i}]`, step.stepName, `is already placed in ${where}`, 'create a new step for each place it runs');
    });
  }

  /** Records that a step is placed in a stage of this pipeline. */
  public placed(step: IStep, stageName: string): void {
    PipelineStructure.boundSteps.set(step, `stage '${stageName}' of ${this.pipeline.node.path}`);
  }

  /** Checks the actions a stage's steps produced against CodePipeline's structure rules. */
  public checkActions(problems: Problems, stageActions: codepipeline.IAction[]): void {
    const names = new Set<string>();
    const pipelineAccount = Stack.of(this.pipeline).account;
    for (const action of stageActions) {
      const p = action.actionProperties;
      checkName(problems, `action '${p.actionName}'`, p.actionName, ACTION_NAME, 'action');
      if (names.has(p.actionName)) {
        problems.add(`action '${p.actionName}'`, p.actionName, 'two actions of the stage have this name', 'give each step (and each action a custom step returns) a unique name');
      }
      names.add(p.actionName);
      const order = p.runOrder ?? 1;
      if (!Number.isInteger(order) || outside(order, RUN_ORDER)) {
        problems.add(`action '${p.actionName}' runOrder`, order, `must be a whole number from ${RUN_ORDER.min} to ${RUN_ORDER.max}`, 'return actions with a runOrder in that range');
      }
      if (p.variablesNamespace !== undefined && !Token.isUnresolved(p.variablesNamespace)) {
        if (this.namespaces.has(p.variablesNamespace)) {
          problems.add(`action '${p.actionName}' variablesNamespace`, p.variablesNamespace, 'another action of the pipeline already has this variables namespace (CodePipeline rejects it only at deploy time, aws/aws-cdk#6111)', 'give the step a unique name or variablesNamespace (a ChangeSetDeployStep\'s namespace is its name)');
        }
        this.namespaces.add(p.variablesNamespace);
      }
      const account = actionAccount(p, pipelineAccount);
      for (const input of p.inputs ?? []) {
        const producer = this.artifactAccounts.get(input.artifactName ?? '');
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
    if (stageActions.length > STAGE_ACTIONS.max) {
      problems.add('steps', `${stageActions.length} actions`, `CodePipeline allows at most ${STAGE_ACTIONS.max} actions per stage`, 'split the steps over several stages');
    }
    this.actionCount += stageActions.length;
    if (this.actionCount > PIPELINE_ACTIONS.max) {
      problems.add('steps', `${this.actionCount} actions in the pipeline`, `CodePipeline allows at most ${PIPELINE_ACTIONS.max} actions per pipeline`, 'split the release into several pipelines');
    }
  }

  /** Records a stage once it passed the checks. */
  public recordStage(stageName: string): void {
    this.stageNames.push(stageName);
  }
}
