import { ACTION_NAME, PIPELINE_NAME, STAGE_NAME } from '../../private/names';
import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from '../model/pipeline-template';

/**
 * Pipeline, stage and action names: 1 to 100 characters from `A-Za-z0-9.@_-`
 * (CodePipeline pipeline structure reference, https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html,
 * and quotas, https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html).
 */
export const CodePipelineNames: DeliveryRule = {
  id: 'CodePipelineNames',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'A pipeline, stage or action name is not 1 to 100 characters from A-Z a-z 0-9 . @ _ -.',
  explanation: 'CodePipeline rejects the pipeline at deploy time (pipeline structure reference; quotas).',
  fix: 'rename it with 1 to 100 characters from A-Z a-z 0-9 . @ _ -',
  check(p) {
    const findings: string[] = [];
    if (typeof p.Name === 'string' && !PIPELINE_NAME.pattern.test(p.Name)) findings.push(`Pipeline::${p.Name}`);
    for (const stage of stagesOf(p)) {
      if (typeof stage.Name === 'string' && !STAGE_NAME.pattern.test(stage.Name)) findings.push(`Stage::${stage.Name}`);
      for (const action of stage.Actions ?? []) {
        if (typeof action.Name === 'string' && !ACTION_NAME.pattern.test(action.Name)) findings.push(`Action::${where(stage, action)}`);
      }
    }
    return findings;
  },
};
