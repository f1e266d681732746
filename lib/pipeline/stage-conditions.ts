import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CONDITION_RULES, SKIP_RULE_PROVIDERS } from '../private/limits';
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
      AlarmName: alarm.alarmName,
      ...(options.waitTime ? { WaitTime: String(options.waitTime.isUnresolved() ? options.waitTime.toMinutes() : minutes) } : {}),
    }, alarm, minutes === undefined || Number.isInteger(minutes) ? [] : [['waitTime', `${minutes} minutes`, 'must be a whole number of minutes', 'use Duration.minutes(n)']]);
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
    return new StageRule('window', 'DeploymentWindow', { Cron: cron, TimeZone: timeZone }, undefined, problems);
  }

  /** What kind of rule this is (for names and diagrams). */
  public readonly kind: string;
  /** The CodePipeline rule provider. */
  public readonly provider: string;

  private constructor(kind: string, provider: string, private readonly configuration: { [key: string]: string }, private readonly alarmRef: cloudwatch.IAlarm | undefined, private readonly problems: string[][]) {
    this.kind = kind;
    this.provider = provider;
  }

  /** @internal */
  public _problems(): string[][] {
    return this.problems;
  }

  /** @internal */
  public _toL2(name: string): codepipeline.Rule {
    return new codepipeline.Rule({ name, provider: this.provider, version: '1', configuration: this.configuration });
  }

  /**
   * Lets the pipeline read the alarm's state.
   *
   * @internal
   */
  public _grant(role: iam.IRole): void {
    if (this.alarmRef) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [this.alarmRef.alarmArn] }));
    }
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
export function renderConditions(problems: Problems, options: StageConditionOptions, defaultFailure: FailureBehavior, v2: boolean, role: iam.IRole | undefined): Partial<codepipeline.StageProps> {
  const failure = options.onFailure ?? defaultFailure;
  const uses = failure !== FailureBehavior.FAIL || (options.entryGates ?? []).length > 0 || (options.bakeRules ?? []).length > 0;
  if (uses && !v2) {
    problems.add('conditions', failure, 'stage conditions (rollback, retry, gates, bake rules) need a V2 pipeline', 'remove pipelineType (V2 is the default), or remove the conditions');
    return {};
  }
  if (options.entryGates && options.entryGates.length === 0) problems.add('entryGates', [], 'is an empty list', 'give at least one rule, or leave entryGates out');
  if (options.bakeRules && options.bakeRules.length === 0) problems.add('bakeRules', [], 'is an empty list', 'give at least one rule, or leave bakeRules out');
  for (const [prop, rules] of [['entryGates', options.entryGates ?? []], ['bakeRules', options.bakeRules ?? []]] as const) {
    rules.forEach((r, i) => r._problems().forEach(([p, value, problem, fix]) => problems.add(`${prop}[${i}].${p}`, value, problem, fix)));
    if (rules.length > CONDITION_RULES.max) problems.add(prop, rules.map((r) => r.kind), `has ${rules.length} rules; a stage condition takes at most ${CONDITION_RULES.max}`, `keep at most ${CONDITION_RULES.max} rules`);
  }
  if (options.entryResult === EntryResult.SKIP && (options.entryGates ?? []).some((r) => !SKIP_RULE_PROVIDERS.includes(r.provider))) {
    problems.add('entryResult', EntryResult.SKIP, `skips the stage only with ${SKIP_RULE_PROVIDERS.join(' or ')} rules, and the gates are ${(options.entryGates ?? []).map((r) => r.provider).join(', ')}`,
      'use EntryResult.FAIL (the default) with alarm and deployment-window gates');
  }
  const rules = (list: StageRule[], prefix: string) => list.map((r, i) => {
    if (role) r._grant(role);
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
