import { Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import { Problems, checkMinutes, fail, isConcreteNumber, verbatim } from '../private/validation';
import { checkArgs } from '../private/shapes';
import { ECS_LINEAR_STEP_PERCENT, ECS_STEP_BAKE_MINUTES, TRAFFIC_SHIFT_MINUTES } from '../private/limits';
import type { EcsNativeStrategyConfig } from './private/ecs-native-config';

/** The kinds of deployment strategy. */
export enum StrategyKind {
  /** Everything at once. */
  ALL_AT_ONCE = 'ALL_AT_ONCE',
  /** One instance at a time. */
  ONE_AT_A_TIME = 'ONE_AT_A_TIME',
  /** Half of the instances at a time. */
  HALF_AT_A_TIME = 'HALF_AT_A_TIME',
  /** Keep at least a number of instances healthy. */
  MINIMUM_HEALTHY_HOSTS_COUNT = 'MINIMUM_HEALTHY_HOSTS_COUNT',
  /** Keep at least a percentage of instances healthy. */
  MINIMUM_HEALTHY_HOSTS_PERCENTAGE = 'MINIMUM_HEALTHY_HOSTS_PERCENTAGE',
  /** Shift a percentage of traffic, then the rest after an interval. */
  CANARY = 'CANARY',
  /** Shift traffic in equal steps at an interval. */
  LINEAR = 'LINEAR',
}

/** A traffic shift: how much, and how long to wait. */
export interface TrafficShiftOptions {
  /** Percentage of traffic shifted in the first step (canary) or in every step (linear): 1 to 99. */
  readonly percent: number;
  /** Time between steps, in whole minutes (at least 1). */
  readonly interval: Duration;
}

/** The engines a `DeploymentStrategy` compiles to. */
export enum DeployPlatform {
  /** CodeDeploy on EC2 and on-premises instances. */
  SERVER = 'EC2/on-premises',
  /** CodeDeploy blue/green on Amazon ECS services. */
  ECS = 'ECS',
  /** CodeDeploy on AWS Lambda aliases. */
  LAMBDA = 'Lambda',
  /** Amazon ECS's own deployments (the ECS deployment controller), without CodeDeploy. */
  ECS_NATIVE = 'Amazon ECS native',
  /** CodePipeline's Lambda deploy action, shifting an alias's traffic itself. */
  LAMBDA_ACTION = 'CodePipeline Lambda deploy action',
  /** CodePipeline's EC2 deploy action, in batches of instances. */
  EC2_ACTION = 'CodePipeline EC2 deploy action',
}


const SUPPORTED: { [platform: string]: StrategyKind[] } = {
  [DeployPlatform.SERVER]: [StrategyKind.ALL_AT_ONCE, StrategyKind.ONE_AT_A_TIME, StrategyKind.HALF_AT_A_TIME, StrategyKind.MINIMUM_HEALTHY_HOSTS_COUNT, StrategyKind.MINIMUM_HEALTHY_HOSTS_PERCENTAGE],
  [DeployPlatform.ECS]: [StrategyKind.ALL_AT_ONCE, StrategyKind.CANARY, StrategyKind.LINEAR],
  [DeployPlatform.LAMBDA]: [StrategyKind.ALL_AT_ONCE, StrategyKind.CANARY, StrategyKind.LINEAR],
  [DeployPlatform.ECS_NATIVE]: [StrategyKind.ALL_AT_ONCE, StrategyKind.CANARY, StrategyKind.LINEAR],
  [DeployPlatform.LAMBDA_ACTION]: [StrategyKind.ALL_AT_ONCE, StrategyKind.CANARY, StrategyKind.LINEAR],
  [DeployPlatform.EC2_ACTION]: [StrategyKind.ALL_AT_ONCE, StrategyKind.ONE_AT_A_TIME, StrategyKind.HALF_AT_A_TIME, StrategyKind.MINIMUM_HEALTHY_HOSTS_PERCENTAGE],
};

/**
 * The DeployStrategy values the CodePipeline Lambda deploy action documents (action reference,
 * "AWS Lambda deploy action"); it says the numbers "can be changed" but not how they are written.
 */
const LAMBDA_ACTION_STRATEGIES: { [key: string]: string } = {
  'ALL_AT_ONCE': 'AllAtOnce',
  'CANARY/10/5': 'Canary10Percent5Minutes',
  'LINEAR/10/1': 'Linear10PercentEvery1Minute',
};

const FACTORY: { [kind: string]: string } = {
  [StrategyKind.ALL_AT_ONCE]: 'allAtOnce()',
  [StrategyKind.ONE_AT_A_TIME]: 'oneAtATime()',
  [StrategyKind.HALF_AT_A_TIME]: 'halfAtATime()',
  [StrategyKind.MINIMUM_HEALTHY_HOSTS_COUNT]: 'minimumHealthyHostsCount(n)',
  [StrategyKind.MINIMUM_HEALTHY_HOSTS_PERCENTAGE]: 'minimumHealthyHostsPercentage(p)',
  [StrategyKind.CANARY]: 'canary({ percent, interval })',
  [StrategyKind.LINEAR]: 'linear({ percent, interval })',
};

/**
 * How a release rolls out, in one vocabulary across the deploy engines: CodeDeploy on
 * EC2/on-premises, ECS and Lambda, and Amazon ECS's own deployments. For CodeDeploy each strategy
 * maps to the matching predefined configuration (`CodeDeployDefault.*`) when one exists and to a
 * custom deployment configuration otherwise; for ECS native deployments `allAtOnce()` is a
 * blue/green deployment and `canary()`/`linear()` ECS's canary and linear strategies. A strategy
 * an engine cannot run is rejected at synth with the strategies it supports.
 */
export class DeploymentStrategy {
  /** Deploy everything at once. */
  public static allAtOnce(): DeploymentStrategy {
    checkArgs('DeploymentStrategy.allAtOnce', []);
    return new DeploymentStrategy(StrategyKind.ALL_AT_ONCE);
  }

  /** Deploy one instance at a time (EC2/on-premises). */
  public static oneAtATime(): DeploymentStrategy {
    checkArgs('DeploymentStrategy.oneAtATime', []);
    return new DeploymentStrategy(StrategyKind.ONE_AT_A_TIME);
  }

  /** Deploy half of the instances at a time (EC2/on-premises). */
  public static halfAtATime(): DeploymentStrategy {
    checkArgs('DeploymentStrategy.halfAtATime', []);
    return new DeploymentStrategy(StrategyKind.HALF_AT_A_TIME);
  }

  /**
   * Keep at least `count` instances healthy while deploying (EC2/on-premises).
   *
   * @param count a whole number, 0 or more
   */
  public static minimumHealthyHostsCount(count: number): DeploymentStrategy {
    checkArgs('DeploymentStrategy.minimumHealthyHostsCount', [count]);
    const problems = new Problems('DeploymentStrategy.minimumHealthyHostsCount');
    if (isConcreteNumber(count) && (!Number.isInteger(count) || count < 0)) {
      problems.add('count', count, 'must be a whole number, 0 or more', 'give how many instances must stay healthy, e.g. 2');
    }
    problems.throwIfAny();
    return new DeploymentStrategy(StrategyKind.MINIMUM_HEALTHY_HOSTS_COUNT, count);
  }

  /**
   * Keep at least `percent` of the instances healthy while deploying (EC2/on-premises).
   *
   * @param percent a whole number from 0 to 99
   */
  public static minimumHealthyHostsPercentage(percent: number): DeploymentStrategy {
    checkArgs('DeploymentStrategy.minimumHealthyHostsPercentage', [percent]);
    const problems = new Problems('DeploymentStrategy.minimumHealthyHostsPercentage');
    if (isConcreteNumber(percent) && (!Number.isInteger(percent) || percent < 0 || percent > 99)) {
      problems.add('percent', percent, 'must be a whole number from 0 to 99 (CodeDeploy FLEET_PERCENT)', 'give e.g. 75 to keep three quarters of the fleet serving');
    }
    problems.throwIfAny();
    return new DeploymentStrategy(StrategyKind.MINIMUM_HEALTHY_HOSTS_PERCENTAGE, percent);
  }

  /** Shift `percent` of the traffic, then the rest after `interval` (ECS, Lambda). */
  public static canary(options: TrafficShiftOptions): DeploymentStrategy {
    checkArgs('DeploymentStrategy.canary', [options]);
    return DeploymentStrategy.shift(StrategyKind.CANARY, options);
  }

  /** Shift `percent` of the traffic every `interval` until all of it is shifted (ECS, Lambda). */
  public static linear(options: TrafficShiftOptions): DeploymentStrategy {
    checkArgs('DeploymentStrategy.linear', [options]);
    return DeploymentStrategy.shift(StrategyKind.LINEAR, options);
  }

  private static shift(kind: StrategyKind, props: TrafficShiftOptions): DeploymentStrategy {
    const problems = new Problems(`DeploymentStrategy.${kind === StrategyKind.CANARY ? 'canary' : 'linear'}`);
    const { percent, interval } = props;
    if (isConcreteNumber(percent) && (!Number.isInteger(percent) || percent < 1 || percent > 99)) {
      problems.add('percent', percent, 'must be a whole number from 1 to 99', 'give e.g. 10 for 10% of the traffic');
    }
    const minutes = interval && !interval.isUnresolved() ? interval.toMinutes({ integral: false }) : undefined;
    if (!interval) {
      problems.add('interval', undefined, 'is required', 'give e.g. Duration.minutes(5)');
    } else if (interval.isUnresolved() || !isConcreteNumber(percent)) {
      problems.add(interval.isUnresolved() ? 'interval' : 'percent', 'an unresolved token', 'must be known at synth: the strategy picks or creates a deployment configuration from it', 'give a concrete number');
    } else {
      checkMinutes(problems, 'interval', interval, { min: 1 });
    }
    problems.throwIfAny();
    const strategy = new DeploymentStrategy(kind, percent, minutes);
    if (strategy.shiftMinutes > TRAFFIC_SHIFT_MINUTES.max) {
      problems.add('interval', `${minutes} minutes`, `the traffic shift would take ${strategy.shiftMinutes} minutes; CodeDeploy allows at most ${TRAFFIC_SHIFT_MINUTES.max} (${TRAFFIC_SHIFT_MINUTES.note}) from the first shift to the last`, 'use a shorter interval or a larger percent');
      problems.throwIfAny();
    }
    return strategy;
  }

  /** The kind of strategy. */
  public readonly kind: StrategyKind;
  /** Minimum healthy hosts (count or percentage), or the traffic percentage of a canary/linear step. */
  public readonly value?: number;
  /** Minutes between traffic shifts (canary, linear). */
  public readonly intervalMinutes?: number;

  private constructor(kind: StrategyKind, value?: number, intervalMinutes?: number) {
    this.kind = kind;
    this.value = value;
    this.intervalMinutes = intervalMinutes;
  }

  /** Minutes from the first traffic shift to the last (0 for strategies without traffic shifting). */
  public get shiftMinutes(): number {
    if (this.kind === StrategyKind.CANARY) return this.intervalMinutes ?? 0;
    if (this.kind === StrategyKind.LINEAR) return (this.intervalMinutes ?? 0) * (Math.ceil(100 / (this.value ?? 100)) - 1);
    return 0;
  }

  /** A short description, e.g. "canary 10% then 100% after 5 minutes". */
  public describe(): string {
    const min = (n: number | undefined) => `${n} minute${n === 1 ? '' : 's'}`;
    switch (this.kind) {
      case StrategyKind.ALL_AT_ONCE: return 'all at once';
      case StrategyKind.ONE_AT_A_TIME: return 'one at a time';
      case StrategyKind.HALF_AT_A_TIME: return 'half at a time';
      case StrategyKind.MINIMUM_HEALTHY_HOSTS_COUNT: return `at least ${this.value} healthy hosts`;
      case StrategyKind.MINIMUM_HEALTHY_HOSTS_PERCENTAGE: return `at least ${this.value}% healthy hosts`;
      case StrategyKind.CANARY: return `canary ${this.value}% then 100% after ${min(this.intervalMinutes)}`;
      default: return `linear ${this.value}% every ${min(this.intervalMinutes)}`;
    }
  }

  /**
   * Throws when `platform` cannot run this strategy, naming the target and what it supports.
   *
   * @internal
   */
  public _requirePlatform(platform: DeployPlatform, target: string): void {
    const supported = SUPPORTED[platform];
    if (!supported.includes(this.kind)) {
      fail(target, 'strategy', verbatim(`DeploymentStrategy.${FACTORY[this.kind]}`), `${platform} deployments cannot run ${this.describe()}`, `use one of ${supported.map((k) => `DeploymentStrategy.${FACTORY[k]}`).join(', ')}`);
    }
  }

  /** @internal */
  public _serverConfig(scope: Construct, id: string, target: string): codedeploy.IServerDeploymentConfig {
    this._requirePlatform(DeployPlatform.SERVER, target);
    switch (this.kind) {
      case StrategyKind.ALL_AT_ONCE: return codedeploy.ServerDeploymentConfig.ALL_AT_ONCE;
      case StrategyKind.ONE_AT_A_TIME: return codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME;
      case StrategyKind.HALF_AT_A_TIME: return codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME;
      default: return new codedeploy.ServerDeploymentConfig(scope, id, {
        minimumHealthyHosts: this.kind === StrategyKind.MINIMUM_HEALTHY_HOSTS_COUNT
          ? codedeploy.MinimumHealthyHosts.count(this.value!)
          : codedeploy.MinimumHealthyHosts.percentage(this.value!),
      });
    }
  }

  /** @internal */
  public _ecsConfig(scope: Construct, id: string, target: string): codedeploy.IEcsDeploymentConfig {
    this._requirePlatform(DeployPlatform.ECS, target);
    const predefined: { [key: string]: codedeploy.IEcsDeploymentConfig } = {
      'ALL_AT_ONCE': codedeploy.EcsDeploymentConfig.ALL_AT_ONCE,
      'CANARY/10/5': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      'CANARY/10/15': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_15MINUTES,
      'LINEAR/10/1': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTES,
      'LINEAR/10/3': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
    };
    return predefined[this.key()] ?? new codedeploy.EcsDeploymentConfig(scope, id, { trafficRouting: this.trafficRouting() });
  }

  /** @internal */
  public _lambdaConfig(scope: Construct, id: string, target: string): codedeploy.ILambdaDeploymentConfig {
    this._requirePlatform(DeployPlatform.LAMBDA, target);
    const predefined: { [key: string]: codedeploy.ILambdaDeploymentConfig } = {
      'ALL_AT_ONCE': codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
      'CANARY/10/5': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      'CANARY/10/10': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES,
      'CANARY/10/15': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
      'CANARY/10/30': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES,
      'LINEAR/10/1': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
      'LINEAR/10/2': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_2MINUTES,
      'LINEAR/10/3': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
      'LINEAR/10/10': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_10MINUTES,
    };
    return predefined[this.key()] ?? new codedeploy.LambdaDeploymentConfig(scope, id, { trafficRouting: this.trafficRouting() });
  }

  /** @internal */
  public _ecsNativeConfig(target: string): EcsNativeStrategyConfig {
    this._requirePlatform(DeployPlatform.ECS_NATIVE, target);
    const minutes = this.intervalMinutes!;
    const problems = new Problems(target);
    if (this.kind !== StrategyKind.ALL_AT_ONCE && (!Number.isInteger(minutes) || minutes > ECS_STEP_BAKE_MINUTES.max)) {
      problems.add('strategy', this.describe(), `Amazon ECS waits a whole number of minutes from 0 to ${ECS_STEP_BAKE_MINUTES.max} (${ECS_STEP_BAKE_MINUTES.note}) between traffic shifts`, `use an interval of whole minutes, at most Duration.minutes(${ECS_STEP_BAKE_MINUTES.max})`);
    }
    if (this.kind === StrategyKind.LINEAR && this.value! < ECS_LINEAR_STEP_PERCENT.min) {
      problems.add('strategy', this.describe(), `Amazon ECS linear deployments shift at least ${ECS_LINEAR_STEP_PERCENT.min}% of the traffic per step`, `use DeploymentStrategy.linear({ percent: ${ECS_LINEAR_STEP_PERCENT.min} or more, interval }), or canary({ percent: ${this.value}, interval })`);
    }
    problems.throwIfAny();
    switch (this.kind) {
      case StrategyKind.CANARY: return { strategy: 'CANARY', canaryConfiguration: { canaryPercent: this.value!, canaryBakeTimeInMinutes: minutes } };
      case StrategyKind.LINEAR: return { strategy: 'LINEAR', linearConfiguration: { stepPercent: this.value!, stepBakeTimeInMinutes: minutes } };
      default: return { strategy: 'BLUE_GREEN' };
    }
  }

  /** @internal */
  public _lambdaActionStrategy(target: string): string {
    this._requirePlatform(DeployPlatform.LAMBDA_ACTION, target);
    const value = LAMBDA_ACTION_STRATEGIES[this.key()];
    if (!value) {
      fail(target, 'strategy', verbatim(this.describe()), 'CodePipeline\'s Lambda deploy action documents only AllAtOnce, Canary10Percent5Minutes and Linear10PercentEvery1Minute',
        'use DeploymentStrategy.allAtOnce(), canary({ percent: 10, interval: Duration.minutes(5) }) or linear({ percent: 10, interval: Duration.minutes(1) }); for other shifts use a LambdaDeployment (CodeDeploy)');
    }
    return value;
  }

  /** The EC2 deploy action's MaxBatch for this strategy: a count or a percentage. @internal */
  public _ec2ActionMaxBatch(target: string): string {
    this._requirePlatform(DeployPlatform.EC2_ACTION, target);
    switch (this.kind) {
      case StrategyKind.ONE_AT_A_TIME: return '1';
      case StrategyKind.HALF_AT_A_TIME: return '50%';
      case StrategyKind.MINIMUM_HEALTHY_HOSTS_PERCENTAGE: return `${100 - this.value!}%`;
      default: return '100%';
    }
  }

  private key(): string {
    return this.kind === StrategyKind.ALL_AT_ONCE ? 'ALL_AT_ONCE' : `${this.kind}/${this.value}/${this.intervalMinutes}`;
  }

  private trafficRouting(): codedeploy.TrafficRouting {
    const props = { percentage: this.value!, interval: Duration.minutes(this.intervalMinutes!) };
    return this.kind === StrategyKind.CANARY ? codedeploy.TrafficRouting.timeBasedCanary(props) : codedeploy.TrafficRouting.timeBasedLinear(props);
  }
}
