import { CREDENTIAL_NAME, CREDENTIAL_VALUE } from '../../private/limits';
import { DeliveryRule, RuleLevel } from '../rule';
import { PROJECT } from './pipeline-model';

/**
 * No credentials in plaintext environment variables (Security Hub CodeBuild.2,
 * https://docs.aws.amazon.com/securityhub/latest/userguide/codebuild-controls.html): a PLAINTEXT
 * variable named like a credential, or valued like an AWS access key or a private key.
 */
export const CodeBuildPlaintextCredentials: DeliveryRule = {
  id: 'CodeBuildPlaintextCredentials',
  resourceType: PROJECT,
  level: RuleLevel.WARNING,
  info: 'A plaintext environment variable holds what looks like a credential.',
  explanation: 'Plaintext variables are visible in the console and the template; keep credentials in Secrets Manager (SECRETS_MANAGER) or Parameter Store (PARAMETER_STORE) variables (Security Hub CodeBuild.2).',
  fix: 'make the variable a SECRETS_MANAGER or PARAMETER_STORE variable',
  check(p) {
    const vars = Array.isArray(p.Environment?.EnvironmentVariables) ? p.Environment.EnvironmentVariables : [];
    return vars
      .filter((v: { Name?: unknown; Value?: unknown; Type?: string }) => (v.Type ?? 'PLAINTEXT') === 'PLAINTEXT')
      .filter((v: { Name?: unknown; Value?: unknown }) => (typeof v.Name === 'string' && CREDENTIAL_NAME.test(v.Name)) || (typeof v.Value === 'string' && CREDENTIAL_VALUE.test(v.Value)))
      .map((v: { Name?: unknown }) => `Variable::${v.Name}`);
  },
};
