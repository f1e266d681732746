import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from '../model/pipeline-template';

/**
 * Stage names are unique in a pipeline, action names unique in a stage, output artifact names
 * unique in the pipeline (pipeline structure reference,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html).
 */
export const CodePipelineUniqueNames: DeliveryRule = {
  id: 'CodePipelineUniqueNames',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'Two stages, two actions of a stage, or two output artifacts of the pipeline have the same name.',
  explanation: 'CodePipeline rejects duplicate stage names, action names within a stage, and output artifact names at deploy time (pipeline structure reference).',
  fix: 'give each stage, each action of a stage and each output artifact its own name',
  check(p) {
    const findings: string[] = [];
    const stages = new Set<string>();
    const outputs = new Set<string>();
    for (const stage of stagesOf(p)) {
      if (stage.Name !== undefined && stages.has(stage.Name)) findings.push(`Stage::${stage.Name}`);
      if (stage.Name !== undefined) stages.add(stage.Name);
      const actions = new Set<string>();
      for (const action of stage.Actions ?? []) {
        if (action.Name !== undefined && actions.has(action.Name)) findings.push(`Action::${where(stage, action)}`);
        if (action.Name !== undefined) actions.add(action.Name);
        for (const out of action.OutputArtifacts ?? []) {
          if (out.Name !== undefined && outputs.has(out.Name)) findings.push(`Artifact::${out.Name}`);
          if (out.Name !== undefined) outputs.add(out.Name);
        }
      }
    }
    return findings;
  },
};
