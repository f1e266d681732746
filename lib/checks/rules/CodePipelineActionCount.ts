import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf } from '../model/pipeline-template';
import { PIPELINE_ACTIONS, STAGE_ACTIONS, outside } from '../../private/limits';

/**
 * 1 to 50 actions per stage and at most 500 per pipeline (CodePipeline quotas,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html).
 */
export const CodePipelineActionCount: DeliveryRule = {
  id: 'CodePipelineActionCount',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: `A stage has no action or more than ${STAGE_ACTIONS.max}, or the pipeline more than ${PIPELINE_ACTIONS.max}.`,
  explanation: `CodePipeline allows ${STAGE_ACTIONS.min} to ${STAGE_ACTIONS.max} actions per stage and ${PIPELINE_ACTIONS.max} per pipeline (CodePipeline quotas).`,
  fix: `give every stage an action, and split stages or pipelines above ${STAGE_ACTIONS.max} actions per stage or ${PIPELINE_ACTIONS.max} per pipeline`,
  check(p) {
    const findings: string[] = [];
    let total = 0;
    for (const stage of stagesOf(p)) {
      const n = (stage.Actions ?? []).length;
      total += n;
      if (outside(n, STAGE_ACTIONS)) findings.push(`Stage::${stage.Name}::${n}`);
    }
    if (total > PIPELINE_ACTIONS.max) findings.push(`Pipeline::${total}`);
    return findings;
  },
};
