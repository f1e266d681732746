/* eslint-disable @typescript-eslint/no-explicit-any -- rules read the untyped JSON of synthesized templates */
import { Annotations, CfnResource, IAspect, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkArgs, constructorOf } from '../private/shapes';
import { DeliveryRule, RuleLevel, templateProperties } from './rule';
import { RULES } from './rules';
import { acknowledgedRuleIds, toRegExp } from '../private/nag';

/** Options of `DeliveryChecks`. */
export interface DeliveryChecksProps {
  /**
   * Add each rule's explanation and fix to its findings.
   *
   * @default false
   */
  readonly verbose?: boolean;
}

/**
 * cdk-delivery's synth-time rules: what CodePipeline, CodeBuild and CodeDeploy reject at deploy
 * time or fail on at run time, checked on the synthesized resources of any stack (pipelines built
 * with this library, with aws-cdk-lib L2s, or with L1s). Rule ids are `Delivery-<RuleName>`, and a
 * finding's id `Delivery-<RuleName>[<finding>]`.
 *
 * It needs no cdk-nag, and works the way your cdk-nag version does:
 * - as an Aspect, `Aspects.of(app).add(new DeliveryChecks())` (the cdk-nag 2 way): findings are
 *   annotations, errors fail `cdk synth`;
 * - as a validation plugin, `Validations.of(app).addPlugins(new DeliveryChecks())` (the cdk-nag 3
 *   way): findings are violations of the validation report, errors fail synthesis. This needs an
 *   aws-cdk-lib whose validation context holds the construct tree (as cdk-nag 3 does); with an
 *   older one the report says so as a violation.
 *
 * Either way a finding is not reported when it is suppressed the cdk-nag 2 way
 * (`NagSuppressions`: `cdk_nag` metadata on the resource or its stack, with `appliesTo`) or
 * acknowledged the cdk-nag 3 way (`Validations.of(construct).acknowledge({ id, reason })` on the
 * resource or a construct above it; the id `Delivery-<RuleName>` acknowledges every finding of
 * the rule there, `Delivery-<RuleName>[<finding>]` one finding).
 */
export class DeliveryChecks implements IAspect, IPolicyValidationPlugin {
  /**
   * Runs the rules on every resource under `scope`, and returns their findings (suppressions are
   * not applied). The library's constructs validate themselves with it.
   */
  public static findProblems(scope: IConstruct): DeliveryFinding[] {
    checkArgs('DeliveryChecks.findProblems', [scope]);
    return scope.node.findAll().flatMap((node) => findingsOf(node));
  }

  /** The names of the rules: their ids without the `Delivery-` prefix. */
  public static get ruleNames(): string[] {
    return RULES.map((r) => r.id);
  }

  /** The plugin's name in validation reports. */
  public readonly name = 'cdk-delivery';
  /** The rule ids, `Delivery-<RuleName>`, in validation reports. */
  public readonly ruleIds?: string[] = RULES.map((r) => `Delivery-${r.id}`);
  private readonly verbose: boolean;

  constructor(props: DeliveryChecksProps = {}) {
    checkArgs(constructorOf(new.target), [props], `${new.target.name}`);
    this.verbose = props.verbose ?? false;
  }

  /** As an Aspect: reports the unsuppressed findings on a resource as annotations. */
  public visit(node: IConstruct): void {
    for (const f of findingsOf(node)) {
      if (isSuppressed(node as CfnResource, f)) continue;
      const message = `Delivery-${f.ruleId}[${f.finding}]: ${f.info}${this.verbose ? ` ${f.explanation} Fix: ${f.fix}.` : ''}\n`;
      if (f.level === RuleLevel.ERROR) Annotations.of(node).addError(message);
      else Annotations.of(node).addWarning(message);
    }
  }

  /** As a validation plugin: the unsuppressed findings in the construct tree the context holds. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = (context as { appConstruct?: IConstruct }).appConstruct;
    if (!root) {
      return {
        success: false,
        violations: [{
          ruleName: 'Delivery-ValidationContext',
          description: 'DeliveryChecks was registered as a validation plugin, but this aws-cdk-lib does not give plugins the construct tree (IPolicyValidationContext.appConstruct), so the rules cannot run.',
          fix: 'upgrade aws-cdk-lib (cdk-nag 3 needs the same), or add DeliveryChecks as an Aspect: Aspects.of(app).add(new DeliveryChecks())',
          severity: 'error',
          violatingResources: [],
        }],
      };
    }
    const violations = new Map<string, { ruleName: string; description: string; fix: string; severity: string; violatingResources: Array<{ constructPath: string; locations: string[] }> }>();
    for (const node of root.node.findAll()) {
      for (const f of findingsOf(node)) {
        if (isSuppressed(node as CfnResource, f)) continue;
        const ruleName = `Delivery-${f.ruleId}[${f.finding}]`;
        const entry = violations.get(ruleName) ?? {
          ruleName,
          description: this.verbose ? `${f.info} ${f.explanation}` : f.info,
          fix: f.fix,
          severity: f.level === RuleLevel.ERROR ? 'error' : 'warning',
          violatingResources: [],
        };
        entry.violatingResources.push({ constructPath: f.path, locations: ['Properties'] });
        violations.set(ruleName, entry);
      }
    }
    const list: PolicyViolation[] = [...violations.values()];
    return { success: list.every((v) => v.severity !== 'error'), violations: list };
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

/** The findings of the rules on one construct (none unless it is a resource some rule checks). */
function findingsOf(node: IConstruct): DeliveryFinding[] {
  if (!(node instanceof CfnResource)) return [];
  const rules = RULES.filter((r) => r.resourceType === node.cfnResourceType);
  if (rules.length === 0) return [];
  // The template properties, rendered once for all rules of the resource.
  const properties = safeProperties(node);
  if (properties === undefined) return [];
  return rules.flatMap((rule) => safeCheck(rule, properties, node).map((finding) => ({
    ruleId: rule.id, level: rule.level, path: node.node.path, finding, info: rule.info, explanation: rule.explanation, fix: rule.fix,
  })));
}

/**
 * True when the finding is suppressed the cdk-nag 2 way (a `cdk_nag` rule on the resource or its
 * stack, for the rule or, with `appliesTo`, for this finding) or acknowledged the cdk-nag 3 way
 * (on the resource or a construct above it).
 */
function isSuppressed(resource: CfnResource, f: DeliveryFinding): boolean {
  const ruleId = `Delivery-${f.ruleId}`;
  const v2 = [
    ...(resource.getMetadata('cdk_nag')?.rules_to_suppress ?? []),
    ...(Stack.of(resource).templateOptions.metadata?.cdk_nag?.rules_to_suppress ?? []),
  ] as Array<{ id?: string; applies_to?: Array<string | { regex?: string }> }>;
  if (v2.some((s) => s?.id === ruleId && (!s.applies_to || s.applies_to.some((a) => appliesTo(a, f.finding))))) return true;
  for (let scope: IConstruct | undefined = resource; scope; scope = scope.node.scope) {
    const ids = acknowledgedRuleIds(scope);
    if (ids.includes(ruleId) || ids.includes(`${ruleId}[${f.finding}]`)) return true;
  }
  return false;
}

/** A cdk-nag 2 `appliesTo` entry: the finding itself, or `{ regex: '/.../flags' }`. */
function appliesTo(entry: string | { regex?: string }, finding: string): boolean {
  return typeof entry === 'string' ? entry === finding : toRegExp(entry?.regex ?? '')?.test(finding) === true;
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
