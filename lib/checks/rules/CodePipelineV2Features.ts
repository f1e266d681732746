import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from '../model/pipeline-template';

/**
 * Pipeline variables, triggers, the QUEUED and PARALLEL execution modes, stage conditions and
 * per-action timeouts exist only on V2 pipelines (CodePipeline pipeline types,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/pipeline-types.html).
 */
export const CodePipelineV2Features: DeliveryRule = {
  id: 'CodePipelineV2Features',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'A V1 pipeline uses a feature of V2 pipelines.',
  explanation: 'Variables, triggers, QUEUED/PARALLEL execution, stage conditions (BeforeEntry, OnSuccess, OnFailure) and action timeouts need PipelineType V2 (CodePipeline pipeline types).',
  fix: 'set PipelineType V2, or remove the V2-only setting',
  check(p) {
    if (p.PipelineType === 'V2') return [];
    const findings: string[] = [];
    if (Array.isArray(p.Variables) && p.Variables.length > 0) findings.push('Feature::Variables');
    if (Array.isArray(p.Triggers) && p.Triggers.length > 0) findings.push('Feature::Triggers');
    if (p.ExecutionMode === 'QUEUED' || p.ExecutionMode === 'PARALLEL') findings.push(`Feature::ExecutionMode::${p.ExecutionMode}`);
    for (const stage of stagesOf(p)) {
      for (const key of ['BeforeEntry', 'OnFailure', 'OnSuccess'] as const) {
        if (stage[key] !== undefined) findings.push(`Feature::${stage.Name}::${key}`);
      }
      for (const action of stage.Actions ?? []) {
        if (action.TimeoutInMinutes !== undefined) findings.push(`Feature::${where(stage, action)}::TimeoutInMinutes`);
      }
    }
    return findings;
  },
};
