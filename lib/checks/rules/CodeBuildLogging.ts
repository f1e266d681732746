import { DeliveryRule, RuleLevel } from '../rule';
import { PROJECT } from '../model/pipeline-template';

/**
 * Builds log somewhere (Security Hub CodeBuild.4), and S3 logs are encrypted (CodeBuild.3)
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/codebuild-controls.html).
 */
export const CodeBuildLogging: DeliveryRule = {
  id: 'CodeBuildLogging',
  resourceType: PROJECT,
  level: RuleLevel.WARNING,
  info: 'The project writes no logs, or writes S3 logs unencrypted.',
  explanation: 'Without CloudWatch or S3 logs a failed release cannot be investigated (Security Hub CodeBuild.4); S3 logs must stay encrypted (CodeBuild.3).',
  fix: 'enable CloudWatch Logs (or encrypted S3 logs) for the project',
  check(p) {
    const logs = p.LogsConfig ?? {};
    const cloudWatch = logs.CloudWatchLogs?.Status !== 'DISABLED';
    const s3 = logs.S3Logs?.Status === 'ENABLED';
    const findings: string[] = [];
    if (!cloudWatch && !s3) findings.push('Logs::Disabled');
    if (s3 && logs.S3Logs?.EncryptionDisabled === true) findings.push('Logs::S3Unencrypted');
    return findings;
  },
};
