import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { DeliveryChecks } from '../../checks/delivery-checks';
import { RuleLevel, templateProperties } from '../../checks/rule';
import { stagesOf } from '../../checks/rules/pipeline-model';
import { unresolvedReferences } from '../../checks/rules/CodePipelineVariableReferences';

/**
 * Every `#{namespace.name}` in an action's configuration must name a namespace an earlier action
 * produces (an earlier stage, or a lower runOrder in the same stage), a declared pipeline
 * variable (`#{variables.name}`), or CodePipeline's own `#{codepipeline.PipelineExecutionId}`;
 * otherwise CodePipeline rejects the pipeline at deploy time (rule CodePipelineVariableReferences,
 * with the fix for each case).
 */
export function checkVariableReferences(scope: Construct, pipeline: codepipeline.Pipeline): string[] {
  const properties = templateProperties(pipeline.node.defaultChild as codepipeline.CfnPipeline);
  // The declared variables as the template holds them (also those added on the L2 pipeline).
  const variables = (Array.isArray(properties.Variables) ? properties.Variables : []).map((v: { Name?: string }) => v.Name).filter((n: unknown): n is string => typeof n === 'string');
  return unresolvedReferences(stagesOf(properties), variables).map((r) => {
    const where = `DeliveryPipeline '${scope.node.path}': action '${r.stage}/${r.action}' references #{${r.namespace}.${r.name}}`;
    switch (r.reason) {
      case 'variable': return `${where}, which is not a pipeline variable. Fix: declare it in variables (new PipelineVariable({ name: '${r.name}' })), or correct the reference`;
      case 'later': return `${where}, but namespace '${r.namespace}' is produced later in the pipeline (or in the same runOrder). Fix: move the producing step before it`;
      default: return `${where}, but no action has the namespace '${r.namespace}'. Fix: reference a namespace of an earlier step (for example source.variables.commitId)`;
    }
  });
}

/**
 * The rules of `DeliveryChecks` on everything under the pipeline (the pipeline, its build
 * projects and the roles and topics of its steps; deployment targets live in their own stacks,
 * which `Aspects.of(app).add(new DeliveryChecks())` covers): errors fail synthesis. The constructs
 * check most of this when they are built; this catches what only the finished template shows,
 * including actions of your own steps.
 */
export function checkRules(scope: Construct): string[] {
  return DeliveryChecks.findProblems(scope)
    .filter((f) => f.level === RuleLevel.ERROR && f.ruleId !== 'CodePipelineVariableReferences')
    .map((f) => `DeliveryPipeline '${scope.node.path}': ${f.path} breaks rule Delivery-${f.ruleId} (${f.finding}): ${f.info} ${f.explanation} Fix: ${f.fix} (in the step that makes it)`);
}
