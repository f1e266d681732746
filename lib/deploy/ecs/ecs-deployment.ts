import { Duration, PhysicalName, Token } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IStep } from '../../core/step';
import { acceptLibraryFindings, acceptNagFindings } from '../../private/nag';
import { namedWhenReferencedElsewhere } from '../../private/generated-names';
import { ECS_READY_WAIT_MINUTES, TERMINATION_WAIT_MINUTES } from '../../private/limits';
import { Problems, checkMinutes } from '../../private/validation';
import { RawYaml, toYaml } from '../../private/yaml';
import { checkArgs, constructorOf } from '../../private/shapes';
import { DeploymentOptions } from '../options';
import { checkDeploymentOptions, configureNotifications, narrowCodeDeployTrust, resolveAutoRollback } from '../private/deployment-group';
import { acceptHookInvokeFindings } from '../private/target-roles';
import { DeploymentStrategy, StrategyKind } from '../strategy';
import { EcsDeployStep } from './ecs-deploy-step';
import { taskDefinitionFile } from './task-definition-file';

/**
 * Lambda functions run at the lifecycle events of an ECS blue/green deployment. Each may report its
 * result (`PutLifecycleEventHookExecutionStatus`) and read the deployment's targets
 * (`ListDeploymentTargets`, `GetDeploymentTarget`) on this deployment group. CodeDeploy swaps the
 * blue and green target groups at every deployment, so a hook that checks the replacement tasks
 * must read their target group from the deployment (the task set labelled `Green` in
 * `ecsTarget.taskSetsInfo`), never from a fixed target group.
 */
export interface EcsDeploymentHooks {
  /**
   * Before the replacement task set is created.
   *
   * @default - none
   */
  readonly beforeInstall?: lambda.IFunction;
  /**
   * After the replacement task set is created.
   *
   * @default - none
   */
  readonly afterInstall?: lambda.IFunction;
  /**
   * After the test listener serves the replacement task set: run tests against it (needs a test listener).
   *
   * @default - none
   */
  readonly afterAllowTestTraffic?: lambda.IFunction;
  /**
   * Before production traffic shifts to the replacement task set.
   *
   * @default - none
   */
  readonly beforeAllowTraffic?: lambda.IFunction;
  /**
   * After production traffic has shifted.
   *
   * @default - none
   */
  readonly afterAllowTraffic?: lambda.IFunction;
}

/** Props of an `EcsBlueGreenDeployment`. */
export interface EcsBlueGreenDeploymentProps extends DeploymentOptions {
  /** The ECS service, created with `deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY }`. */
  readonly service: ecs.IBaseService;

  /** The service's task definition: the pipeline registers new revisions of it with the built image. */
  readonly taskDefinition: ecs.TaskDefinition;

  /**
   * The container that runs the built image.
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

  /** The target group serving production traffic at first (blue). */
  readonly blueTargetGroup: elbv2.ITargetGroup;

  /** The target group of the replacement tasks (green). */
  readonly greenTargetGroup: elbv2.ITargetGroup;

  /** The production listener. */
  readonly productionListener: elbv2.IListener;

  /**
   * A test listener on the same load balancer, serving the replacement tasks before production does.
   *
   * @default - no test traffic
   */
  readonly testListener?: elbv2.IListener;

  /**
   * How traffic shifts to the replacement tasks.
   *
   * @default DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) }) (all at once behind a Network Load Balancer)
   */
  readonly strategy?: DeploymentStrategy;

  /**
   * How long the original (blue) tasks keep running after traffic has shifted, ready for a rollback:
   * at most 2,880 minutes.
   *
   * @default Duration.hours(1)
   */
  readonly terminationWait?: Duration;

  /**
   * Wait for a person to continue the deployment before traffic shifts (at most 120 hours).
   *
   * @default - shift without waiting
   */
  readonly approvalWait?: Duration;

  /**
   * Lifecycle hook functions.
   *
   * @default - none
   */
  readonly hooks?: EcsDeploymentHooks;

  /**
   * The CodeDeploy application.
   *
   * @default - an application is created
   */
  readonly application?: codedeploy.IEcsApplication;
}

/** Options of the pipeline step that deploys an image with an `EcsBlueGreenDeployment`. */
export interface EcsDeployStepOptions {
  /** The artifact holding `imageDetail.json`, e.g. `DockerImageStep.output`. */
  readonly image: codepipeline.Artifact;

  /**
   * Name of the deploy action (the step that writes taskdef.json and appspec.yaml is named after it).
   *
   * @default 'Deploy'
   */
  readonly stepName?: string;
}

/**
 * Blue/green deployments of an ECS service with CodeDeploy: the application, the deployment group
 * with its traffic-shifting strategy, test listener, termination wait, alarms, rollback and
 * lifecycle hooks. Add it to a pipeline with `deployStep({ image })`: the step writes taskdef.json
 * (from the task definition in this stack, with the built image) and appspec.yaml itself.
 *
 * CloudFormation cannot update the task definition of a service with the CODE_DEPLOY deployment
 * controller (aws/aws-cdk#7040). aws-cdk-lib therefore gives such a service its task definition's
 * family, not a revision: changing the task definition in the stack registers a new revision but
 * does not touch the service. Releases reach the service only through the pipeline, whose
 * taskdef.json is rendered from the same task definition with the built image: keep the stack's
 * image fixed (for example a bootstrap tag) and let the pipeline carry images.
 */
export class EcsBlueGreenDeployment extends Construct {
  /** The CodeDeploy application. */
  public readonly application: codedeploy.IEcsApplication;
  /** The deployment group. */
  public readonly deploymentGroup: codedeploy.EcsDeploymentGroup;
  /** The deployment configuration the strategy maps to. */
  public readonly deploymentConfig: codedeploy.IEcsDeploymentConfig;
  /** The strategy. */
  public readonly strategy: DeploymentStrategy;
  /** The container that runs the built image. */
  public readonly containerName: string;
  /** The container port behind the load balancer. */
  public readonly containerPort: number;
  /** The task definition the pipeline registers revisions of. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** Minutes the original tasks keep running after traffic has shifted. */
  public readonly terminationWaitMinutes: number;
  private readonly hooks: EcsDeploymentHooks;

  constructor(scope: Construct, id: string, props: EcsBlueGreenDeploymentProps) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id);
    // Compliance-pack findings without a fix worth its cost, on what this construct creates.
    acceptLibraryFindings(this);
    const subject = `EcsBlueGreenDeployment '${this.node.path}'`;
    const problems = new Problems(subject);
    checkDeploymentOptions(problems, props);
    const required = [
      ['service', 'the ECS service (created with the CODE_DEPLOY deployment controller)'],
      ['taskDefinition', "the service's task definition"],
      ['productionListener', 'the listener that serves production traffic'],
      ['blueTargetGroup', 'the target group the service is registered with'],
      ['greenTargetGroup', 'a second target group for the replacement tasks'],
    ] as const;
    const missing = required.filter(([prop]) => !props?.[prop]);
    missing.forEach(([prop, what]) => problems.add(prop, undefined, 'is required', `pass ${what}`));
    if (missing.length > 0) problems.throwIfAny();
    const nlb = props.productionListener instanceof elbv2.NetworkListener || props.blueTargetGroup instanceof elbv2.NetworkTargetGroup
      || props.greenTargetGroup instanceof elbv2.NetworkTargetGroup || loadBalancerOfArn(props.productionListener.listenerArn)?.startsWith('net/') === true;
    const strategy = props.strategy ?? (nlb ? DeploymentStrategy.allAtOnce() : DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) }));
    if (nlb && strategy.kind !== StrategyKind.ALL_AT_ONCE) {
      problems.add('strategy', strategy.describe(), 'behind a Network Load Balancer, ECS blue/green deployments only run all at once (CodeDeployDefault.ECSAllAtOnce)', 'use DeploymentStrategy.allAtOnce(), or an Application Load Balancer');
    }
    const controller = (props.service.node.defaultChild as ecs.CfnService | undefined)?.deploymentController as ecs.CfnService.DeploymentControllerProperty | undefined;
    if (props.service instanceof ecs.BaseService && controller?.type !== ecs.DeploymentControllerType.CODE_DEPLOY) {
      problems.add('service', props.service.node.path, `uses the ${controller?.type ?? 'ECS'} deployment controller; CodeDeploy blue/green needs CODE_DEPLOY`, 'create the service with deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY }');
    }
    const lbOf = (l: elbv2.IListener | undefined): unknown => (l instanceof elbv2.ApplicationListener || l instanceof elbv2.NetworkListener ? l.loadBalancer : loadBalancerOfArn(l?.listenerArn));
    if (props.testListener && lbOf(props.testListener) && lbOf(props.productionListener) && lbOf(props.testListener) !== lbOf(props.productionListener)) {
      problems.add('testListener', props.testListener.node.path, 'is on another load balancer than the production listener', 'add the test listener to the production listener\'s load balancer');
    }
    if (props.testListener && props.testListener === props.productionListener) {
      problems.add('testListener', props.testListener.node.path, 'is the production listener', 'use a listener on another port for test traffic');
    }
    if (props.hooks?.afterAllowTestTraffic && !props.testListener) {
      problems.add('hooks.afterAllowTestTraffic', props.hooks.afterAllowTestTraffic.node.path, 'runs against test traffic, but there is no test listener', 'add testListener, or use another hook');
    }
    if (props.blueTargetGroup === props.greenTargetGroup) {
      problems.add('greenTargetGroup', props.greenTargetGroup.node.path, 'is the blue target group', 'create a second target group for the replacement tasks');
    }
    checkMinutes(problems, 'terminationWait', props.terminationWait, TERMINATION_WAIT_MINUTES);
    checkMinutes(problems, 'approvalWait', props.approvalWait, ECS_READY_WAIT_MINUTES);
    const container = props.containerName
      ? props.taskDefinition.findContainer(props.containerName)
      : props.taskDefinition.defaultContainer;
    if (!container) {
      problems.add('containerName', props.containerName, 'names no container of the task definition', 'give the name of the container that runs the built image');
    }
    const port = props.containerPort ?? container?.portMappings[0]?.containerPort;
    if (container && port === undefined) {
      problems.add('containerPort', undefined, `container '${container.containerName}' has no port mapping`, 'add a port mapping to the container, or give containerPort');
    } else if (container && props.containerPort !== undefined && !container.portMappings.some((m) => m.containerPort === props.containerPort)) {
      problems.add('containerPort', props.containerPort, `is not a port mapping of container '${container.containerName}'`, `use one of ${container.portMappings.map((m) => m.containerPort).join(', ') || 'its ports'}`);
    }
    problems.throwIfAny();

    this.strategy = strategy;
    this.taskDefinition = props.taskDefinition;
    this.terminationWaitMinutes = (props.terminationWait ?? Duration.hours(1)).toMinutes();
    this.containerName = container!.containerName;
    this.containerPort = port!;
    this.hooks = { ...props.hooks };
    this.deploymentConfig = strategy._ecsConfig(this, 'DeploymentConfig', subject);
    // Named by CDK only when a pipeline in another account or region refers to them.
    this.application = props.application ?? new codedeploy.EcsApplication(this, 'Application', { applicationName: PhysicalName.GENERATE_IF_NEEDED });
    if (!props.application) namedWhenReferencedElsewhere(this, 'its CodeDeploy application');
    if (!props.deploymentGroupName) namedWhenReferencedElsewhere(this, 'its deployment group');
    this.deploymentGroup = new codedeploy.EcsDeploymentGroup(this, 'DeploymentGroup', {
      application: this.application,
      deploymentGroupName: props.deploymentGroupName ?? PhysicalName.GENERATE_IF_NEEDED,
      service: props.service,
      deploymentConfig: this.deploymentConfig,
      blueGreenDeploymentConfig: {
        blueTargetGroup: props.blueTargetGroup,
        greenTargetGroup: props.greenTargetGroup,
        listener: props.productionListener,
        testListener: props.testListener,
        terminationWaitTime: props.terminationWait ?? Duration.hours(1),
        deploymentApprovalWaitTime: props.approvalWait,
      },
      alarms: props.alarms,
      autoRollback: resolveAutoRollback(props.autoRollback, props.alarms),
    });
    narrowCodeDeployTrust(this.deploymentGroup.role, true);
    configureNotifications(this.deploymentGroup, props.notificationTopic, props.notifyOn);
    acceptNagFindings(this.deploymentGroup.role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'AWSCodeDeployRoleForECS is the service-role policy CodeDeploy documents for ECS deployment groups (task sets, listeners, alarms); hook functions are granted invoke explicitly, so their names are free.',
      appliesTo: [{ regex: '/^Policy::arn:<AWS::Partition>:iam::aws:policy\\/AWSCodeDeployRoleForECS$/' }],
    }]);

    // Hooks: the managed policy only lets CodeDeploy invoke functions named CodeDeployHook_*; grant
    // invoke on exactly these functions instead, and let each report its result to this group only.
    const hookFunctions = Object.values(this.hooks).filter((f): f is lambda.IFunction => f !== undefined);
    for (const fn of hookFunctions) {
      fn.grantInvoke(this.deploymentGroup.role);
      // Report the hook's result, and read the deployment's targets: the replacement task set and
      // its target group, which CodeDeploy swaps at every deployment (CodeDeploy permissions reference).
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['codedeploy:PutLifecycleEventHookExecutionStatus', 'codedeploy:ListDeploymentTargets', 'codedeploy:GetDeploymentTarget'],
        resources: [this.deploymentGroup.deploymentGroupArn],
      }));
    }
    acceptHookInvokeFindings(this.deploymentGroup.role, hookFunctions);
  }

  /** The appspec.yaml CodeDeployToECS runs: the service's container and port, and the hooks. */
  public appSpecFile(): string {
    const hooks = [
      ['BeforeInstall', this.hooks.beforeInstall],
      ['AfterInstall', this.hooks.afterInstall],
      ['AfterAllowTestTraffic', this.hooks.afterAllowTestTraffic],
      ['BeforeAllowTraffic', this.hooks.beforeAllowTraffic],
      ['AfterAllowTraffic', this.hooks.afterAllowTraffic],
    ].filter(([, fn]) => fn !== undefined).map(([event, fn]) => ({ [event as string]: (fn as lambda.IFunction).functionArn }));
    const body = toYaml({
      version: new RawYaml('0.0'),
      Resources: [{
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: new RawYaml('<TASK_DEFINITION>'),
            LoadBalancerInfo: { ContainerName: this.containerName, ContainerPort: this.containerPort },
          },
        },
      }],
      ...(hooks.length > 0 ? { Hooks: hooks } : {}),
    });
    return body;
  }

  /** The lifecycle hook functions of the deployment. @internal */
  public _hookFunctions(): lambda.IFunction[] {
    return Object.values(this.hooks).filter((fn): fn is lambda.IFunction => fn !== undefined);
  }

  /** The taskdef.json CodeDeployToECS registers: the stack's task definition with `<IMAGE1_NAME>` as the image. */
  public taskDefinitionFile(): string {
    return taskDefinitionFile(this.taskDefinition, this.containerName);
  }

  /**
   * The pipeline step that deploys the built image: a small CodeBuild action that writes
   * taskdef.json and appspec.yaml, then the CodeDeploy-to-ECS action.
   */
  public deployStep(options: EcsDeployStepOptions): IStep {
    checkArgs('EcsBlueGreenDeployment#deployStep', [options]);
    return new EcsDeployStep(this, options);
  }
}

/** The load balancer part (`app/name/id` or `net/name/id`) of a concrete listener ARN. */
function loadBalancerOfArn(arn: string | undefined): string | undefined {
  if (!arn || Token.isUnresolved(arn)) return undefined;
  return /:listener\/((?:app|net)\/[^/]+\/[^/]+)\//.exec(arn)?.[1];
}
