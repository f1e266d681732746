import { CfnResource } from 'aws-cdk-lib';
import { DeliveryRule, RuleLevel, referencedId, resourceById } from '../rule';
import { DEPLOYMENT_GROUP } from '../model/pipeline-template';

type Platform = 'Server' | 'ECS' | 'Lambda';

/** Listener and target group protocols of Network Load Balancers. */
const NLB_PROTOCOLS = ['TCP', 'UDP', 'TCP_UDP', 'TLS'];

/** The platform of a predefined configuration, from its name. */
function platformOfPredefined(name: string): Platform | undefined {
  if (!name.startsWith('CodeDeployDefault.')) return undefined;
  if (name.startsWith('CodeDeployDefault.Lambda')) return 'Lambda';
  if (name.startsWith('CodeDeployDefault.ECS')) return 'ECS';
  return 'Server';
}

/**
 * A deployment group's configuration is one of its compute platform (`CodeDeployDefault.Lambda*`
 * for Lambda, `CodeDeployDefault.ECS*` for ECS, the others for EC2/on-premises), and an ECS group
 * behind a Network Load Balancer (known from its target groups, or from its listeners: a
 * `.../listener/net/...` ARN, or a listener of this template) deploys all at once (CodeDeploy deployment configurations,
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html).
 */
export const CodeDeployStrategyPlatform: DeliveryRule = {
  id: 'CodeDeployStrategyPlatform',
  resourceType: DEPLOYMENT_GROUP,
  level: RuleLevel.ERROR,
  info: 'The deployment configuration is for another compute platform than the deployment group\'s, or is not all-at-once behind a Network Load Balancer.',
  explanation: 'CodeDeploy rejects a Lambda configuration on an EC2 or ECS group (and the other way round), and supports only CodeDeployDefault.ECSAllAtOnce for ECS services behind a Network Load Balancer (deployment configurations).',
  fix: 'use a deployment configuration of the group\'s compute platform (CodeDeployDefault.ECSAllAtOnce behind a Network Load Balancer)',
  check(p, resource: CfnResource) {
    const appPlatform = resourceById(resource, referencedId(p.ApplicationName))?.Properties?.ComputePlatform as Platform | undefined;
    const platform: Platform | undefined = appPlatform ?? (Array.isArray(p.ECSServices) && p.ECSServices.length > 0 ? 'ECS' : undefined);
    const configName = p.DeploymentConfigName;
    const configId = referencedId(configName);
    const configPlatform = typeof configName === 'string'
      ? platformOfPredefined(configName)
      : resourceById(resource, configId)?.Properties?.ComputePlatform as Platform | undefined;
    const findings: string[] = [];
    const shown = typeof configName === 'string' ? configName : configId;
    if (platform && configPlatform && platform !== configPlatform) findings.push(`Config::${shown}::${platform}`);
    // Without a configuration name CodeDeploy uses CodeDeployDefault.ECSAllAtOnce.
    if (platform === 'ECS' && configName !== undefined && configName !== 'CodeDeployDefault.ECSAllAtOnce') {
      const pairs = Array.isArray(p.LoadBalancerInfo?.TargetGroupPairInfoList) ? p.LoadBalancerInfo.TargetGroupPairInfoList : [];
      const groups = pairs.flatMap((pair: { TargetGroups?: Array<{ Name?: unknown }> }) => pair.TargetGroups ?? []);
      const nlbGroup = groups.some((g: { Name?: unknown }) => {
        const tg = resourceById(resource, referencedId(g.Name));
        return tg?.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup' && NLB_PROTOCOLS.includes(tg.Properties?.Protocol);
      });
      // Imported target groups are known by name only: their listeners tell the load balancer's type.
      const listeners: unknown[] = pairs.flatMap((pair: { ProdTrafficRoute?: { ListenerArns?: unknown }; TestTrafficRoute?: { ListenerArns?: unknown } }) =>
        [pair.ProdTrafficRoute?.ListenerArns, pair.TestTrafficRoute?.ListenerArns].flatMap((l) => (Array.isArray(l) ? l : [])));
      const nlbListener = listeners.some((arn) => {
        if (typeof arn === 'string') return /:listener\/net\//.test(arn);
        const listener = resourceById(resource, referencedId(arn));
        if (listener?.Type !== 'AWS::ElasticLoadBalancingV2::Listener') return false;
        const lb = resourceById(resource, referencedId(listener.Properties?.LoadBalancerArn));
        return NLB_PROTOCOLS.includes(listener.Properties?.Protocol) || lb?.Properties?.Type === 'network';
      });
      const nlb = nlbGroup || nlbListener;
      if (nlb) findings.push(`Config::${shown}::NetworkLoadBalancer`);
    }
    return findings;
  },
};
