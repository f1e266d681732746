/** Patterns of credentials and secret references, used by constructs and by the checks in lib/checks. */

/** Names of plain variables that hold credentials (Security Hub CodeBuild.2). */
export const CREDENTIAL_NAME = /(^|_)(PASSWORD|PASSWD|PASSPHRASE|SECRET|SECRET_KEY|SECRET_ACCESS_KEY|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_KEY_ID|CREDENTIALS?)$/i;

/**
 * CloudFormation dynamic references to secrets: CloudFormation resolves them when it creates the
 * resource, so in a CodeBuild command or plain variable the secret is stored in the project in
 * plaintext (CloudFormation dynamic references; Security Hub CodeBuild.2).
 */
export const SECRET_REFERENCE = /\{\{resolve:(secretsmanager|ssm-secure):/;

/** Values that are AWS access key ids or PEM private keys. */
export const CREDENTIAL_VALUE = /\b(AKIA|ASIA)[A-Z0-9]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----/;
