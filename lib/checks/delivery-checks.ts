/* eslint-disable @typescript-eslint/no-explicit-any -- rules read the untyped JSON of synthesized templates */
import { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { DeliveryRule, RuleLevel, templateProperties } from './rule';
import { RULES } from './rules';
import { checkArgs, constructorOf } from '../private/shapes';

/**
 * cdk-delivery's synth-time rules as a cdk-nag pack: what CodePipeline, CodeBuild and CodeDeploy
 * reject at deploy time or fail on at run time, checked on the synthesized resources of any stack
 * (pipelines built with this library, with aws-cdk-lib L2s, or with L1s). Findings are reported and
 * suppressed through cdk-nag: `Aspects.of(app).add(new DeliveryChecks())`; rule ids are
 * `Delivery-<RuleName>` (for example `Delivery-CodePipelineVariableReferences`).
 */
export class DeliveryChecks extends NagPack {
  constructor(props?: NagPackProps) {
    checkArgs(constructorOf(new.target), [props], `${new.target.name}`);
    super(props);
    this.packName = 'Delivery';
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    const rules = RULES.filter((r) => r.resourceType === node.cfnResourceType);
    if (rules.length === 0) return;
    // The template properties, rendered once for all rules of the resource.
    const properties = safeProperties(node);
    if (properties === undefined) return;
    for (const rule of rules) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: `${rule.explanation} Fix: ${rule.fix}.`,
        level: rule.level === RuleLevel.ERROR ? NagMessageLevel.ERROR : NagMessageLevel.WARN,
        node,
        rule: (resource: CfnResource) => {
          const findings = safeCheck(rule, properties, resource);
          return findings.length > 0 ? findings : NagRuleCompliance.COMPLIANT;
        },
      });
    }
  }

  /**
   * Runs the rules on every resource under `scope` without cdk-nag, and returns their findings
   * (suppressions are not applied). The library's constructs validate themselves with it.
   */
  public static findProblems(scope: IConstruct): DeliveryFinding[] {
    checkArgs('DeliveryChecks.findProblems', [scope]);
    const out: DeliveryFinding[] = [];
    for (const node of scope.node.findAll()) {
      if (!(node instanceof CfnResource)) continue;
      const rules = RULES.filter((r) => r.resourceType === node.cfnResourceType);
      if (rules.length === 0) continue;
      const properties = safeProperties(node);
      if (properties === undefined) continue;
      for (const rule of rules) {
        for (const finding of safeCheck(rule, properties, node)) {
          out.push({ ruleId: rule.id, level: rule.level, path: node.node.path, finding, info: rule.info, explanation: rule.explanation, fix: rule.fix });
        }
      }
    }
    return out;
  }

  /** The ids of the rules (without the `Delivery-` prefix). */
  public static get ruleIds(): string[] {
    return RULES.map((r) => r.id);
  }
}

/** One finding of a rule on a resource. */
export interface DeliveryFinding {
  /** The rule's id, e.g. `CodePipelineVariableReferences`. */
  readonly ruleId: string;
  /** Error or warning. */
  readonly level: RuleLevel;
  /** Path of the resource. */
  readonly path: string;
  /** What is wrong, e.g. `Reference::Deploy/Smoke::#{Build.VERSION}`. */
  readonly finding: string;
  /** What the rule checks. */
  readonly info: string;
  /** The limit or practice, and its source. */
  readonly explanation: string;
  /** How to fix it. */
  readonly fix: string;
}

/** The resource's template properties, or nothing when they cannot be rendered yet. */
function safeProperties(resource: CfnResource): any {
  try {
    return templateProperties(resource);
  } catch {
    return undefined;
  }
}

/**
 * A rule's findings; a shape the rule does not expect (an intrinsic where it reads a list) is not
 * judged: a check must never be the thing that breaks synthesis.
 */
function safeCheck(rule: DeliveryRule, properties: any, resource: CfnResource): string[] {
  try {
    return rule.check(properties, resource);
  } catch {
    return [];
  }
}
