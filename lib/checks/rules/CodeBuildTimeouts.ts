import { DeliveryRule, RuleLevel } from '../rule';
import { PROJECT } from './pipeline-model';

/**
 * Build timeout 5 to 2,160 minutes, queued timeout 5 to 480 (CodeBuild `CreateProject` API
 * reference, https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html).
 */
export const CodeBuildTimeouts: DeliveryRule = {
  id: 'CodeBuildTimeouts',
  resourceType: PROJECT,
  level: RuleLevel.ERROR,
  info: 'The build timeout is outside 5 to 2,160 minutes, or the queued timeout outside 5 to 480.',
  explanation: 'CodeBuild rejects build timeouts outside 5-2,160 minutes and queued timeouts outside 5-480 minutes (CreateProject API reference).',
  fix: 'use a build timeout of 5 to 2,160 minutes and a queued timeout of 5 to 480',
  check(p) {
    const findings: string[] = [];
    const t = p.TimeoutInMinutes;
    const q = p.QueuedTimeoutInMinutes;
    if (typeof t === 'number' && (t < 5 || t > 2160)) findings.push(`Timeout::${t}`);
    if (typeof q === 'number' && (q < 5 || q > 480)) findings.push(`QueuedTimeout::${q}`);
    return findings;
  },
};
