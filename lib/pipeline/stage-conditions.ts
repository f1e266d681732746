import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { commandProblems, grantPipelineLogs } from '../private/commands';
import { CONDITION_RULES, RULE_VALUE_LENGTH, SKIP_RULE_PROVIDERS } from '../private/limits';
import { Problems, isConcrete } from '../private/validation';
import { correctedCron, cronProblems, timeZoneProblem } from '../private/deployment-window';
import { checkArgs } from '../private/shapes';

/** Options of an alarm rule. */
export interface AlarmRuleOptions {
  /**
   * How long the rule waits for the alarm to change state before it decides (whole minutes).
   *
   * @default - decide at once
   */
  readonly waitTime?: Duration;
}

/** Options of a deployment-window rule. */
export interface DeploymentWindowOptions {
  /**
   * IANA time zone of the cron expression, e.g. `Europe/Paris`.
   *
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/** How a variable-check rule compares the variable with the value. */
export enum VariableOperator {
  /** The variable equals the value. */
  EQUALS = 'EQ',
  /** The variable does not equal the value. */
  NOT_EQUALS = 'NE',
  /** The variable contains the value. */
  CONTAINS = 'CONTAINS',
  /** The variable matches the value, a Java regular expression (java.util.regex.Pattern). */
  MATCHES = 'MATCHES',
}

/** Options of a Lambda rule. */
export interface LambdaRuleOptions {
  /**
   * Parameters CodePipeline passes to the function (the rule's `UserParameters`), e.g. a JSON
   * string; variables (`#{...}`) are resolved first.
   *
   * @default - none
   */
  readonly userParameters?: string;
}

/** Options of a commands rule. */
export interface CommandsRuleOptions {
  /**
   * The artifact the commands run in (its files in the working directory).
   *
   * @default - none: the commands run without files
   */
  readonly input?: codepipeline.Artifact;
}

/** A variable reference: a namespace (or `variables`, the pipeline's) and a name. */
const VARIABLE_REFERENCE = /^#\{[A-Za-z0-9@_-]+\.[A-Za-z0-9@_-]+\}$/;

interface RuleParts {
  readonly configuration: { [key: string]: string };
  readonly problems?: string[][];
  readonly commands?: string[];
  readonly input?: codepipeline.Artifact;
  /** What the pipeline's role needs for the rule (its name, for a log group). */
  readonly grant?: (role: iam.IRole, pipelineName: string) => void;
  /** A resource the rule uses, which must be in the pipeline's account and region. */
  readonly resource?: { readonly name: string; readonly env: { account: string; region: string } };
}

/**
 * A rule of a V2 stage condition, typed instead of a provider string. A rule passes or fails;
 * a condition's result applies when one of its rules fails.
 */
export class StageRule {
  /**
   * Fails while the alarm is in ALARM: an entry gate ("not while production is unhealthy") or bake
   * monitoring after a deployment ("roll back if errors rise").
   */
  public static alarm(alarm: cloudwatch.IAlarm, options: AlarmRuleOptions = {}): StageRule {
    checkArgs('StageRule.alarm', [alarm, options]);
    const minutes = options.waitTime && !options.waitTime.isUnresolved() ? options.waitTime.toMinutes({ integral: false }) : undefined;
    return new StageRule('alarm', 'CloudWatchAlarm', {
      configuration: {
        AlarmName: alarm.alarmName,
        ...(options.waitTime ? { WaitTime: String(options.waitTime.isUnresolved() ? options.waitTime.toMinutes() : minutes) } : {}),
      },
      problems: minutes === undefined || Number.isInteger(minutes) ? [] : [['waitTime', `${minutes} minutes`, 'must be a whole number of minutes', 'use Duration.minutes(n)']],
      // The pipeline reads the alarm's state.
      grant: (role) => role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [alarm.alarmArn] })),
    });
  }

  /**
   * Passes only inside a deployment window, given as the DeploymentWindow rule's cron expression:
   * seconds first, then minutes, hours, day-of-month, month, day-of-week and an optional year,
   * Quartz-style (seconds is always `*`; `?` in one of the two day fields). For example
   * `* * 9-16 ? * MON-THU *` for weekday office hours. Five-field (Unix) and minutes-first
   * expressions are rejected with the expression AWS would read as meant.
   */
  public static deploymentWindow(cron: string, options: DeploymentWindowOptions = {}): StageRule {
    checkArgs('StageRule.deploymentWindow', [cron, options]);
    const timeZone = options.timeZone ?? 'UTC';
    const problems: string[][] = [];
    if (isConcrete(cron)) {
      const found = cronProblems(cron);
      if (found.length > 0) {
        const corrected = correctedCron(cron);
        problems.push(['cron', cron, found.join('; '), corrected
          ? `AWS reads the fields seconds first: write '${corrected}'`
          : "write seconds, minutes, hours, day-of-month, month, day-of-week and an optional year, e.g. '* * 9-16 ? * MON-THU *'"]);
      }
    }
    if (isConcrete(timeZone)) {
      const zone = timeZoneProblem(timeZone);
      if (zone) problems.push(['timeZone', timeZone, zone, "use an IANA name such as 'Europe/Paris', 'UTC' or 'UTC+05:30'"]);
    }
    return new StageRule('window', 'DeploymentWindow', { configuration: { Cron: cron, TimeZone: timeZone }, problems });
  }

  /**
   * Passes when a variable compares with a value as asked. An entry gate lets the stage run only
   * while its rules pass: `variableCheck(freeze.reference, NOT_EQUALS, 'true')` holds releases
   * while a pipeline variable says so, and with `EntryResult.SKIP`,
   * `variableCheck(skipStaging.reference, EQUALS, 'false')` skips a stage for a run started with
   * `SKIP_STAGING=true`. The variable is a reference such as a pipeline variable's `reference`,
   * `source.variables.commitMessage` or a step's exported variable.
   */
  public static variableCheck(variable: string, comparison: VariableOperator, value: string): StageRule {
    checkArgs('StageRule.variableCheck', [variable, comparison, value]);
    const problems: string[][] = [];
    if (isConcrete(variable) && !VARIABLE_REFERENCE.test(variable)) {
      problems.push(['variable', variable, 'is not a variable reference', "give a reference such as source.variables.commitMessage or '#{variables.RELEASE_FREEZE}'"]);
    }
    if (value === '') problems.push(['value', value, 'is empty (CodePipeline requires a value of 1 character or more)', 'give the value to compare with']);
    else if (isConcrete(value) && value.length > RULE_VALUE_LENGTH.max) {
      problems.push(['value', `${value.length} characters`, `is longer than the ${RULE_VALUE_LENGTH.max} characters of a rule configuration value`, 'shorten it']);
    }
    return new StageRule('variable', 'VariableCheck', { configuration: { Variable: variable, Operator: comparison, Value: value }, problems });
  }

  /**
   * Runs a Lambda function of the pipeline's account and region, which decides: an error from it
   * fails the rule (CodePipeline, how stage conditions work). With `EntryResult.SKIP` a failing
   * function skips the stage. The pipeline's role may invoke exactly this function.
   */
  public static lambdaInvoke(fn: lambda.IFunction, options: LambdaRuleOptions = {}): StageRule {
    checkArgs('StageRule.lambdaInvoke', [fn, options]);
    return new StageRule('lambda', 'LambdaInvoke', {
      configuration: { FunctionName: fn.functionName, ...(options.userParameters !== undefined ? { UserParameters: options.userParameters } : {}) },
      problems: options.userParameters === '' ? [['userParameters', '', 'is empty', 'give the parameters, or leave userParameters out']]
        : isConcrete(options.userParameters) && options.userParameters.length > RULE_VALUE_LENGTH.max
          ? [['userParameters', `${options.userParameters.length} characters`, `is longer than the ${RULE_VALUE_LENGTH.max} characters of a rule configuration value`, 'shorten it']] : [],
      grant: (role) => role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })),
      resource: { name: fn.node.path, env: fn.env },
    });
  }

  /**
   * Runs shell commands (each on one line) in CodePipeline's own small Linux build environment: the
   * rule fails when a command fails, e.g. `curl --fail` of a health endpoint before production.
   * CodeBuild minutes are charged; the commands log to the pipeline's log group
   * (`/aws/codepipeline/<pipeline name>`), which the pipeline's role may write. Not with
   * `EntryResult.SKIP`.
   */
  public static commands(commands: string[], options: CommandsRuleOptions = {}): StageRule {
    checkArgs('StageRule.commands', [commands, options]);
    const problems = commandProblems(commands, 'a commands rule');
    if (options.input && !options.input.artifactName) {
      problems.push(['input', 'an unnamed artifact', 'has no name, so the rule could not name it as its input', "give an artifact of the pipeline, e.g. pipeline.primaryOutput or build.output"]);
    }
    return new StageRule('commands', 'Commands', {
      configuration: {},
      commands,
      input: options.input,
      problems,
      grant: (role, pipelineName) => grantPipelineLogs(role, pipelineName, 'The streams of the pipeline\'s own log group, where its commands rules log: CodePipeline names them per run.'),
    });
  }

  /** What kind of rule this is (for names and diagrams). */
  public readonly kind: string;
  /** The CodePipeline rule provider. */
  public readonly provider: string;

  private constructor(kind: string, provider: string, private readonly parts: RuleParts) {
    this.kind = kind;
    this.provider = provider;
  }

  /**
   * The rule's problems; a resource it uses must be in the pipeline's account and region.
   *
   * @internal
   */
  public _problems(pipelineStack?: Stack): string[][] {
    const resource = this.parts.resource;
    const elsewhere = resource && pipelineStack && ['account', 'region'].some((k) => {
      const theirs = resource.env[k as 'account' | 'region'];
      const ours = pipelineStack[k as 'account' | 'region'];
      return !Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && theirs !== ours;
    });
    return [
      ...(this.parts.problems ?? []),
      ...(elsewhere ? [['function', `${resource.name} (${resource.env.account}/${resource.env.region})`, `is not in the pipeline's account and region (${pipelineStack!.account}/${pipelineStack!.region}), where the rule runs`, 'use a function of the pipeline\'s account and region']] : []),
    ];
  }

  /** @internal */
  public _toL2(name: string): codepipeline.Rule {
    const input = this.parts.input?.artifactName;
    return new codepipeline.Rule({
      name,
      provider: this.provider,
      version: '1',
      configuration: this.parts.configuration,
      ...(this.parts.commands ? { commands: this.parts.commands } : {}),
      ...(input ? { inputArtifacts: [input] } : {}),
    });
  }

  /**
   * Grants the pipeline's role what the rule needs.
   *
   * @internal
   */
  public _grant(role: iam.IRole, pipelineName: string): void {
    this.parts.grant?.(role, pipelineName);
  }
}

/** What happens when a stage fails. */
export enum FailureBehavior {
  /** Roll the stage back to the last execution that succeeded in it (V2). */
  ROLLBACK = 'ROLLBACK',
  /** Retry the failed actions (V2). */
  RETRY_FAILED_ACTIONS = 'RETRY_FAILED_ACTIONS',
  /** Retry every action of the stage (V2). */
  RETRY_ALL_ACTIONS = 'RETRY_ALL_ACTIONS',
  /** Stop: the execution fails (CodePipeline's behaviour without conditions). */
  FAIL = 'FAIL',
}

/** What happens when an entry gate fails. */
export enum EntryResult {
  /** The stage fails. */
  FAIL = 'FAIL',
  /**
   * The stage is skipped and the execution goes on. CodePipeline allows it only for LambdaInvoke
   * and VariableCheck rules, so alarm and deployment-window gates are rejected with it.
   */
  SKIP = 'SKIP',
}

/** Conditions of a stage (V2 pipelines). */
export interface StageConditionOptions {
  /**
   * What happens when the stage fails.
   *
   * @default FailureBehavior.ROLLBACK on V2 pipelines for environments, FAIL otherwise
   */
  readonly onFailure?: FailureBehavior;

  /**
   * Rules that must pass before the stage starts (alarm not in ALARM, deployment window).
   *
   * @default - no gate
   */
  readonly entryGates?: StageRule[];

  /**
   * What happens when an entry gate fails.
   *
   * @default EntryResult.FAIL
   */
  readonly entryResult?: EntryResult;

  /**
   * Rules checked after the stage succeeded (bake monitoring): if one fails, the stage rolls back.
   *
   * @default - none
   */
  readonly bakeRules?: StageRule[];
}


/** Renders stage conditions as L2 stage props, and checks them. */
export function renderConditions(problems: Problems, options: StageConditionOptions, defaultFailure: FailureBehavior, v2: boolean, pipeline: codepipeline.Pipeline, pipelineName: string | undefined): Partial<codepipeline.StageProps> {
  const role = pipeline.role;
  const failure = options.onFailure ?? defaultFailure;
  const uses = failure !== FailureBehavior.FAIL || (options.entryGates ?? []).length > 0 || (options.bakeRules ?? []).length > 0;
  if (uses && !v2) {
    problems.add('conditions', failure, 'stage conditions (rollback, retry, gates, bake rules) need a V2 pipeline', 'remove pipelineType (V2 is the default), or remove the conditions');
    return {};
  }
  if (options.entryGates && options.entryGates.length === 0) problems.add('entryGates', [], 'is an empty list', 'give at least one rule, or leave entryGates out');
  if (options.bakeRules && options.bakeRules.length === 0) problems.add('bakeRules', [], 'is an empty list', 'give at least one rule, or leave bakeRules out');
  for (const [prop, rules] of [['entryGates', options.entryGates ?? []], ['bakeRules', options.bakeRules ?? []]] as const) {
    rules.forEach((r, i) => r._problems(Stack.of(pipeline)).forEach(([p, value, problem, fix]) => problems.add(`${prop}[${i}].${p}`, value, problem, fix)));
    if (rules.length > CONDITION_RULES.max) problems.add(prop, rules.map((r) => r.kind), `has ${rules.length} rules; a stage condition takes at most ${CONDITION_RULES.max}`, `keep at most ${CONDITION_RULES.max} rules`);
  }
  // The pipeline's name is known at synth only when given: its generated name would be a reference to the pipeline, which depends on its role's policy.
  const commandRules = [...(options.entryGates ?? []), ...(options.bakeRules ?? [])].filter((r) => r.provider === 'Commands');
  if (commandRules.length > 0 && pipelineName === undefined) {
    problems.add('pipelineName', undefined, 'is required for commands rules: their logs go to the log group /aws/codepipeline/<pipeline name>, which the pipeline\'s role is granted by name', "give the DeliveryPipeline a pipelineName, e.g. 'shop-release'");
  }
  if (options.entryResult === EntryResult.SKIP && (options.entryGates ?? []).some((r) => !SKIP_RULE_PROVIDERS.includes(r.provider))) {
    problems.add('entryResult', EntryResult.SKIP, `skips the stage only with ${SKIP_RULE_PROVIDERS.join(' or ')} rules, and the gates are ${(options.entryGates ?? []).map((r) => r.provider).join(', ')}`,
      'use EntryResult.FAIL (the default) with alarm and deployment-window gates');
  }
  const rules = (list: StageRule[], prefix: string) => list.map((r, i) => {
    if (pipelineName !== undefined || r.provider !== 'Commands') r._grant(role, pipelineName ?? '');
    return r._toL2(`${prefix}${i + 1}-${r.kind}`);
  });
  return {
    ...(failure === FailureBehavior.ROLLBACK ? { onFailure: { result: codepipeline.Result.ROLLBACK } } : {}),
    ...(failure === FailureBehavior.RETRY_FAILED_ACTIONS ? { onFailure: { result: codepipeline.Result.RETRY, retryMode: codepipeline.RetryMode.FAILED_ACTIONS } } : {}),
    ...(failure === FailureBehavior.RETRY_ALL_ACTIONS ? { onFailure: { result: codepipeline.Result.RETRY, retryMode: codepipeline.RetryMode.ALL_ACTIONS } } : {}),
    ...((options.entryGates ?? []).length > 0 ? {
      beforeEntry: { conditions: [{ result: options.entryResult === EntryResult.SKIP ? codepipeline.Result.SKIP : codepipeline.Result.FAIL, rules: rules(options.entryGates!, 'Gate') }] },
    } : {}),
    ...((options.bakeRules ?? []).length > 0 ? {
      onSuccess: { conditions: [{ result: codepipeline.Result.ROLLBACK, rules: rules(options.bakeRules!, 'Bake') }] },
    } : {}),
  };
}
