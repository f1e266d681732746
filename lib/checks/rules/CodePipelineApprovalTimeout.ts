import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from '../model/pipeline-template';
import { APPROVAL_TIMEOUT_MINUTES, formatNumber, outside } from '../../private/limits';

/**
 * An action timeout (V2) applies only to manual approvals and is whole minutes from 5 to 86,400
 * (60 days) (CodePipeline `ActionDeclaration` API reference,
 * https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html; quotas).
 */
export const CodePipelineApprovalTimeout: DeliveryRule = {
  id: 'CodePipelineApprovalTimeout',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: `An approval timeout is not a whole number of minutes from ${APPROVAL_TIMEOUT_MINUTES.min} to ${formatNumber(APPROVAL_TIMEOUT_MINUTES.max)}, or a timeout is set on an action that is not an approval.`,
  explanation: `TimeoutInMinutes is available only to manual approval actions and ranges from ${APPROVAL_TIMEOUT_MINUTES.min} minutes to ${formatNumber(APPROVAL_TIMEOUT_MINUTES.max)} minutes (60 days) (ActionDeclaration API reference; CodePipeline quotas).`,
  fix: `set TimeoutInMinutes only on manual approvals, as a whole number from ${APPROVAL_TIMEOUT_MINUTES.min} to ${formatNumber(APPROVAL_TIMEOUT_MINUTES.max)}`,
  check(p) {
    const findings: string[] = [];
    for (const stage of stagesOf(p)) {
      for (const action of stage.Actions ?? []) {
        const t = action.TimeoutInMinutes;
        if (t === undefined) continue;
        if (action.ActionTypeId?.Category !== 'Approval') findings.push(`Timeout::${where(stage, action)}::NotAnApproval`);
        else if (typeof t === 'number' && (!Number.isInteger(t) || outside(t, APPROVAL_TIMEOUT_MINUTES))) findings.push(`Timeout::${where(stage, action)}::${t}`);
      }
    }
    return findings;
  },
};
