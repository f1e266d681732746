import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IStep } from '../../core/step';
import { DEPLOYMENT_ALARMS, ECS_ACTION_TIMEOUT_MINUTES, ECS_NLB_SHIFT_DELAY_MINUTES } from '../../private/limits';
import { acceptLibraryFindings, acceptNagFindings, functionVersionsFinding } from '../../private/nag';
import { Problems, checkMinutes } from '../../private/validation';
import { checkArgs, constructorOf } from '../../private/shapes';
import { DeploymentStrategy, StrategyKind } from '../strategy';
import { EcsNativeDeployStep } from './ecs-native-deploy-step';
import { checkLoadBalancing, checkService, loadBalancerProblems, serviceConnectProblems } from './private/native-checks';

/**
 * Lambda functions Amazon ECS runs at the lifecycle stages of a deployment. Each returns
 * `{ "hookStatus": "SUCCEEDED" | "FAILED" | "IN_PROGRESS" }`: FAILED (or an error, or no valid
 * status) rolls the deployment back, IN_PROGRESS has ECS call the function again (after 30
 * seconds, or `callBackDelay` seconds). One function may serve several stages; ECS may call it
 * through one role, allowed to invoke exactly these functions. The service refers to its hooks, so
 * a hook's own grants cannot name the service (a dependency cycle): scope them to the cluster.
 */
export interface EcsNativeHooks {
  /**
   * When a deployment starts while more than one service revision is still ACTIVE (a deployment
   * started during another one), before anything is scaled. ECS skips this stage otherwise, so a
   * check every release needs belongs in `preScaleUp`.
   *
   * @default - none
   */
  readonly reconcileService?: lambda.IFunction;
  /**
   * Before the new (green) tasks start.
   *
   * @default - none
   */
  readonly preScaleUp?: lambda.IFunction;
  /**
   * After the green tasks are running, before any traffic reaches them.
   *
   * @default - none
   */
  readonly postScaleUp?: lambda.IFunction;
  /**
   * While test traffic shifts to the green tasks (needs a test listener rule, a test listener, or Service Connect).
   *
   * @default - none
   */
  readonly testTrafficShift?: lambda.IFunction;
  /**
   * After test traffic reaches the green tasks: run tests against them (needs a test listener rule, a test listener, or Service Connect).
   *
   * @default - none
   */
  readonly postTestTrafficShift?: lambda.IFunction;
  /**
   * At every shift of production traffic (each step of a canary or linear deployment).
   *
   * @default - none
   */
  readonly productionTrafficShift?: lambda.IFunction;
  /**
   * After all production traffic has shifted, before the bake time.
   *
   * @default - none
   */
  readonly postProductionTrafficShift?: lambda.IFunction;
}

/** Props of an `EcsNativeDeployment`. */
export interface EcsNativeDeploymentProps {
  /**
   * The ECS service (Fargate or EC2), created in this app with the ECS deployment controller (the
   * default) and not attached to the blue or green target group: the deployment attaches it.
   */
  readonly service: ecs.BaseService;

  /**
   * The container that runs the built image, and that the load balancer sends traffic to.
   *
   * @default - the task definition's default container
   */
  readonly containerName?: string;

  /**
   * The port of that container the load balancer sends traffic to.
   *
   * @default - the container's first port mapping
   */
  readonly containerPort?: number;

  /**
   * The target group of the tasks serving production traffic (blue). With a load balancer,
   * give it, `greenTargetGroup` and the production listener rule (ALB) or listener (NLB);
   * without, the service must use Service Connect.
   *
   * @default - no load balancer: the service uses Service Connect
   */
  readonly blueTargetGroup?: elbv2.ITargetGroup;

  /**
   * The target group of the new tasks (green); ECS registers them there and shifts traffic to it.
   *
   * @default - no load balancer
   */
  readonly greenTargetGroup?: elbv2.ITargetGroup;

  /**
   * The Application Load Balancer listener rule that serves production traffic. As ECS requires,
   * it forwards to both target groups with weights:
   * `ListenerAction.weightedForward([{ targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 }])`,
   * and its listener only forwards (no redirect, fixed-response or authenticate actions, in its
   * default action or other rules).
   * ECS moves the weights at each deployment; do not change the rule's actions in the stack
   * afterwards, or CloudFormation puts the weights back (aws/aws-cdk#36649).
   *
   * @default - none: give this (ALB) or `productionListener` (NLB) with target groups
   */
  readonly productionListenerRule?: elbv2.ApplicationListenerRule;

  /**
   * An Application Load Balancer listener rule for test traffic, served by the green tasks
   * before production traffic shifts.
   *
   * @default - no test traffic
   */
  readonly testListenerRule?: elbv2.ApplicationListenerRule;

  /**
   * The Network Load Balancer listener that serves production traffic (ECS adds 10 minutes to each
   * of its traffic shifts).
   *
   * @default - none: give this (NLB) or `productionListenerRule` (ALB) with target groups
   */
  readonly productionListener?: elbv2.NetworkListener;

  /**
   * A Network Load Balancer listener on another port, for test traffic.
   *
   * @default - no test traffic
   */
  readonly testListener?: elbv2.NetworkListener;

  /**
   * How production traffic shifts to the green tasks: `allAtOnce()` is a blue/green deployment,
   * `canary()` and `linear()` ECS's canary and linear deployments (linear: at least 3% per step;
   * intervals of whole minutes, at most 24 hours).
   *
   * @default DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) })
   */
  readonly strategy?: DeploymentStrategy;

  /**
   * How long the blue tasks keep running after all traffic has shifted, ready for an instant
   * rollback, before ECS stops them. The whole deployment must fit the pipeline action's timeout.
   *
   * @default Duration.minutes(10)
   */
  readonly bakeTime?: Duration;

  /**
   * Lambda functions run at the deployment's lifecycle stages.
   *
   * @default - none
   */
  readonly hooks?: EcsNativeHooks;

  /**
   * CloudWatch alarms that roll the deployment back while it runs, bake time included (at most 10).
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * Roll the deployment back when the new tasks fail to start or to become healthy (the ECS
   * deployment circuit breaker). The ECS guide documents it for blue/green deployments
   * (`allAtOnce()`), not for canary and linear ones, where `alarms` roll back. A circuit breaker
   * set on the service itself is kept as it is.
   *
   * @default - true with `DeploymentStrategy.allAtOnce()`, false with canary and linear
   */
  readonly circuitBreaker?: boolean;
}

/** Options of the pipeline step that deploys an image with an `EcsNativeDeployment`. */
export interface EcsNativeDeployStepOptions {
  /**
   * The artifact holding `imagedefinitions.json`: the `output` of a `DockerImageStep` given this
   * deployment's `containerName`.
   */
  readonly image: codepipeline.Artifact;

  /**
   * Name of the deploy action.
   *
   * @default 'Deploy'
   */
  readonly stepName?: string;

  /**
   * How long the action waits for the service's deployment (CodePipeline allows 1 to 60 minutes).
   * The deployment's own time (new tasks, traffic shifts, bake time) must fit in it.
   *
   * @default Duration.minutes(60)
   */
  readonly timeout?: Duration;
}

const HOOK_STAGES: ReadonlyArray<readonly [keyof EcsNativeHooks, ecs.DeploymentLifecycleStage]> = [
  ['reconcileService', ecs.DeploymentLifecycleStage.RECONCILE_SERVICE],
  ['preScaleUp', ecs.DeploymentLifecycleStage.PRE_SCALE_UP],
  ['postScaleUp', ecs.DeploymentLifecycleStage.POST_SCALE_UP],
  ['testTrafficShift', ecs.DeploymentLifecycleStage.TEST_TRAFFIC_SHIFT],
  ['postTestTrafficShift', ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
  ['productionTrafficShift', ecs.DeploymentLifecycleStage.PRODUCTION_TRAFFIC_SHIFT],
  ['postProductionTrafficShift', ecs.DeploymentLifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT],
];

/**
 * Blue/green, canary and linear deployments of an ECS service by Amazon ECS itself (the ECS
 * deployment controller), without CodeDeploy: the service's deployment strategy and bake time, the
 * green target group and the listener rule ECS shifts traffic on, the role ECS uses to change
 * them (allowed exactly these target groups and that rule or listener), Lambda hooks at the
 * lifecycle stages (ECS may invoke exactly those functions), rollback on alarms and on tasks that
 * fail to start. Add it to a pipeline with `deployStep({ image })`: CodePipeline's ECS deploy
 * action registers a revision of the service's task definition with the built image
 * (`imagedefinitions.json`) and updates the service; ECS then runs the strategy.
 *
 * CloudFormation still owns the service: a stack update that changes its task definition deploys
 * the stack's image with the same strategy. Keep the stack's image fixed (for example a bootstrap
 * tag) and let the pipeline carry images.
 */
export class EcsNativeDeployment extends Construct {
  /** The service. */
  public readonly service: ecs.BaseService;
  /** The strategy. */
  public readonly strategy: DeploymentStrategy;
  /** Minutes the blue tasks keep running after all traffic has shifted. */
  public readonly bakeTimeMinutes: number;
  /** The container that runs the built image. */
  public readonly containerName: string;
  /** The role ECS changes the load balancer with (none with Service Connect). */
  public readonly infrastructureRole?: iam.IRole;
  /** The role ECS invokes the hook functions with (none without hooks). */
  public readonly hookRole?: iam.IRole;
  /** Minutes a Network Load Balancer adds to the traffic shifts (0 otherwise). @internal */
  public readonly _shiftDelayMinutes: number;

  constructor(scope: Construct, id: string, props: EcsNativeDeploymentProps) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id);
    // Compliance-pack findings without a fix worth its cost, on what this construct creates.
    acceptLibraryFindings(this);
    const subject = `EcsNativeDeployment '${this.node.path}'`;
    const problems = new Problems(subject);
    if (!props?.service) {
      problems.add('service', undefined, 'is required', 'pass the ECS service (ecs.FargateService or ecs.Ec2Service) created with the ECS deployment controller');
      problems.throwIfAny();
    }
    const service = props.service;
    checkService(problems, service, this, props);
    const balancing = checkLoadBalancing(problems, props);
    const hooks = { ...props.hooks };
    if (!balancing.test && balancing.kind !== 'none') {
      for (const key of ['testTrafficShift', 'postTestTrafficShift'] as const) {
        if (hooks[key]) problems.add(`hooks.${key}`, hooks[key]!.node.path, 'runs while test traffic reaches the new tasks, but there is no test listener rule or test listener', balancing.kind === 'alb' ? 'add testListenerRule, or use another hook' : 'add testListener, or use another hook');
      }
    }
    if ((props.alarms ?? []).length > DEPLOYMENT_ALARMS.max) {
      problems.add('alarms', `${props.alarms!.length} alarms`, `at most ${DEPLOYMENT_ALARMS.max} alarms are checked per deployment here`, 'combine alarms into a composite alarm');
    }
    checkMinutes(problems, 'bakeTime', props.bakeTime, { min: 0, max: ECS_ACTION_TIMEOUT_MINUTES.max, note: 'the longest CodePipeline\'s ECS deploy action waits' });
    const taskDefinition = service.taskDefinition;
    const container = props.containerName ? taskDefinition.findContainer(props.containerName) : taskDefinition.defaultContainer;
    if (!container) {
      problems.add('containerName', props.containerName, props.containerName ? 'names no container of the service\'s task definition' : 'is needed: the task definition has no default container', 'give the name of the container that runs the built image');
    }
    const port = props.containerPort ?? container?.portMappings[0]?.containerPort;
    if (container && balancing.kind !== 'none') {
      if (port === undefined) {
        problems.add('containerPort', undefined, `container '${container.containerName}' has no port mapping`, 'add a port mapping to the container, or give containerPort');
      } else if (props.containerPort !== undefined && !container.portMappings.some((m) => m.containerPort === props.containerPort)) {
        problems.add('containerPort', props.containerPort, `is not a port mapping of container '${container.containerName}'`, `use one of ${container.portMappings.map((m) => m.containerPort).join(', ') || 'its ports'}`);
      }
    }
    const strategy = props.strategy ?? DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) });
    const blueGreen = strategy.kind === StrategyKind.ALL_AT_ONCE;
    if (props.circuitBreaker === true && !blueGreen) {
      problems.add('circuitBreaker', true, `Amazon ECS documents the deployment circuit breaker for rolling and blue/green deployments only, not for ${strategy.describe()}`, 'roll back on alarms instead (alarms), or use DeploymentStrategy.allAtOnce() (blue/green)');
    }
    problems.throwIfAny();
    const strategyConfig = strategy._ecsNativeConfig(subject);

    this.service = service;
    this.strategy = strategy;
    this.containerName = container!.containerName;
    this.bakeTimeMinutes = (props.bakeTime ?? Duration.minutes(10)).toMinutes();
    this._shiftDelayMinutes = balancing.kind === 'nlb' ? ECS_NLB_SHIFT_DELAY_MINUTES * (balancing.test ? 2 : 1) : 0;

    // The deployment settings: strategy, bake time, circuit breaker; alarms through the L2.
    const cfn = service.node.defaultChild as ecs.CfnService;
    cfn.addPropertyOverride('DeploymentConfiguration.Strategy', strategyConfig.strategy);
    cfn.addPropertyOverride('DeploymentConfiguration.BakeTimeInMinutes', this.bakeTimeMinutes);
    if (strategyConfig.canaryConfiguration) {
      cfn.addPropertyOverride('DeploymentConfiguration.CanaryConfiguration', { CanaryPercent: strategyConfig.canaryConfiguration.canaryPercent, CanaryBakeTimeInMinutes: strategyConfig.canaryConfiguration.canaryBakeTimeInMinutes });
    }
    if (strategyConfig.linearConfiguration) {
      cfn.addPropertyOverride('DeploymentConfiguration.LinearConfiguration', { StepPercent: strategyConfig.linearConfiguration.stepPercent, StepBakeTimeInMinutes: strategyConfig.linearConfiguration.stepBakeTimeInMinutes });
    }
    const configured = deploymentConfigurationOf(cfn);
    if ((props.circuitBreaker ?? blueGreen) && configured?.deploymentCircuitBreaker === undefined) {
      cfn.addPropertyOverride('DeploymentConfiguration.DeploymentCircuitBreaker', { Enable: true, Rollback: true });
    }
    if ((props.alarms ?? []).length > 0) {
      service.enableDeploymentAlarms(props.alarms!.map((a) => a.alarmName), { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
    }

    // The load balancer: the service attached to blue, with green and the rule ECS shifts traffic on.
    if (balancing.kind !== 'none') {
      const role = new iam.Role(this, 'InfrastructureRole', {
        assumedBy: ecsPrincipal(),
        description: `Amazon ECS changes the load balancer of ${service.node.path} with this role during deployments`,
      });
      const readable = [props.blueTargetGroup!, props.greenTargetGroup!].map((t) => t.targetGroupArn);
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
        resources: ['*'],
      }));
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        resources: readable,
      }));
      if (balancing.kind === 'alb') {
        role.addToPrincipalPolicy(new iam.PolicyStatement({
          actions: ['elasticloadbalancing:ModifyRule'],
          resources: [props.productionListenerRule!, props.testListenerRule].filter((r): r is elbv2.ApplicationListenerRule => r !== undefined).map((r) => r.listenerRuleArn),
        }));
      } else {
        role.addToPrincipalPolicy(new iam.PolicyStatement({
          actions: ['elasticloadbalancing:ModifyListener'],
          resources: [props.productionListener!, props.testListener].filter((l): l is elbv2.NetworkListener => l !== undefined).map((l) => l.listenerArn),
        }));
      }
      acceptNagFindings(role.node.findChild('DefaultPolicy'), [{
        id: 'AwsSolutions-IAM5',
        reason: 'The Elastic Load Balancing Describe* actions have no resource-level permissions (Service Authorization Reference); ECS may change only this service\'s target groups and listener rule or listener.',
        appliesTo: ['Resource::*'],
      }]);
      this.infrastructureRole = role;
      const alternateTarget = new ecs.AlternateTarget('AlternateTarget', {
        alternateTargetGroup: props.greenTargetGroup!,
        productionListener: balancing.kind === 'alb'
          ? ecs.ListenerRuleConfiguration.applicationListenerRule(props.productionListenerRule!)
          : ecs.ListenerRuleConfiguration.networkListener(props.productionListener!),
        testListener: props.testListenerRule ? ecs.ListenerRuleConfiguration.applicationListenerRule(props.testListenerRule)
          : props.testListener ? ecs.ListenerRuleConfiguration.networkListener(props.testListener) : undefined,
        role,
      });
      const target = service.loadBalancerTarget({ containerName: this.containerName, containerPort: port!, alternateTarget });
      // A target group of this app takes the target (and with it the target type awsvpc tasks need);
      // an imported one only gets the service's load balancer entry.
      const blue = props.blueTargetGroup;
      if (blue instanceof elbv2.ApplicationTargetGroup) blue.addTarget(target);
      else if (blue instanceof elbv2.NetworkTargetGroup) blue.addTarget(target);
      else if (balancing.kind === 'alb') target.attachToApplicationTargetGroup(blue as elbv2.IApplicationTargetGroup);
      else target.attachToNetworkTargetGroup(blue as elbv2.INetworkTargetGroup);
      // ECS needs the role's permissions when it creates or updates the service.
      cfn.node.addDependency(role);
      this.node.addValidation({ validate: () => loadBalancerProblems(subject, service, props).messages() });
    } else {
      this.node.addValidation({ validate: () => serviceConnectProblems(subject, service).messages() });
    }

    // Hooks: one role for all of them, allowed to invoke exactly these functions.
    const byFunction = new Map<lambda.IFunction, ecs.DeploymentLifecycleStage[]>();
    for (const [key, stage] of HOOK_STAGES) {
      const fn = hooks[key];
      if (fn) byFunction.set(fn, [...(byFunction.get(fn) ?? []), stage]);
    }
    if (byFunction.size > 0) {
      const role = new iam.Role(this, 'HookRole', {
        assumedBy: ecsPrincipal(),
        description: `Amazon ECS invokes the deployment lifecycle hooks of ${service.node.path} with this role`,
      });
      let i = 0;
      for (const [fn, stages] of byFunction) {
        fn.grantInvoke(role);
        service.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(fn, `Hook${i++}`, { role, lifecycleStages: stages }));
      }
      const policy = role.node.tryFindChild('DefaultPolicy');
      if (policy) {
        acceptNagFindings(policy, [{
          id: 'AwsSolutions-IAM5',
          reason: 'lambda:InvokeFunction on the hook functions and their versions (function:*), as aws-cdk-lib grants invoke; ECS may invoke nothing else.',
          appliesTo: [...byFunction.keys()].map((fn) => functionVersionsFinding(fn.functionArn, fn.node.defaultChild)),
        }]);
      }
      cfn.node.addDependency(role);
      this.hookRole = role;
    }
  }

  /** Minutes one deployment is expected to take: new tasks, traffic shifts, bake time. */
  public get deploymentMinutes(): number {
    return 3 + this.strategy.shiftMinutes + this._shiftDelayMinutes + this.bakeTimeMinutes;
  }

  /**
   * The pipeline step that deploys the built image: CodePipeline's ECS deploy action with
   * `imagedefinitions.json`, in the service's account and region.
   */
  public deployStep(options: EcsNativeDeployStepOptions): IStep {
    checkArgs('EcsNativeDeployment#deployStep', [options]);
    return new EcsNativeDeployStep(this, options);
  }
}

/**
 * `ecs.amazonaws.com`, with the trust policy the ECS guide gives for the infrastructure and hook
 * roles: no `aws:SourceAccount` condition, which ECS does not document sending for them
 * (AmazonECSInfrastructureRolePolicyForLoadBalancers, "Amazon ECS blue/green deployment permissions").
 */
function ecsPrincipal(): iam.IPrincipal {
  return new iam.ServicePrincipal('ecs.amazonaws.com');
}

/** The service's deployment configuration as the L2 gave it, when it is a plain object. */
function deploymentConfigurationOf(cfn: ecs.CfnService): ecs.CfnService.DeploymentConfigurationProperty | undefined {
  const dc = cfn.deploymentConfiguration;
  return dc && !Token.isUnresolved(dc) ? dc as ecs.CfnService.DeploymentConfigurationProperty : undefined;
}
