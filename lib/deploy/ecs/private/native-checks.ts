/* eslint-disable @typescript-eslint/no-explicit-any -- reads the resolved (untyped) CloudFormation properties of the service and listener rule */
import { Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { Problems } from '../../../private/validation';
import type { EcsNativeDeploymentProps } from '../ecs-native-deployment';

/** What an `EcsNativeDeployment` shifts traffic with: an ALB rule, an NLB listener, or Service Connect. */
export interface Balancing {
  readonly kind: 'alb' | 'nlb' | 'none';
  /** Whether test traffic reaches the new tasks before production traffic does. */
  readonly test: boolean;
}

const SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ['strategy', 'deploymentStrategy'], ['bakeTimeInMinutes', 'bakeTime'], ['linearConfiguration', 'linearConfiguration'], ['canaryConfiguration', 'canaryConfiguration'],
];

/** The service can be configured here: a service of this app and stack, with the ECS deployment controller and no strategy of its own. */
export function checkService(problems: Problems, service: ecs.BaseService, scope: Construct, props: EcsNativeDeploymentProps): void {
  if (!(service instanceof ecs.BaseService)) {
    problems.add('service', (service as { node?: { path?: string } }).node?.path ?? service, 'is not an ECS service created in this app: its deployment settings cannot be set from here', 'pass the ecs.FargateService or ecs.Ec2Service construct');
    return;
  }
  if (Stack.of(service) !== Stack.of(scope)) {
    problems.add('service', service.node.path, `is in stack ${Stack.of(service).stackName}, not in this deployment's stack ${Stack.of(scope).stackName}`, "create the EcsNativeDeployment in the service's stack");
  }
  if (!service.isUsingECSDeploymentController()) {
    problems.add('service', service.node.path, 'uses the CODE_DEPLOY or EXTERNAL deployment controller; Amazon ECS deploys only services with the ECS controller', 'leave deploymentController out when creating the service (ECS is the default), or use EcsBlueGreenDeployment for CodeDeploy');
  }
  const cfn = service.node.defaultChild as ecs.CfnService;
  const configured: any = cfn.deploymentConfiguration && !Token.isUnresolved(cfn.deploymentConfiguration) ? cfn.deploymentConfiguration : {};
  for (const [key, prop] of SETTINGS) {
    if (configured[key] !== undefined) {
      problems.add('service', service.node.path, `already sets ${prop}; the deployment sets it from its strategy and bakeTime`, `remove ${prop} from the service and give EcsNativeDeployment its strategy and bakeTime`);
    }
  }
  // aws-cdk-lib may render an empty, disabled alarm configuration: only named alarms count.
  if ((props.alarms ?? []).length > 0 && (Stack.of(service).resolve(configured.alarms)?.alarmNames ?? []).length > 0) {
    problems.add('alarms', props.alarms!.length, 'are given, but the service already has deployment alarms', 'give all the alarms to the service or all to the deployment');
  }
}

/** Which load balancer the props describe, with the problems of an incomplete or mixed description. */
export function checkLoadBalancing(problems: Problems, props: EcsNativeDeploymentProps): Balancing {
  const given = [props.blueTargetGroup, props.greenTargetGroup, props.productionListenerRule, props.productionListener, props.testListenerRule, props.testListener].some((v) => v !== undefined);
  if (!given) return { kind: 'none', test: false };
  const kind = props.productionListener && !props.productionListenerRule ? 'nlb' : 'alb';
  if (!props.productionListenerRule && !props.productionListener) {
    problems.add('productionListenerRule', undefined, 'is required with target groups: ECS shifts production traffic on it', 'give the Application Load Balancer listener rule that forwards to the blue target group (productionListenerRule), or the Network Load Balancer listener (productionListener)');
  }
  if (props.productionListenerRule && props.productionListener) {
    problems.add('productionListener', props.productionListener.node.path, 'is given together with productionListenerRule', 'give the ALB listener rule or the NLB listener, not both');
  }
  for (const prop of ['blueTargetGroup', 'greenTargetGroup'] as const) {
    const tg = props[prop];
    if (!tg) {
      problems.add(prop, undefined, 'is required with a load balancer', prop === 'blueTargetGroup' ? 'give the target group production traffic is forwarded to' : 'give a second target group of the same kind, for the new tasks');
    } else if ((kind === 'alb' && tg instanceof elbv2.NetworkTargetGroup) || (kind === 'nlb' && tg instanceof elbv2.ApplicationTargetGroup)) {
      problems.add(prop, tg.node.path, `is ${kind === 'alb' ? 'a Network' : 'an Application'} Load Balancer target group, but production traffic comes through ${kind === 'alb' ? 'an Application' : 'a Network'} Load Balancer`, 'use target groups of the production listener\'s load balancer');
    }
  }
  if (props.blueTargetGroup && props.blueTargetGroup === props.greenTargetGroup) {
    problems.add('greenTargetGroup', props.greenTargetGroup.node.path, 'is the blue target group', 'create a second target group for the new tasks');
  }
  if (kind === 'alb' && props.testListener) problems.add('testListener', props.testListener.node.path, 'is a Network Load Balancer listener, but production traffic comes through an Application Load Balancer rule', 'give testListenerRule, a rule of the same load balancer');
  if (kind === 'nlb' && props.testListenerRule) problems.add('testListenerRule', props.testListenerRule.node.path, 'is an Application Load Balancer rule, but production traffic comes through a Network Load Balancer listener', 'give testListener, a listener on another port of the same load balancer');
  if (props.testListenerRule && props.testListenerRule === props.productionListenerRule) problems.add('testListenerRule', props.testListenerRule.node.path, 'is the production listener rule', 'give a rule on a test listener (another port), or leave test traffic out');
  if (props.testListener && props.testListener === props.productionListener) problems.add('testListener', props.testListener.node.path, 'is the production listener', 'give a listener on another port, or leave test traffic out');
  return { kind, test: (kind === 'alb' ? props.testListenerRule : props.testListener) !== undefined };
}

/**
 * At synthesis: the service is attached to the blue target group only through the deployment,
 * and the ALB rules only forward, to the deployment's target groups (ECS fails a deployment on a
 * rule that mixes forward with redirect, fixed-response or authenticate actions).
 */
export function loadBalancerProblems(subject: string, service: ecs.BaseService, props: EcsNativeDeploymentProps): Problems {
  const problems = new Problems(subject);
  const stack = Stack.of(service);
  const key = (v: unknown) => JSON.stringify(stack.resolve(v));
  const ours = new Set([props.blueTargetGroup!, props.greenTargetGroup!].map((t) => key(t.targetGroupArn)));
  const cfn = service.node.defaultChild as ecs.CfnService;
  const entries: any[] = stack.resolve(cfn.loadBalancers) ?? [];
  for (const entry of entries) {
    if (ours.has(JSON.stringify(entry.targetGroupArn ?? entry.TargetGroupArn)) && !(entry.advancedConfiguration ?? entry.AdvancedConfiguration)) {
      problems.add('blueTargetGroup', props.blueTargetGroup!.node.path, 'has the service attached outside the deployment (for example with listener.addTargets or targetGroup.addTarget)', 'remove that attachment: the deployment attaches the service with the green target group and the rule ECS shifts traffic on');
    }
  }
  // ECS registers awsvpc tasks by IP address and other tasks by instance: both target groups must
  // say so (the green one is never attached by CDK, so nothing sets its type for it).
  const networkMode = service.taskDefinition.networkMode;
  const expected = networkMode === ecs.NetworkMode.AWS_VPC ? 'ip' : 'instance';
  for (const [prop, group] of [['blueTargetGroup', props.blueTargetGroup], ['greenTargetGroup', props.greenTargetGroup]] as const) {
    const cfnGroup = group?.node.defaultChild;
    if (!(cfnGroup instanceof elbv2.CfnTargetGroup)) continue;
    const type = stack.resolve(cfnGroup.targetType) ?? 'instance';
    if (typeof type === 'string' && type !== expected) {
      problems.add(prop, group!.node.path, `has target type '${type}', but the service's tasks use ${networkMode} networking, which ECS registers by ${expected === 'ip' ? 'IP address' : 'instance'}`,
        `create it with targetType: elbv2.TargetType.${expected === 'ip' ? 'IP' : 'INSTANCE'}`);
    }
  }
  for (const [prop, rule] of [['productionListenerRule', props.productionListenerRule], ['testListenerRule', props.testListenerRule]] as const) {
    if (!rule) continue;
    const cfnRule = rule.node.defaultChild as elbv2.CfnListenerRule;
    const actions: any[] = stack.resolve(cfnRule.actions) ?? [];
    const other = [...new Set(listenerActions(cfnRule).filter((a) => a.type !== 'forward').map((a) => a.type))];
    if (other.length > 0) {
      problems.add(prop, rule.node.path, `is on a listener whose rules or default action ${other.join(', ')}; ECS blue/green, canary and linear deployments fail on listeners that mix forward with other actions`,
        'let the listener only forward (its default action too, e.g. to the blue target group); put redirects, fixed responses and authentication on another listener');
    }
    const forwarded = actions.filter((a) => a.type === 'forward').flatMap((a) => [a.targetGroupArn, ...(a.forwardConfig?.targetGroups ?? []).map((t: any) => t.targetGroupArn)]).filter((v) => v !== undefined).map((v) => JSON.stringify(v));
    const weighted = 'action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 }])';
    if (forwarded.some((f) => !ours.has(f))) {
      problems.add(prop, rule.node.path, 'forwards to a target group other than the deployment\'s blue and green ones', `forward only to them: ${weighted}`);
    } else if (prop === 'productionListenerRule' && ![...ours].every((tg) => forwarded.includes(tg))) {
      problems.add(prop, rule.node.path, 'does not forward to both target groups; ECS requires the production rule to forward to the blue and the green target group, with weights', weighted);
    }
  }
  return problems;
}

/** The actions of a rule, of the other rules of its listener, and the listener's default actions, as far as the rule's stack declares them. */
function listenerActions(rule: elbv2.CfnListenerRule): any[] {
  const stack = Stack.of(rule);
  const listener = JSON.stringify(stack.resolve(rule.listenerArn));
  const actions: any[] = [];
  for (const node of stack.node.findAll()) {
    if (node instanceof elbv2.CfnListenerRule && JSON.stringify(stack.resolve(node.listenerArn)) === listener) {
      actions.push(...(stack.resolve(node.actions) ?? []));
    } else if (node instanceof elbv2.CfnListener && Stack.of(node) === stack && JSON.stringify({ Ref: stack.getLogicalId(node) }) === listener) {
      actions.push(...(stack.resolve(node.defaultActions) ?? []));
    }
  }
  return actions;
}

/** At synthesis: without a load balancer, the service must use Service Connect for ECS to shift traffic. */
export function serviceConnectProblems(subject: string, service: ecs.BaseService): Problems {
  const problems = new Problems(subject);
  const config: any = Stack.of(service).resolve((service.node.defaultChild as ecs.CfnService).serviceConnectConfiguration);
  if (!config?.enabled) {
    problems.add('blueTargetGroup', undefined, 'is not given, and the service does not use Service Connect: ECS would have no traffic to shift', 'give blueTargetGroup, greenTargetGroup and productionListenerRule (or productionListener), or enable Service Connect on the service');
  }
  return problems;
}
