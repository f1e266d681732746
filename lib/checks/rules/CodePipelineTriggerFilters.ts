/* eslint-disable @typescript-eslint/no-explicit-any -- rules read the untyped JSON of synthesized templates */
import { DeliveryRule, RuleLevel } from '../rule';
import { PIPELINE, hasHiddenActions, listOf, stagesOf } from '../model/pipeline-template';
import { FILTER_PATTERNS, PATTERN_LENGTH, TRIGGER_FILTERS, outside } from '../../private/limits';

type Filter = { Includes?: unknown; Excludes?: unknown };

/**
 * Triggers: one per source action, which must be a CodeStarSourceConnection action of the first
 * stage; at most 3 push and 3 pull-request filters; each include/exclude list 1 to 8 patterns of
 * 1 to 255 characters (CodePipeline `GitConfiguration` API reference,
 * https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GitConfiguration.html; CloudFormation rejects empty lists).
 */
export const CodePipelineTriggerFilters: DeliveryRule = {
  id: 'CodePipelineTriggerFilters',
  resourceType: PIPELINE,
  level: RuleLevel.ERROR,
  info: 'A trigger names no connection source action, repeats one, or has filters beyond CodePipeline\'s limits.',
  explanation: `One trigger per CodeStarSourceConnection source action; at most ${TRIGGER_FILTERS.max} push and ${TRIGGER_FILTERS.max} pull-request filters; ${FILTER_PATTERNS.min} to ${FILTER_PATTERNS.max} patterns of ${PATTERN_LENGTH.min} to ${PATTERN_LENGTH.max} characters per list (GitConfiguration API reference).`,
  fix: `give one trigger per connection source action, at most ${TRIGGER_FILTERS.max} push and ${TRIGGER_FILTERS.max} pull-request filters, ${FILTER_PATTERNS.min} to ${FILTER_PATTERNS.max} patterns per list`,
  check(p) {
    const findings: string[] = [];
    const sources = new Map((stagesOf(p)[0]?.Actions ?? []).map((a) => [a.Name, a.ActionTypeId?.Provider]));
    const seen = new Set<string>();
    const hidden = hasHiddenActions(p, 0);
    for (const trigger of listOf<Record<string, any>>(p.Triggers)) {
      const git = trigger?.GitConfiguration ?? {};
      const name = git.SourceActionName;
      if (typeof name === 'string') {
        const known = sources.has(name);
        if ((known && sources.get(name) !== 'CodeStarSourceConnection') || (!known && !hidden)) findings.push(`Trigger::${name}::NotAConnectionSource`);
        if (seen.has(name)) findings.push(`Trigger::${name}::Repeated`);
        seen.add(name);
      }
      for (const kind of ['Push', 'PullRequest'] as const) {
        const filters = listOf<Record<string, unknown>>(git[kind]);
        if (filters.length > TRIGGER_FILTERS.max) findings.push(`Trigger::${name}::${kind}::${filters.length}`);
        filters.forEach((f: Record<string, Filter | unknown>, i: number) => {
          for (const group of ['Branches', 'Tags', 'FilePaths'] as const) {
            const g = f[group] as Filter | undefined;
            for (const list of ['Includes', 'Excludes'] as const) {
              const patterns = g?.[list];
              if (patterns === undefined) continue;
              const bad = !Array.isArray(patterns) || outside(patterns.length, FILTER_PATTERNS)
                || patterns.some((x) => typeof x === 'string' && outside(x.length, PATTERN_LENGTH));
              if (bad) findings.push(`Trigger::${name}::${kind}[${i}].${group}.${list}`);
            }
          }
        });
      }
    }
    return findings;
  },
};
