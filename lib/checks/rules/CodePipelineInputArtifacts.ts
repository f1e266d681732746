import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, runOrderOf, stagesOf, where } from '../model/pipeline-template';

/**
 * Every input artifact is the output of an earlier action: an earlier stage, or a lower runOrder
 * of the same stage (pipeline structure reference,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html).
 */
export const CodePipelineInputArtifacts: DeliveryRule = {
  id: 'CodePipelineInputArtifacts',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'An action reads an artifact that no earlier action produces.',
  explanation: 'CodePipeline rejects an input artifact that is not the output of an action in an earlier stage or at a lower runOrder of the same stage (pipeline structure reference).',
  fix: 'read an artifact an earlier stage (or a lower runOrder) outputs, or add the action that outputs it',
  check(p) {
    const findings: string[] = [];
    const produced = new Set<string>();
    for (const stage of stagesOf(p)) {
      const actions = stage.Actions ?? [];
      const orders = [...new Set(actions.map(runOrderOf))].sort((a, b) => a - b);
      for (const order of orders) {
        const group = actions.filter((a) => runOrderOf(a) === order);
        for (const action of group) {
          for (const input of action.InputArtifacts ?? []) {
            if (input.Name !== undefined && !produced.has(input.Name)) findings.push(`Artifact::${where(stage, action)}::${input.Name}`);
          }
        }
        group.forEach((a) => (a.OutputArtifacts ?? []).forEach((o) => o.Name !== undefined && produced.add(o.Name)));
      }
    }
    return findings;
  },
};
