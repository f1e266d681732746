import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, PipelineStage, runOrderOf, stagesOf, where } from './pipeline-model';

/** One `#{namespace.name}` reference an action cannot resolve. */
export interface UnresolvedReference {
  readonly stage: string;
  readonly action: string;
  readonly namespace: string;
  readonly name: string;
  /** `later`: produced later in the pipeline (or in the same runOrder); `unknown`: by no action; `variable`: an undeclared pipeline variable. */
  readonly reason: 'later' | 'unknown' | 'variable';
}

/**
 * The references in action configurations that name no earlier namespace, no declared pipeline
 * variable (`#{variables.x}`), and not `#{codepipeline.PipelineExecutionId}`.
 */
export function unresolvedReferences(stages: PipelineStage[], variables: string[]): UnresolvedReference[] {
  const declared = new Set(variables);
  const found: UnresolvedReference[] = [];
  const before = new Set<string>();
  stages.forEach((stage, index) => {
    const actions = stage.Actions ?? [];
    const orders = [...new Set(actions.map(runOrderOf))].sort((a, b) => a - b);
    const later = new Set(stages.slice(index).flatMap((s) => (s.Actions ?? []).map((a) => a.Namespace).filter((n): n is string => !!n)));
    for (const order of orders) {
      const group = actions.filter((a) => runOrderOf(a) === order);
      for (const action of group) {
        for (const [, namespace, name] of JSON.stringify([action.Configuration ?? {}, action.Commands ?? []]).matchAll(/#\{([^.}]+)\.([^}]+)\}/g)) {
          const at = { stage: `${stage.Name}`, action: `${action.Name}`, namespace, name };
          if (namespace === 'variables') {
            if (!declared.has(name)) found.push({ ...at, reason: 'variable' });
          } else if (namespace !== 'codepipeline' && !before.has(namespace)) {
            found.push({ ...at, reason: later.has(namespace) ? 'later' : 'unknown' });
          }
        }
      }
      group.forEach((a) => a.Namespace && before.add(a.Namespace));
    }
  });
  return found;
}

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
    const variables = (Array.isArray(p.Variables) ? p.Variables : []).map((v: { Name?: string }) => v?.Name).filter((n: unknown): n is string => typeof n === 'string');
    return unresolvedReferences(stagesOf(p), variables).map((r) => `Reference::${where({ Name: r.stage }, { Name: r.action })}::#{${r.namespace}.${r.name}}`);
  },
};
