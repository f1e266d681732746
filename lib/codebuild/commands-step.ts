import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../core/step';
import { MODEL } from '../private/estimate-model';
import { commandProblems, grantPipelineLogs, requirePipelineName } from '../private/commands';
import { COMMANDS_ACTION_MINUTES, COMMANDS_INPUTS, COMMANDS_OUTPUT_FILES, COMMANDS_OUTPUT_VARIABLES, outside } from '../private/limits';
import { ACTION_NAME, VARIABLE_NAME, checkName, toNamespace } from '../private/names';
import { checkArgs, constructorOf } from '../private/shapes';
import { Problems, checkUnique, fail, isConcrete } from '../private/validation';
import { GrantingAction } from '../private/granting-action';
import { primaryOutputName } from './private/buildspec-model';
import { grantOwnArtifacts } from './private/own-artifacts';

/** Compute of a commands step (CodePipeline's Commands action runs on Linux). */
export enum CommandsCompute {
  /** 2 vCPUs, 3 GiB (BUILD_GENERAL1_SMALL). */
  SMALL = 'BUILD_GENERAL1_SMALL',
  /** 4 vCPUs, 7 GiB (BUILD_GENERAL1_MEDIUM). */
  MEDIUM = 'BUILD_GENERAL1_MEDIUM',
  /** 8 vCPUs, 15 GiB (BUILD_GENERAL1_LARGE). */
  LARGE = 'BUILD_GENERAL1_LARGE',
}

/** Props of a `CommandsStep`. */
export interface CommandsStepProps {
  /**
   * Shell commands, each on one line (1 to 50, at most 1,000 characters each). They may hold
   * variable references such as `#{Deploy.ServiceUrl}`, which CodePipeline resolves first.
   */
  readonly commands: string[];

  /**
   * The artifact the commands run in.
   *
   * @default - the stage's default input (the build output for tests, else the primary source)
   */
  readonly input?: codepipeline.Artifact;

  /**
   * More artifacts the commands read (at most 9), in directories CodeBuild names
   * `CODEBUILD_SRC_DIR_<artifact name>`.
   *
   * @default - none
   */
  readonly extraInputs?: codepipeline.Artifact[];

  /**
   * Files the step keeps as its output artifact (`step.output`): 1 to 10 patterns such as
   * `dist/**`.
   *
   * @default - no output
   */
  readonly outputs?: string[];

  /**
   * Environment variables the step exports as its variables (1 to 15), read by later actions with
   * `step.exportedVariable(name)`.
   *
   * @default - none
   */
  readonly exportedVariables?: string[];

  /**
   * The compute the commands run on.
   *
   * @default CommandsCompute.SMALL
   */
  readonly compute?: CommandsCompute;

  /**
   * Minutes the commands are expected to take, for the pipeline's estimate (CodePipeline stops
   * them after 55).
   *
   * @default 2
   */
  readonly expectedMinutes?: number;

  /**
   * Steps of the same stage this step runs after (in a parallel stage).
   *
   * @default - none
   */
  readonly dependsOn?: IStep[];
}

/** Output variable names of the Commands action (OutputVariableList), and of a shell variable. */
const OUTPUT_VARIABLE = VARIABLE_NAME;
const SHELL_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Runs shell commands in CodePipeline's Commands action: CodePipeline's own CodeBuild compute,
 * with no CodeBuild project, log group or role of yours to manage (V2 pipelines). For quick
 * checks, tests and scripts; a `BuildStep` when you need a buildspec, caching, reports, secrets,
 * a VPC or Docker. The commands log to the pipeline's log group
 * (`/aws/codepipeline/<pipeline name>`, so the pipeline needs a `pipelineName`); the action's role
 * may write only that group, read only its inputs' folders and write only its output's, and use
 * the artifact key. Like a `BuildStep`, it runs in the pipeline's account and region, also in an
 * environment of another account (a smoke test of a URL, say).
 */
export class CommandsStep implements IStep {
  public readonly stepName: string;
  /** The files the step keeps, when `outputs` is given. */
  public readonly output?: codepipeline.Artifact;
  /** Variables namespace of the action (its variables are `exportedVariables`). */
  public readonly variablesNamespace?: string;
  /** Steps of the same stage this step runs after. */
  public readonly dependsOn?: IStep[];
  /** A short description for diagrams. */
  public readonly label?: string;
  /** What one run of the step is expected to take. */
  public readonly estimate?: StepEstimate;
  private readonly props: CommandsStepProps;

  /** @param name the step's name, used as its action name */
  constructor(name: string, props: CommandsStepProps) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`CommandsStep '${name}'`);
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    for (const [prop, value, problem, fix] of commandProblems(props.commands ?? [], 'the Commands action')) problems.add(prop, value, problem, fix);
    if (props.input && (props.extraInputs ?? []).includes(props.input)) problems.add('extraInputs', props.input.artifactName, 'repeats input', 'give each artifact once');
    checkUnique(problems, props.extraInputs ?? [], 'extraInputs', 'artifact', (a) => a.artifactName ?? '');
    const inputs = 1 + (props.extraInputs ?? []).length;
    if (inputs > COMMANDS_INPUTS.max) {
      problems.add('extraInputs', `${inputs - 1} artifacts`, `the Commands action reads at most ${COMMANDS_INPUTS.max} artifacts, the input included`, `keep at most ${COMMANDS_INPUTS.max - 1} extra inputs`);
    }
    if (props.outputs !== undefined) {
      if (outside(props.outputs.length, COMMANDS_OUTPUT_FILES)) {
        problems.add('outputs', `${props.outputs.length} patterns`, `an output artifact takes ${COMMANDS_OUTPUT_FILES.min} to ${COMMANDS_OUTPUT_FILES.max} file patterns`, "give the files to keep, e.g. ['dist/**'], or leave outputs out");
      }
      props.outputs.forEach((o, i) => {
        if (isConcrete(o) && (o.trim() === '' || o.length > 128)) problems.add(`outputs[${i}]`, o, 'must be 1 to 128 characters', 'give a file pattern such as dist/**');
      });
    }
    const exported = props.exportedVariables ?? [];
    if (props.exportedVariables !== undefined && outside(exported.length, COMMANDS_OUTPUT_VARIABLES)) {
      problems.add('exportedVariables', `${exported.length} variables`, `the Commands action exports ${COMMANDS_OUTPUT_VARIABLES.min} to ${COMMANDS_OUTPUT_VARIABLES.max}`, 'export at most 15, or leave exportedVariables out');
    }
    exported.forEach((v, i) => {
      checkName(problems, `exportedVariables[${i}]`, v, OUTPUT_VARIABLE, 'variable');
      // The commands export shell variables: a name the shell cannot hold is never exported.
      if (isConcrete(v) && OUTPUT_VARIABLE.pattern.test(v) && !SHELL_VARIABLE.test(v)) {
        problems.add(`exportedVariables[${i}]`, v, 'is not a shell variable name, so the commands can never export it', 'start with a letter or _, then letters, digits and _ only');
      }
    });
    checkUnique(problems, exported, 'exportedVariables', 'variable', (v) => v);
    const minutes = props.expectedMinutes ?? 2;
    if (typeof minutes === 'number' && (!(minutes > 0) || minutes > COMMANDS_ACTION_MINUTES.max)) {
      problems.add('expectedMinutes', minutes, `must be more than 0 and at most ${COMMANDS_ACTION_MINUTES.max} (CodePipeline stops the commands after ${COMMANDS_ACTION_MINUTES.max} minutes)`, 'give what the commands take, or use a BuildStep for longer work');
    }
    problems.throwIfAny();
    this.stepName = name;
    this.props = props;
    this.dependsOn = props.dependsOn ? [...props.dependsOn] : undefined;
    this.output = props.outputs ? new codepipeline.Artifact(primaryOutputName(name), props.outputs) : undefined;
    this.variablesNamespace = exported.length > 0 ? toNamespace(name) : undefined;
    const compute = props.compute ?? CommandsCompute.SMALL;
    this.label = 'Commands';
    this.estimate = { minutes: MODEL.provisioning + minutes, buildMinutes: MODEL.provisioning + minutes, computeType: compute };
  }

  /**
   * A variable the commands export, as a reference later actions use: `#{namespace.NAME}`.
   *
   * @param name one of `exportedVariables`
   */
  public exportedVariable(name: string): string {
    checkArgs('CommandsStep#exportedVariable', [name]);
    if (!(this.props.exportedVariables ?? []).includes(name)) {
      fail(`CommandsStep '${this.stepName}'`, 'exportedVariable', name, `'${name}' is not exported by this step`, `add it to exportedVariables (exported: ${(this.props.exportedVariables ?? []).join(', ') || 'none'})`);
    }
    return `#{${this.variablesNamespace}.${name}}`;
  }

  public bind(_scope: Construct, context: StepContext): StepActions {
    const subject = `CommandsStep '${this.stepName}'`;
    if (context.pipelineType !== codepipeline.PipelineType.V2) {
      fail(subject, 'pipelineType', context.pipelineType, 'the Commands action runs only in V2 pipelines', 'remove pipelineType from the pipeline (V2 is the default), or use a BuildStep');
    }
    const pipelineName = requirePipelineName(context.pipeline, subject, 'the commands');
    const input = this.props.input ?? context.primaryInput;
    const inputs = [input, ...(this.props.extraInputs ?? [])];
    if ((this.props.extraInputs ?? []).includes(input)) fail(subject, 'extraInputs', input.artifactName, 'repeats the stage\'s default input, which the step reads already', 'remove it from extraInputs');
    return {
      actions: [new GrantingAction({
        actionName: this.stepName,
        category: codepipeline.ActionCategory.COMPUTE,
        provider: 'Commands',
        artifactBounds: { minInputs: COMMANDS_INPUTS.min, maxInputs: COMMANDS_INPUTS.max, minOutputs: 0, maxOutputs: 1 },
        inputs,
        outputs: this.output ? [this.output] : undefined,
        runOrder: context.runOrder,
        variablesNamespace: this.variablesNamespace,
        commands: this.props.commands,
        outputVariables: this.props.exportedVariables,
      }, (role) => {
        // Exact grants: the L2's CommandsAction grants the whole artifact bucket and renders no compute type.
        grantPipelineLogs(role, pipelineName, 'The streams of the pipeline\'s own log group, where the Commands action logs: CodePipeline names them per run.');
        grantOwnArtifacts(role, context, inputs, this.output ? [this.output] : []);
        return { ComputeType: this.props.compute ?? CommandsCompute.SMALL };
      })],
    };
  }
}
