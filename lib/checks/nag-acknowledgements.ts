import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledgePatterns, acknowledgeRules, addNagSuppressions, toRegExp } from '../private/nag';
import { checkArgs } from '../private/shapes';
import { Problems } from '../private/validation';

/** A cdk-nag rule (or some of its findings) accepted on purpose, with the reason. */
export interface NagAcknowledgement {
  /** The rule, e.g. `AwsSolutions-IAM5` or `Delivery-CodeBuildPrivilegedMode`. */
  readonly id: string;
  /** Why the finding is accepted: at least 10 characters (cdk-nag 2 rejects shorter reasons). */
  readonly reason: string;
  /**
   * The findings of the rule this covers, as cdk-nag names them (e.g. `Resource::*`).
   *
   * @default - every finding of the rule (with neither this nor `appliesToPatterns`)
   */
  readonly appliesTo?: string[];

  /**
   * More findings of the rule this covers, as regular expressions over cdk-nag's names for them,
   * written `/source/` (cdk-nag's `{ regex }`): for findings whose names hold generated ids, e.g.
   * `'/^Resource::arn:(?:<[^>]+>|[^:]+):ecs:(?:<[^>]+>|[^:]+):(?:<[^>]+>|[0-9]+):task\\/.*$/'`. Under cdk-nag 3, which acknowledges
   * exact findings only, each finding of the resources that a pattern covers is acknowledged at synth.
   *
   * @default - none
   */
  readonly appliesToPatterns?: string[];
}

/**
 * Accepts cdk-nag findings in the two ways cdk-nag reads them, so one call holds whether the app
 * runs cdk-nag 2 (suppressions in the resources' `cdk_nag` metadata) or cdk-nag 3
 * (acknowledgements in construct metadata, as `Validations.of(scope).acknowledge` records them).
 * `DeliveryChecks` reads both. cdk-nag itself is not loaded.
 */
export class NagAcknowledgements {
  /**
   * Accepts the findings on a construct's resource (its default child), or with
   * `applyToChildren` on every resource under it, as cdk-nag 2's
   * `NagSuppressions.addResourceSuppressions` does.
   *
   * @param scope the construct
   * @param acknowledgements the rules or findings accepted, each with its reason
   * @param applyToChildren also every resource under the construct
   */
  public static add(scope: IConstruct, acknowledgements: NagAcknowledgement[], applyToChildren: boolean = false): void {
    checkArgs('NagAcknowledgements.add', [scope, acknowledgements, applyToChildren]);
    const problems = new Problems(`NagAcknowledgements.add '${scope.node.path}'`);
    acknowledgements.forEach((a, i) => {
      if (!a.id) problems.add(`acknowledgements[${i}].id`, a.id, 'is required', "give the rule, e.g. 'AwsSolutions-IAM5'");
      if (!a.reason) problems.add(`acknowledgements[${i}].reason`, a.reason, 'is required', 'say why the finding is accepted');
      if (!a.id || !a.reason) return;
      if (a.reason.length < 10) problems.add(`acknowledgements[${i}].reason`, a.reason, 'is shorter than 10 characters, which cdk-nag 2 rejects', 'say why the finding is accepted');
      if (a.appliesToPatterns && a.appliesToPatterns.length === 0) {
        problems.add(`acknowledgements[${i}].appliesToPatterns`, [], 'is an empty list, which would accept every finding of the rule', 'give the patterns of the findings accepted, or leave the prop out to accept the whole rule');
      }
      if (a.appliesTo && a.appliesTo.length === 0) {
        problems.add(`acknowledgements[${i}].appliesTo`, [], 'is an empty list, which would accept every finding of the rule', 'give the findings accepted, or leave the prop out to accept the whole rule');
      }
      (a.appliesToPatterns ?? []).forEach((p, j) => {
        const flags = typeof p === 'string' ? /\/([a-z]*)$/.exec(p)?.[1] ?? '' : '';
        if (/[gy]/.test(flags)) {
          problems.add(`acknowledgements[${i}].appliesToPatterns[${j}]`, p, `has the flags '${flags}': a regular expression with g or y remembers where its last match ended, so it would match some findings only every other time`, 'remove the g and y flags');
          return;
        }
        if (!toRegExp(p)) problems.add(`acknowledgements[${i}].appliesToPatterns[${j}]`, p, 'is not a regular expression written /source/ (flags after the last slash)', "write it as cdk-nag does, e.g. '/^Resource::arn:.*:task\\/.*$/'");
      });
      if (/\[.*\]/.test(a.id)) problems.add(`acknowledgements[${i}].id`, a.id, 'names a finding', `give the rule as id and the finding in appliesTo: { id: '${a.id.replace(/\[.*$/, '')}', appliesTo: ['${/\[(.*)\]/.exec(a.id)![1]}'] }`);
    });
    const resources = (applyToChildren ? scope.node.findAll() : [scope])
      .map((c) => (c.node.defaultChild instanceof CfnResource ? c.node.defaultChild : c))
      .filter((c): c is CfnResource => c instanceof CfnResource);
    if (resources.length === 0) {
      problems.add('scope', scope.node.path, applyToChildren ? 'has no CloudFormation resource under it' : 'is not a CloudFormation resource and has none as its default child', applyToChildren ? 'pass a construct that creates resources' : 'pass the resource, or set applyToChildren');
    }
    problems.throwIfAny();
    const findings = acknowledgements.map((a) => ({
      id: a.id, reason: a.reason,
      appliesTo: a.appliesTo || a.appliesToPatterns ? [...a.appliesTo ?? [], ...(a.appliesToPatterns ?? []).map((regex) => ({ regex }))] : undefined,
    }));
    // cdk-nag 2 reads the suppressions on each resource; cdk-nag 3 also looks above a resource.
    for (const resource of [...new Set(resources)]) {
      addNagSuppressions(resource, findings);
      acknowledgePatterns(resource, findings);
    }
    acknowledgeRules(applyToChildren ? scope : resources[0], findings);
  }

  private constructor() {}
}
