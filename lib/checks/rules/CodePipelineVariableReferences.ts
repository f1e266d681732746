import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, declaredVariables, stagesOf, unresolvedReferences, where } from '../model/pipeline-template';

/**
 * Every `#{namespace.name}` in an action's configuration names a namespace an earlier action
 * produces, a declared pipeline variable, or CodePipeline's own variables (CodePipeline variables
 * reference, https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-variables.html).
 */
export const CodePipelineVariableReferences: DeliveryRule = {
  id: 'CodePipelineVariableReferences',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'An action references a variable of a namespace no earlier action produces, or an undeclared pipeline variable.',
  explanation: 'CodePipeline rejects references to namespaces that are unknown or produced later (in a later stage or the same runOrder), and to pipeline variables that are not declared (variables reference).',
  fix: 'reference a namespace of an earlier action, or declare the pipeline variable',
  check(p) {
    return unresolvedReferences(stagesOf(p), declaredVariables(p)).map((r) => `Reference::${where({ Name: r.stage }, { Name: r.action })}::#{${r.namespace}.${r.name}}`);
  },
};
