import { DeliveryRule, RuleLevel } from '../rule';
import { PROJECT } from '../model/pipeline-template';

/**
 * Build artifacts stay encrypted: no `EncryptionDisabled` on the primary or secondary artifacts
 * (CodeBuild data encryption, https://docs.aws.amazon.com/codebuild/latest/userguide/security-encryption.html).
 */
export const CodeBuildArtifactEncryption: DeliveryRule = {
  id: 'CodeBuildArtifactEncryption',
  resourceType: PROJECT,
  level: RuleLevel.WARNING,
  info: 'The project writes artifacts with encryption disabled.',
  explanation: 'Build outputs may hold secrets of the build; CodeBuild encrypts them unless EncryptionDisabled is set (CodeBuild data encryption).',
  fix: 'remove EncryptionDisabled from the artifacts',
  check(p) {
    const all = [p.Artifacts, ...(Array.isArray(p.SecondaryArtifacts) ? p.SecondaryArtifacts : [])].filter((a) => !!a);
    return all.filter((a: { EncryptionDisabled?: boolean }) => a.EncryptionDisabled === true)
      .map((a: { ArtifactIdentifier?: string }) => `Artifact::${a.ArtifactIdentifier ?? 'primary'}`);
  },
};
