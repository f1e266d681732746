import { DeliveryRule, RuleLevel } from '../rule';
import { DEPLOYMENT_GROUP } from '../model/pipeline-template';
import { ECS_READY_WAIT_MINUTES, SERVER_READY_WAIT_MINUTES, TERMINATION_WAIT_MINUTES, formatNumber, outside } from '../../private/limits';

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
  explanation: `CodeDeploy terminates the blue fleet at most ${formatNumber(TERMINATION_WAIT_MINUTES.max)} minutes after success, and waits at most ${formatNumber(SERVER_READY_WAIT_MINUTES.max)} minutes (EC2) or ${formatNumber(ECS_READY_WAIT_MINUTES.max)} minutes (ECS) for a manual reroute (CodeDeploy quotas).`,
  fix: 'shorten the wait to the CodeDeploy maximum',
  check(p) {
    const findings: string[] = [];
    const bg = p.BlueGreenDeploymentConfiguration ?? {};
    const terminate = bg.TerminateBlueInstancesOnDeploymentSuccess?.TerminationWaitTimeInMinutes;
    if (typeof terminate === 'number' && outside(terminate, TERMINATION_WAIT_MINUTES)) findings.push(`TerminationWait::${terminate}`);
    const ready = bg.DeploymentReadyOption?.WaitTimeInMinutes;
    const quota = Array.isArray(p.ECSServices) && p.ECSServices.length > 0 ? ECS_READY_WAIT_MINUTES : SERVER_READY_WAIT_MINUTES;
    if (typeof ready === 'number' && outside(ready, quota)) findings.push(`ReadyWait::${ready}`);
    return findings;
  },
};
