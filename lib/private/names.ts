import { Names, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Problems, isConcrete } from './validation';

/**
 * Naming rules of CodePipeline, from the pipeline structure reference
 * (https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html)
 * and the CodePipeline quotas page.
 */
export const PIPELINE_NAME = { pattern: /^[A-Za-z0-9.@_-]{1,100}$/, rule: '1 to 100 characters from A-Z a-z 0-9 . @ _ -' };
export const STAGE_NAME = PIPELINE_NAME;
export const ACTION_NAME = PIPELINE_NAME;
export const ARTIFACT_NAME = { pattern: /^[A-Za-z0-9_-]{1,100}$/, rule: '1 to 100 characters from A-Z a-z 0-9 _ -' };
export const NAMESPACE = { pattern: /^[A-Za-z0-9@_-]{1,100}$/, rule: '1 to 100 characters from A-Z a-z 0-9 @ _ -' };
export const VARIABLE_NAME = { pattern: /^[A-Za-z0-9@_-]{1,128}$/, rule: '1 to 128 characters from A-Z a-z 0-9 @ _ -' };

/** Deployment group and configuration names (CodeDeploy quotas, https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html). */
export const DEPLOYMENT_GROUP_NAME = /^[A-Za-z0-9._+=,@-]{1,100}$/;

/** CodeBuild project names: the API model allows 2 to 150 characters (older pages say 255: we keep to the stricter one). */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$/;
/** ECR image tags (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html). */
export const ECR_IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/;
/** Report names (our report groups are named by CloudFormation; the name only keys the step's reports). */
export const REPORT_NAME = /^[A-Za-z0-9_-]{1,100}$/;

export interface NameRule {
  readonly pattern: RegExp;
  readonly rule: string;
}

/** Adds a problem when a concrete name breaks the rule. Tokens are skipped. */
export function checkName(problems: Problems, prop: string, value: string | undefined, rule: NameRule, what: string): void {
  if (!isConcrete(value)) return;
  if (!rule.pattern.test(value)) {
    problems.add(prop, value, `is not a valid ${what} name`, `use ${rule.rule}`);
  }
}

/** Turns any string into a valid artifact name (used for names we derive, never for names the user gave). */
export function toArtifactName(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_-]/g, '_');
  return cleaned.slice(0, 100) || 'Artifact';
}

/** Turns any string into a valid variables namespace. */
export function toNamespace(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9@_-]/g, '_');
  return cleaned.slice(0, 100) || 'Variables';
}

/** Names that become construct ids (stage, step and source names) must be literals. */
export function checkLiteral(problems: Problems, prop: string, value: string | undefined, what: string): void {
  if (value !== undefined && Token.isUnresolved(value)) {
    problems.add(prop, value, `must be known at synth: it names the ${what} and the resources created for it`, 'give a literal name');
  }
}

/**
 * A construct id for a resource a step creates outside the pipeline (in a target's stack): unique
 * per pipeline, stage and step, so two pipelines deploying the same target do not collide.
 */
export function stepScopedId(pipeline: IConstruct, stageName: string, stepName: string, suffix: string): string {
  return `${Names.uniqueId(pipeline)}${stageName}${stepName}${suffix}`.replace(/[^A-Za-z0-9]/g, '');
}
