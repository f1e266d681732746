import { DEPLOYMENT_GROUP_NAME } from '../../private/names';
import { DeliveryRule, RuleLevel } from '../rule';
import { DEPLOYMENT_CONFIG } from '../model/pipeline-template';
import { TRAFFIC_SHIFT_MINUTES, formatNumber } from '../../private/limits';

/**
 * Custom deployment configurations: a name of at most 100 characters from `A-Za-z0-9._+=,@-` that
 * does not start with `CodeDeployDefault.`; minimum healthy hosts a whole count of 0 or more or a
 * whole percentage 0-99; canary and linear steps a whole percentage 1-99 at whole-minute
 * intervals, at most 2,880 minutes from the first shift to the last (CodeDeploy quotas,
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html; `CreateDeploymentConfig` API reference).
 */
export const CodeDeployConfigRanges: DeliveryRule = {
  id: 'CodeDeployConfigRanges',
  resourceType: DEPLOYMENT_CONFIG,
  level: RuleLevel.ERROR,
  info: 'A deployment configuration has an invalid name, minimum healthy hosts, or traffic-shifting step.',
  explanation: `CodeDeploy rejects names starting with CodeDeployDefault. or outside 100 characters of A-Z a-z 0-9 . _ + = , @ -, fleet percentages outside 0-99, canary/linear percentages outside 1-99 and shifts lasting more than ${formatNumber(TRAFFIC_SHIFT_MINUTES.max)} minutes (CodeDeploy quotas; CreateDeploymentConfig).`,
  fix: 'use a name outside CodeDeployDefault., whole percentages in range, and shorter shifts',
  check(p) {
    const findings: string[] = [];
    const name = p.DeploymentConfigName;
    if (typeof name === 'string' && (!DEPLOYMENT_GROUP_NAME.test(name) || name.startsWith('CodeDeployDefault.'))) findings.push(`Name::${name}`);
    const hosts = p.MinimumHealthyHosts;
    if (hosts && typeof hosts.Value === 'number') {
      const v = hosts.Value;
      if (!Number.isInteger(v) || v < 0 || (hosts.Type === 'FLEET_PERCENT' && v > 99)) findings.push(`MinimumHealthyHosts::${hosts.Type}::${v}`);
    }
    const routing = p.TrafficRoutingConfig;
    const step = routing?.TimeBasedCanary
      ? { kind: 'Canary', percent: routing.TimeBasedCanary.CanaryPercentage, interval: routing.TimeBasedCanary.CanaryInterval, shifts: 1 }
      : routing?.TimeBasedLinear
        ? { kind: 'Linear', percent: routing.TimeBasedLinear.LinearPercentage, interval: routing.TimeBasedLinear.LinearInterval, shifts: undefined }
        : undefined;
    if (step) {
      const { percent, interval } = step;
      if (typeof percent === 'number' && (!Number.isInteger(percent) || percent < 1 || percent > 99)) findings.push(`${step.kind}Percentage::${percent}`);
      if (typeof interval === 'number' && (!Number.isInteger(interval) || interval < 1)) findings.push(`${step.kind}Interval::${interval}`);
      if (typeof percent === 'number' && typeof interval === 'number' && percent >= 1) {
        // Shifts after the first: one for a canary; for linear steps, until 100% is reached.
        const shifts = step.shifts ?? Math.ceil(100 / percent) - 1;
        if (shifts * interval > TRAFFIC_SHIFT_MINUTES.max) findings.push(`${step.kind}Duration::${shifts * interval}`);
      }
    }
    return findings;
  },
};
