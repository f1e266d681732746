import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf } from './pipeline-model';

/**
 * 1 to 50 actions per stage and at most 500 per pipeline (CodePipeline quotas,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html).
 */
export const CodePipelineActionCount: DeliveryRule = {
  id: 'CodePipelineActionCount',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'A stage has no action or more than 50, or the pipeline more than 500.',
  explanation: 'CodePipeline allows 1 to 50 actions per stage and 500 per pipeline (CodePipeline quotas).',
  fix: 'give every stage an action, and split stages or pipelines above 50 actions per stage or 500 per pipeline',
  check(p) {
    const findings: string[] = [];
    let total = 0;
    for (const stage of stagesOf(p)) {
      const n = (stage.Actions ?? []).length;
      total += n;
      if (n < 1 || n > 50) findings.push(`Stage::${stage.Name}::${n}`);
    }
    if (total > 500) findings.push(`Pipeline::${total}`);
    return findings;
  },
};
