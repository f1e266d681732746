import { ARTIFACT_NAME } from '../../private/names';
import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf } from '../model/pipeline-template';

/**
 * Artifact names: 1 to 100 characters from `A-Za-z0-9_-` (no `.` or `@`; pipeline structure
 * reference, https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html).
 */
export const CodePipelineArtifactNames: DeliveryRule = {
  id: 'CodePipelineArtifactNames',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'An artifact name is not 1 to 100 characters from A-Z a-z 0-9 _ -.',
  explanation: 'CodePipeline rejects artifact names with other characters (such as . or @) at deploy time (pipeline structure reference).',
  fix: 'rename the artifact with letters, digits, _ and - only',
  check(p) {
    const names = new Set<string>();
    for (const stage of stagesOf(p)) {
      for (const action of stage.Actions ?? []) {
        for (const a of [...(action.InputArtifacts ?? []), ...(action.OutputArtifacts ?? [])]) {
          if (typeof a.Name === 'string' && !ARTIFACT_NAME.pattern.test(a.Name)) names.add(`Artifact::${a.Name}`);
        }
      }
    }
    return [...names];
  },
};
