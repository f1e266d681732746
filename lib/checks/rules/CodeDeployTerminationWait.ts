import { DeliveryRule, RuleLevel } from '../rule';
import { DEPLOYMENT_GROUP } from './pipeline-model';

/**
 * Blue/green waits: the original instances or tasks are terminated at most 2,880 minutes after a
 * successful deployment; the wait before traffic is rerouted is at most 2,880 minutes on EC2 and
 * 7,200 (120 hours) on ECS (CodeDeploy quotas, https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html).
 */
export const CodeDeployTerminationWait: DeliveryRule = {
  id: 'CodeDeployTerminationWait',
  resourceType: DEPLOYMENT_GROUP,
  level: RuleLevel.ERROR,
  info: 'A blue/green wait is longer than CodeDeploy allows.',
  explanation: 'CodeDeploy terminates the blue fleet at most 2,880 minutes after success, and waits at most 2,880 minutes (EC2) or 7,200 minutes (ECS) for a manual reroute (CodeDeploy quotas).',
  fix: 'shorten the wait to the CodeDeploy maximum',
  check(p) {
    const findings: string[] = [];
    const bg = p.BlueGreenDeploymentConfiguration ?? {};
    const terminate = bg.TerminateBlueInstancesOnDeploymentSuccess?.TerminationWaitTimeInMinutes;
    if (typeof terminate === 'number' && (terminate < 0 || terminate > 2880)) findings.push(`TerminationWait::${terminate}`);
    const ready = bg.DeploymentReadyOption?.WaitTimeInMinutes;
    const max = Array.isArray(p.ECSServices) && p.ECSServices.length > 0 ? 7200 : 2880;
    if (typeof ready === 'number' && (ready < 0 || ready > max)) findings.push(`ReadyWait::${ready}`);
    return findings;
  },
};
