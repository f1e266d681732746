import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf } from '../model/pipeline-template';
import { PIPELINE_STAGES, outside } from '../../private/limits';

/** 2 to 50 stages per pipeline (CodePipeline quotas, https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html). */
export const CodePipelineStageCount: DeliveryRule = {
  id: 'CodePipelineStageCount',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: `The pipeline has fewer than ${PIPELINE_STAGES.min} or more than ${PIPELINE_STAGES.max} stages.`,
  explanation: `A pipeline needs a source stage and at least one more, and holds at most ${PIPELINE_STAGES.max} stages (CodePipeline quotas).`,
  fix: `add a stage after the source (or merge stages down to ${PIPELINE_STAGES.max})`,
  check(p) {
    if (!Array.isArray(p.Stages)) return [];
    const n = stagesOf(p).length;
    return outside(n, PIPELINE_STAGES) ? [`Stages::${n}`] : [];
  },
};
