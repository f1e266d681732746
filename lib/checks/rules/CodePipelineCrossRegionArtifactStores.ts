import { Stack } from 'aws-cdk-lib';
import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from '../model/pipeline-template';

/**
 * An action in another region than the pipeline's needs an artifact store in that region, given in
 * `ArtifactStores` (one per region, the pipeline's own included) instead of `ArtifactStore`
 * (CodePipeline `PipelineDeclaration` API reference,
 * https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html).
 */
export const CodePipelineCrossRegionArtifactStores: DeliveryRule = {
  id: 'CodePipelineCrossRegionArtifactStores',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'An action runs in a region that has no artifact store, or the pipeline gives both ArtifactStore and ArtifactStores.',
  explanation: 'CodePipeline copies artifacts into a store in each region an action runs in; ArtifactStores must list every such region and the pipeline\'s own, and excludes ArtifactStore (PipelineDeclaration API reference).',
  fix: 'list an artifact store for every region an action runs in (and the pipeline\'s) in ArtifactStores, without ArtifactStore',
  check(p, resource) {
    const findings: string[] = [];
    const stores = Array.isArray(p.ArtifactStores) ? p.ArtifactStores : undefined;
    if (stores && p.ArtifactStore) findings.push('ArtifactStore::BothGiven');
    const regions = new Set((stores ?? []).map((s: { Region?: string }) => s.Region));
    const home = Stack.of(resource).region;
    for (const stage of stagesOf(p)) {
      for (const action of stage.Actions ?? []) {
        const region = action.Region;
        if (typeof region !== 'string' || region === home) continue;
        if (!regions.has(region)) findings.push(`Region::${where(stage, action)}::${region}`);
      }
    }
    return findings;
  },
};
