import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf } from './pipeline-model';

/** 2 to 50 stages per pipeline (CodePipeline quotas, https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html). */
export const CodePipelineStageCount: DeliveryRule = {
  id: 'CodePipelineStageCount',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'The pipeline has fewer than 2 or more than 50 stages.',
  explanation: 'A pipeline needs a source stage and at least one more, and holds at most 50 stages (CodePipeline quotas).',
  fix: 'add a stage after the source (or merge stages down to 50)',
  check(p) {
    if (!Array.isArray(p.Stages)) return [];
    const n = stagesOf(p).length;
    return n < 2 || n > 50 ? [`Stages::${n}`] : [];
  },
};
