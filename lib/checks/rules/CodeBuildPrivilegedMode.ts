import { DeliveryRule, RuleLevel } from '../rule';
import { PROJECT } from '../model/pipeline-template';

/**
 * Privileged mode gives builds root on the build host; use it only for Docker builds (Security Hub
 * CodeBuild.5, https://docs.aws.amazon.com/securityhub/latest/userguide/codebuild-controls.html).
 */
export const CodeBuildPrivilegedMode: DeliveryRule = {
  id: 'CodeBuildPrivilegedMode',
  resourceType: PROJECT,
  level: RuleLevel.WARNING,
  info: 'The project runs in privileged mode.',
  explanation: 'Privileged mode is needed only to build Docker images; elsewhere it gives every build root on the host (Security Hub CodeBuild.5). Suppress this finding on projects that build images.',
  fix: 'turn privileged mode off, or suppress this finding on a project that builds Docker images',
  check(p) {
    return p.Environment?.PrivilegedMode === true ? ['PrivilegedMode'] : [];
  },
};
