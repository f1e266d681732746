import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';

/**
 * What a role needs, beyond the artifact's objects in the artifact bucket, to read an artifact:
 * for example a Git clone reference, which the build resolves through a CodeConnections
 * connection. Whoever produces such an artifact (a source) registers the grant; every step that
 * reads the artifact adds it to its role, without knowing what produced it.
 *
 * @internal
 */
export interface ArtifactReadGrant {
  /** Statement id; a step reading several such artifacts numbers the later ones. */
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
}

const grants = new WeakMap<codepipeline.Artifact, ArtifactReadGrant[]>();

/**
 * Records what reading the artifact needs.
 *
 * @internal
 */
export function addArtifactReadGrant(artifact: codepipeline.Artifact, grant: ArtifactReadGrant): void {
  const list = grants.get(artifact) ?? [];
  if (!list.some((g) => g.sid === grant.sid && g.resources.join() === grant.resources.join())) list.push(grant);
  grants.set(artifact, list);
}

/**
 * What reading the artifact needs beyond its objects.
 *
 * @internal
 */
export function artifactReadGrants(artifact: codepipeline.Artifact): readonly ArtifactReadGrant[] {
  return grants.get(artifact) ?? [];
}
