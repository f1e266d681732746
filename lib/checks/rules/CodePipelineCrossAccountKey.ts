import { Stack, Token } from 'aws-cdk-lib';
import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, accountOfRoleArn, stagesOf, where } from '../model/pipeline-template';

/**
 * An action that assumes a role in another account needs an artifact store encrypted with a
 * customer-managed KMS key: the AWS-managed `aws/s3` key cannot be shared across accounts
 * (CodePipeline, "Create a pipeline that uses resources from another AWS account",
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-create-cross-account.html).
 */
export const CodePipelineCrossAccountKey: DeliveryRule = {
  id: 'CodePipelineCrossAccountKey',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'An action runs in another account, but an artifact store has no customer-managed KMS key.',
  explanation: 'A role in another account cannot decrypt artifacts encrypted with the AWS-managed aws/s3 key; give the artifact store a customer-managed key whose policy lets that role use it (cross-account pipelines).',
  fix: 'encrypt the artifact stores with a customer-managed KMS key whose policy lets the other account\'s role use it',
  check(p, resource) {
    const home = Stack.of(resource).account;
    const stores = [p.ArtifactStore, ...(Array.isArray(p.ArtifactStores) ? p.ArtifactStores.map((s: { ArtifactStore?: unknown }) => s.ArtifactStore) : [])]
      .filter((s): s is { EncryptionKey?: { Id?: unknown } } => !!s);
    const unkeyed = stores.some((s) => !s.EncryptionKey || (typeof s.EncryptionKey.Id === 'string' && /alias\/aws\/s3$/.test(s.EncryptionKey.Id)));
    if (!unkeyed) return [];
    const findings: string[] = [];
    for (const stage of stagesOf(p)) {
      for (const action of stage.Actions ?? []) {
        const account = accountOfRoleArn(action.RoleArn);
        if (account && !Token.isUnresolved(home) && account !== home) findings.push(`Action::${where(stage, action)}::${account}`);
      }
    }
    return findings;
  },
};
