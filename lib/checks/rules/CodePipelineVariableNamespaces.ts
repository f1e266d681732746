import { NAMESPACE } from '../../private/names';
import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, stagesOf, where } from '../model/pipeline-template';

/**
 * Variables namespaces: `[A-Za-z0-9@_-]` (1 to 100 characters), unique in the pipeline, and not the
 * name of an artifact (CodePipeline variables reference,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-variables.html; a duplicate is
 * otherwise found only at deploy time, aws/aws-cdk#6111).
 */
export const CodePipelineVariableNamespaces: DeliveryRule = {
  id: 'CodePipelineVariableNamespaces',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'A variables namespace is invalid, used twice, or the name of an artifact.',
  explanation: 'CodePipeline requires namespaces of 1 to 100 characters from A-Z a-z 0-9 @ _ -, unique in the pipeline and distinct from artifact names (variables reference); duplicates fail only at deploy time (aws/aws-cdk#6111).',
  fix: 'give each action that exports variables a unique namespace of A-Z a-z 0-9 @ _ - that is no artifact name',
  check(p) {
    const findings: string[] = [];
    const artifacts = new Set(stagesOf(p).flatMap((s) => (s.Actions ?? []).flatMap((a) => [...(a.InputArtifacts ?? []), ...(a.OutputArtifacts ?? [])].map((x) => x.Name))));
    const seen = new Set<string>();
    for (const stage of stagesOf(p)) {
      for (const action of stage.Actions ?? []) {
        const ns = action.Namespace;
        if (typeof ns !== 'string') continue;
        if (!NAMESPACE.pattern.test(ns) || seen.has(ns) || artifacts.has(ns)) findings.push(`Namespace::${where(stage, action)}::${ns}`);
        seen.add(ns);
      }
    }
    return findings;
  },
};
