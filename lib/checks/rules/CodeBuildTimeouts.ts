import { DeliveryRule, RuleLevel } from '../rule';
import { PROJECT } from '../model/pipeline-template';
import { BUILD_TIMEOUT_MINUTES, QUEUED_TIMEOUT_MINUTES, formatNumber, outside } from '../../private/limits';

/**
 * Build timeout 5 to 2,160 minutes, queued timeout 5 to 480 (CodeBuild `CreateProject` API
 * reference, https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html).
 */
export const CodeBuildTimeouts: DeliveryRule = {
  id: 'CodeBuildTimeouts',
  resourceType: PROJECT,
  level: RuleLevel.ERROR,
  info: `The build timeout is outside ${BUILD_TIMEOUT_MINUTES.min} to ${formatNumber(BUILD_TIMEOUT_MINUTES.max)} minutes, or the queued timeout outside ${QUEUED_TIMEOUT_MINUTES.min} to ${QUEUED_TIMEOUT_MINUTES.max}.`,
  explanation: `CodeBuild rejects build timeouts outside ${BUILD_TIMEOUT_MINUTES.min}-${formatNumber(BUILD_TIMEOUT_MINUTES.max)} minutes and queued timeouts outside ${QUEUED_TIMEOUT_MINUTES.min}-${QUEUED_TIMEOUT_MINUTES.max} minutes (CreateProject API reference).`,
  fix: `use a build timeout of ${BUILD_TIMEOUT_MINUTES.min} to ${formatNumber(BUILD_TIMEOUT_MINUTES.max)} minutes and a queued timeout of ${QUEUED_TIMEOUT_MINUTES.min} to ${QUEUED_TIMEOUT_MINUTES.max}`,
  check(p) {
    const findings: string[] = [];
    const t = p.TimeoutInMinutes;
    const q = p.QueuedTimeoutInMinutes;
    if (typeof t === 'number' && outside(t, BUILD_TIMEOUT_MINUTES)) findings.push(`Timeout::${t}`);
    if (typeof q === 'number' && outside(q, QUEUED_TIMEOUT_MINUTES)) findings.push(`QueuedTimeout::${q}`);
    return findings;
  },
};
