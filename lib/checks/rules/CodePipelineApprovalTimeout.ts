import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from './pipeline-model';

/**
 * An action timeout (V2) applies only to manual approvals and is whole minutes from 5 to 86,400
 * (60 days) (CodePipeline `ActionDeclaration` API reference,
 * https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html; quotas).
 */
export const CodePipelineApprovalTimeout: DeliveryRule = {
  id: 'CodePipelineApprovalTimeout',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'An approval timeout is not a whole number of minutes from 5 to 86,400, or a timeout is set on an action that is not an approval.',
  explanation: 'TimeoutInMinutes is available only to manual approval actions and ranges from 5 minutes to 86,400 minutes (60 days) (ActionDeclaration API reference; CodePipeline quotas).',
  fix: 'set TimeoutInMinutes only on manual approvals, as a whole number from 5 to 86,400',
  check(p) {
    const findings: string[] = [];
    for (const stage of stagesOf(p)) {
      for (const action of stage.Actions ?? []) {
        const t = action.TimeoutInMinutes;
        if (t === undefined) continue;
        if (action.ActionTypeId?.Category !== 'Approval') findings.push(`Timeout::${where(stage, action)}::NotAnApproval`);
        else if (typeof t === 'number' && (!Number.isInteger(t) || t < 5 || t > 86400)) findings.push(`Timeout::${where(stage, action)}::${t}`);
      }
    }
    return findings;
  },
};
