import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from '../model/pipeline-template';
import { RUN_ORDER, outside } from '../../private/limits';

/**
 * runOrder is a whole number from 1 to 999 (CodePipeline `ActionDeclaration` API reference,
 * https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html).
 */
export const CodePipelineRunOrder: DeliveryRule = {
  id: 'CodePipelineRunOrder',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: `An action's runOrder is not a whole number from ${RUN_ORDER.min} to ${RUN_ORDER.max}.`,
  explanation: `CodePipeline accepts runOrder values from ${RUN_ORDER.min} to ${RUN_ORDER.max} (ActionDeclaration API reference).`,
  fix: `use a whole runOrder from ${RUN_ORDER.min} to ${RUN_ORDER.max}`,
  check(p) {
    const findings: string[] = [];
    for (const stage of stagesOf(p)) {
      for (const action of stage.Actions ?? []) {
        const order = action.RunOrder;
        if (typeof order === 'number' && (!Number.isInteger(order) || outside(order, RUN_ORDER))) findings.push(`Action::${where(stage, action)}::${order}`);
      }
    }
    return findings;
  },
};
