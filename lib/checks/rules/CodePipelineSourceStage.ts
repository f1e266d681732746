import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from '../model/pipeline-template';

/**
 * Source actions are in the first stage only, and the first stage holds only source actions
 * (pipeline structure reference, https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html).
 */
export const CodePipelineSourceStage: DeliveryRule = {
  id: 'CodePipelineSourceStage',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'A source action is outside the first stage, or the first stage holds an action that is not a source.',
  explanation: 'CodePipeline requires every source action in the first stage and only source actions there (pipeline structure reference).',
  fix: 'move source actions into the first stage and other actions out of it',
  check(p) {
    const findings: string[] = [];
    stagesOf(p).forEach((stage, i) => {
      for (const action of stage.Actions ?? []) {
        const source = action.ActionTypeId?.Category === 'Source';
        if (source !== (i === 0)) findings.push(`Action::${where(stage, action)}`);
      }
    });
    return findings;
  },
};
