import { DeliveryRule, RuleLevel } from '../rule';
import { DEPLOYMENT_GROUP } from '../model/pipeline-template';
import { DEPLOYMENT_ALARMS } from '../../private/limits';

/**
 * At most 10 alarms per deployment group (CodeDeploy quotas,
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html), and rollback on alarm only
 * with alarms to watch (`AutoRollbackConfiguration` with `DEPLOYMENT_STOP_ON_ALARM`).
 */
export const CodeDeployAlarms: DeliveryRule = {
  id: 'CodeDeployAlarms',
  resourceType: DEPLOYMENT_GROUP,
  level: RuleLevel.ERROR,
  info: `The deployment group has more than ${DEPLOYMENT_ALARMS.max} alarms, or rolls back on alarms without any.`,
  explanation: `CodeDeploy watches at most ${DEPLOYMENT_ALARMS.max} CloudWatch alarms per deployment group (CodeDeploy quotas); a rollback on DEPLOYMENT_STOP_ON_ALARM needs alarms to watch.`,
  fix: `combine alarms into at most ${DEPLOYMENT_ALARMS.max} (composite alarms), or give alarms to roll back on`,
  check(p) {
    const findings: string[] = [];
    const alarms = Array.isArray(p.AlarmConfiguration?.Alarms) ? p.AlarmConfiguration.Alarms : [];
    if (alarms.length > DEPLOYMENT_ALARMS.max) findings.push(`Alarms::${alarms.length}`);
    const events = Array.isArray(p.AutoRollbackConfiguration?.Events) ? p.AutoRollbackConfiguration.Events : [];
    if (p.AutoRollbackConfiguration?.Enabled !== false && events.includes('DEPLOYMENT_STOP_ON_ALARM') && alarms.length === 0) {
      findings.push('AutoRollback::DEPLOYMENT_STOP_ON_ALARM');
    }
    return findings;
  },
};
