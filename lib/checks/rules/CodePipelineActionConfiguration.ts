import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from '../model/pipeline-template';
import { ACTION_CONFIGURATION_KEY, ACTION_CONFIGURATION_VALUE, formatNumber } from '../../private/limits';

/**
 * Action configuration keys hold at most 50 characters and values at most 1,000; CloudFormation
 * `ParameterOverrides` at most 1,000 (CodePipeline quotas, https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html).
 * Values that are still intrinsics are not measured.
 */
export const CodePipelineActionConfiguration: DeliveryRule = {
  id: 'CodePipelineActionConfiguration',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: `An action configuration key is longer than ${ACTION_CONFIGURATION_KEY.max} characters or a value longer than ${formatNumber(ACTION_CONFIGURATION_VALUE.max)}.`,
  explanation: `CodePipeline limits action configuration keys to ${ACTION_CONFIGURATION_KEY.max} characters and values (including CloudFormation parameter overrides) to ${formatNumber(ACTION_CONFIGURATION_VALUE.max)} (CodePipeline quotas).`,
  fix: 'shorten the value (move long text to a file in an artifact, or parameters to a template configuration file)',
  check(p) {
    const findings: string[] = [];
    for (const stage of stagesOf(p)) {
      for (const action of stage.Actions ?? []) {
        for (const [key, value] of Object.entries(action.Configuration && typeof action.Configuration === 'object' ? action.Configuration : {})) {
          if (key.length > ACTION_CONFIGURATION_KEY.max) findings.push(`Configuration::${where(stage, action)}::${key}`);
          // ParameterOverrides is limited to 1 KB, the other values to 1,000 characters.
          else if (typeof value === 'string' && (key === 'ParameterOverrides' ? Buffer.byteLength(value, 'utf8') : value.length) > ACTION_CONFIGURATION_VALUE.max) findings.push(`Configuration::${where(stage, action)}::${key}`);
        }
      }
    }
    return findings;
  },
};
