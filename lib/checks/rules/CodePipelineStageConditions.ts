/* eslint-disable @typescript-eslint/no-explicit-any -- rules read the untyped JSON of synthesized templates */
import { cronProblems, timeZoneProblem } from '../../private/deployment-window';
import { CONDITION_RULES, SKIP_RULE_PROVIDERS as SKIP_RULES } from '../../private/limits';
import { DeliveryRule, RuleLevel, isLiteral } from '../rule';
import { PIPELINE, isIntrinsic, listOf, stagesOf } from '../model/pipeline-template';

/** Results each kind of condition takes (stage conditions). */
const RESULTS: { [kind: string]: string[] } = { BeforeEntry: ['FAIL', 'SKIP'], OnSuccess: ['ROLLBACK', 'FAIL'], OnFailure: ['ROLLBACK'] };

/**
 * Stage conditions CodePipeline accepts and reads as meant: a DeploymentWindow rule's cron in the
 * rule's own order (seconds, only `*`, then minutes, hours, day-of-month, month, day-of-week and an
 * optional year, `?` in one day field) with a time zone it knows; entry conditions that skip only
 * on LambdaInvoke or VariableCheck rules; 1 to 5 rules per condition; and the results each kind
 * of condition takes (DeploymentWindow rule reference,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html;
 * stage conditions, https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-conditions.html).
 */
export const CodePipelineStageConditions: DeliveryRule = {
  id: 'CodePipelineStageConditions',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'A stage condition is one CodePipeline rejects or reads otherwise than written: a deployment window cron not in AWS\'s seconds-first order, an unknown time zone, a SKIP entry condition on rules that cannot skip, more than 5 rules, or a result the condition kind does not take.',
  explanation: 'The DeploymentWindow rule reads Seconds (only *), Minutes, Hours, Day-of-month, Month, Day-of-week and an optional Year, so a minutes-first (EventBridge or Unix) cron is rejected or gates at other times; SKIP entry conditions take only LambdaInvoke and VariableCheck rules; a condition has 1 to 5 rules (DeploymentWindow rule reference; stage conditions).',
  fix: 'write the window seconds first (e.g. \'* * 9-16 ? * MON-FRI *\'), use an IANA time zone, FAIL for alarm and window gates, and at most 5 rules per condition',
  check(p) {
    const findings: string[] = [];
    for (const stage of stagesOf(p)) {
      for (const kind of ['BeforeEntry', 'OnSuccess', 'OnFailure']) {
        const block = (stage as any)[kind];
        if (!block || isIntrinsic(block)) continue;
        for (const condition of listOf<any>(block.Conditions)) {
          if (!condition || isIntrinsic(condition)) continue;
          const rules = listOf<any>(condition.Rules).filter((r) => r && !isIntrinsic(r));
          if (isLiteral(condition.Result) && !RESULTS[kind].includes(condition.Result)) findings.push(`Result::${stage.Name}/${kind}::${condition.Result}`);
          if (Array.isArray(condition.Rules) && (condition.Rules.length < 1 || condition.Rules.length > CONDITION_RULES.max)) findings.push(`Rules::${stage.Name}/${kind}::${condition.Rules.length}`);
          for (const rule of rules) {
            const provider = rule.RuleTypeId?.Provider;
            if (kind === 'BeforeEntry' && condition.Result === 'SKIP' && isLiteral(provider) && !SKIP_RULES.includes(provider)) findings.push(`Skip::${stage.Name}/${rule.Name}::${provider}`);
            if (provider !== 'DeploymentWindow') continue;
            const cron = rule.Configuration?.Cron;
            if (isLiteral(cron) && cronProblems(cron).length > 0) findings.push(`Cron::${stage.Name}/${rule.Name}::${cron}`);
            const zone = rule.Configuration?.TimeZone;
            if (isLiteral(zone) && timeZoneProblem(zone)) findings.push(`TimeZone::${stage.Name}/${rule.Name}::${zone}`);
          }
        }
      }
    }
    return findings;
  },
};
