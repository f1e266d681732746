import { CREDENTIAL_NAME, CREDENTIAL_VALUE, SECRET_REFERENCE } from '../../private/credentials';
import { DeliveryRule, RuleLevel } from '../rule';
import { PROJECT } from '../model/pipeline-template';

/**
 * No credentials in plaintext environment variables (Security Hub CodeBuild.2, severity critical,
 * https://docs.aws.amazon.com/securityhub/latest/userguide/codebuild-controls.html): a PLAINTEXT
 * variable named like a credential, valued like an AWS access key or a private key, or holding a
 * CloudFormation dynamic reference to a secret (`{{resolve:secretsmanager:...}}`,
 * `{{resolve:ssm-secure:...}}`), which CloudFormation resolves into the project in plaintext; the
 * same reference in the buildspec does the same.
 */
export const CodeBuildPlaintextCredentials: DeliveryRule = {
  id: 'CodeBuildPlaintextCredentials',
  resourceType: PROJECT,
  level: RuleLevel.ERROR,
  info: 'A plaintext environment variable (or the buildspec) holds a credential, or a {{resolve:...}} reference CloudFormation resolves into the project in plaintext.',
  explanation: 'Plaintext variables and the buildspec are visible in the console and the template; a CloudFormation dynamic reference to a secret is resolved into them. Keep credentials in Secrets Manager (SECRETS_MANAGER) or Parameter Store (PARAMETER_STORE) variables (Security Hub CodeBuild.2, severity critical).',
  fix: 'make the variable a SECRETS_MANAGER or PARAMETER_STORE variable, and read secrets in the build from it',
  check(p) {
    const vars = Array.isArray(p.Environment?.EnvironmentVariables) ? p.Environment.EnvironmentVariables : [];
    const findings: string[] = vars
      .filter((v: { Name?: unknown; Value?: unknown; Type?: string }) => (v.Type ?? 'PLAINTEXT') === 'PLAINTEXT')
      .filter((v: { Name?: unknown; Value?: unknown }) => (typeof v.Name === 'string' && CREDENTIAL_NAME.test(v.Name))
        || (typeof v.Value === 'string' && CREDENTIAL_VALUE.test(v.Value)) || SECRET_REFERENCE.test(JSON.stringify(v.Value ?? '')))
      .map((v: { Name?: unknown }) => `Variable::${v.Name}`);
    if (SECRET_REFERENCE.test(JSON.stringify(p.Source?.BuildSpec ?? ''))) findings.push('BuildSpec::SecretReference');
    return findings;
  },
};
