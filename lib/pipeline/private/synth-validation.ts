import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { Problems } from '../../private/validation';
import { DeliveryChecks } from '../../checks/delivery-checks';
import { RuleLevel } from '../../checks/rule';
import { declaredVariables, pipelineProperties, stagesOf, unresolvedReferences } from '../../checks/model/pipeline-template';

/**
 * Every `#{namespace.name}` in an action's configuration must name a namespace an earlier action
 * produces (an earlier stage, or a lower runOrder in the same stage), a declared pipeline
 * variable (`#{variables.name}`), or CodePipeline's own `#{codepipeline.PipelineExecutionId}`;
 * otherwise CodePipeline rejects the pipeline at deploy time (rule CodePipelineVariableReferences,
 * with the fix for each case).
 */
export function checkVariableReferences(problems: Problems, pipeline: codepipeline.Pipeline): void {
  const properties = pipelineProperties(pipeline.node.defaultChild as codepipeline.CfnPipeline);
  // The declared variables as the template holds them (also those added on the L2 pipeline).
  for (const r of unresolvedReferences(stagesOf(properties), declaredVariables(properties))) {
    const prop = r.action.startsWith('rule ') ? `stage '${r.stage}' ${r.action}` : `action '${r.stage}/${r.action}'`;
    const reference = `#{${r.namespace}.${r.name}}`;
    switch (r.reason) {
      case 'variable':
        problems.add(prop, reference, 'references a pipeline variable that is not declared', `declare it in variables (new PipelineVariable({ name: '${r.name}' })), or correct the reference`);
        break;
      case 'later':
        problems.add(prop, reference, `references namespace '${r.namespace}', which is produced later in the pipeline (or in the same runOrder)`, 'move the producing step before it');
        break;
      default:
        problems.add(prop, reference, `references namespace '${r.namespace}', which no action has`, 'reference a namespace of an earlier step (for example source.variables.commitId)');
    }
  }
}

/**
 * The rules of `DeliveryChecks` on everything under the pipeline (the pipeline, its build
 * projects and the roles and topics of its steps; deployment targets live in their own stacks,
 * which `Aspects.of(app).add(new DeliveryChecks())` covers): errors fail synthesis. The constructs
 * check most of this when they are built; this catches what only the finished template shows,
 * including actions of your own steps.
 */
export function checkRules(problems: Problems, scope: Construct): void {
  for (const f of DeliveryChecks.findProblems(scope)) {
    if (f.level !== RuleLevel.ERROR || f.ruleId === 'CodePipelineVariableReferences') continue;
    problems.add(f.path, f.finding, `breaks rule Delivery-${f.ruleId}: ${f.info} ${f.explanation}`, `${f.fix} (in the step that makes it)`);
  }
}
