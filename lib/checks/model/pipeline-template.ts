/* eslint-disable @typescript-eslint/no-explicit-any -- rules read the untyped JSON of synthesized templates */
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { templateProperties } from '../rule';

/*
 * One reader of pipeline templates: the rules, the pipeline's synth-time checks, its diagram and
 * its estimate all read a pipeline's structure through these functions, in the template's
 * property names.
 */

/** The parts of an AWS::CodePipeline::Pipeline the rules read (template property names). */
export interface PipelineAction {
  readonly Name?: string;
  readonly ActionTypeId?: { Category?: string; Owner?: string; Provider?: string; Version?: string };
  readonly Configuration?: Record<string, unknown>;
  readonly InputArtifacts?: Array<{ Name?: string }>;
  readonly OutputArtifacts?: Array<{ Name?: string }>;
  readonly Namespace?: string;
  readonly Region?: string;
  readonly RoleArn?: unknown;
  readonly RunOrder?: unknown;
  readonly TimeoutInMinutes?: unknown;
  readonly Commands?: unknown;
}

/** A stage condition (template property names). */
export interface PipelineCondition {
  readonly Result?: string;
  readonly Rules?: Array<{ Name?: string; RuleTypeId?: { Provider?: string }; Configuration?: Record<string, unknown>; Commands?: string[] }>;
}

export interface PipelineStage {
  readonly Name?: string;
  readonly Actions?: PipelineAction[];
  readonly BeforeEntry?: { Conditions?: PipelineCondition[] };
  readonly OnFailure?: { Result?: string; RetryConfiguration?: { RetryMode?: string }; Conditions?: PipelineCondition[] };
  readonly OnSuccess?: { Conditions?: PipelineCondition[] };
}

/** The properties of a pipeline as its template will hold them. */
export function pipelineProperties(pipeline: codepipeline.CfnPipeline): any {
  return templateProperties(pipeline);
}

/** The names of the pipeline variables a pipeline's properties declare. */
export function declaredVariables(properties: any): string[] {
  return listOf<{ Name?: string }>(properties?.Variables).map((v) => v?.Name).filter((n: unknown): n is string => typeof n === 'string');
}

/** The runOrders of a stage's actions, in order, each with its actions. */
export function runOrderGroups(stage: PipelineStage): Array<[number, PipelineAction[]]> {
  const actions = stage.Actions ?? [];
  const orders = [...new Set(actions.map(runOrderOf))].sort((a, b) => a - b);
  return orders.map((order) => [order, actions.filter((a) => runOrderOf(a) === order)]);
}

/** A list, or nothing when the value is missing or an intrinsic (`Fn::If` and the like) standing for one. */
export function listOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? value as T[] : [];
}

/** True for an intrinsic function object (`{ "Fn::If": ... }`, `{ "Ref": ... }`). */
export function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
}

/**
 * The stages of a pipeline's properties, with the lists the rules walk made safe: stages and
 * actions that are intrinsics (conditional ones) are left out, and so are artifact lists that are.
 */
export function stagesOf(properties: any): PipelineStage[] {
  return listOf<any>(properties?.Stages).filter((stage) => stage && typeof stage === 'object' && !isIntrinsic(stage)).map((stage) => ({
    ...stage,
    Actions: listOf<any>(stage.Actions).filter((a) => a && typeof a === 'object' && !isIntrinsic(a)).map((a) => ({
      ...a,
      InputArtifacts: listOf<any>(a.InputArtifacts).filter((x) => x && !isIntrinsic(x)),
      OutputArtifacts: listOf<any>(a.OutputArtifacts).filter((x) => x && !isIntrinsic(x)),
    })),
  }));
}

/** True when a stage of the raw properties holds conditional (intrinsic) actions the rules cannot see. */
export function hasHiddenActions(properties: any, index: number): boolean {
  const stage = listOf<any>(properties?.Stages)[index];
  return !!stage && (isIntrinsic(stage) || isIntrinsic(stage.Actions) || listOf<any>(stage.Actions).some(isIntrinsic));
}

/** `Stage/Action`, how findings name an action. */
export function where(stage: PipelineStage, action?: PipelineAction): string {
  return action ? `${stage.Name}/${action.Name}` : `${stage.Name}`;
}

/** The runOrder of an action (1 when not set). */
export function runOrderOf(action: PipelineAction): number {
  return typeof action.RunOrder === 'number' ? action.RunOrder : 1;
}

/** The account of a literal IAM role ARN, if the value is one. */
export function accountOfRoleArn(value: unknown): string | undefined {
  if (typeof value === 'string') return /^arn:[^:]+:iam::(\d{12}):role\//.exec(value)?.[1];
  // arn:${Partition}:iam::<account>:role/... rendered as Fn::Join.
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (join && join[0] === '') {
    const text = join[1].map((p) => (typeof p === 'string' ? p : '*')).join('');
    return /^arn:[^:]*:iam::(\d{12}):role\//.exec(text.replace(/^arn:\*/, 'arn:aws'))?.[1];
  }
  return undefined;
}

export const PIPELINE = 'AWS::CodePipeline::Pipeline';
export const PROJECT = 'AWS::CodeBuild::Project';
export const DEPLOYMENT_GROUP = 'AWS::CodeDeploy::DeploymentGroup';
export const DEPLOYMENT_CONFIG = 'AWS::CodeDeploy::DeploymentConfig';

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
    const later = new Set(stages.slice(index).flatMap((s) => (s.Actions ?? []).map((a) => a.Namespace).filter((n): n is string => !!n)));
    const check = (action: string, content: unknown) => {
      for (const [, namespace, name] of JSON.stringify(content).matchAll(/#\{([^.}]+)\.([^}]+)\}/g)) {
        const at = { stage: `${stage.Name}`, action, namespace, name };
        if (namespace === 'variables') {
          if (!declared.has(name)) found.push({ ...at, reason: 'variable' });
        } else if (namespace !== 'codepipeline' && !before.has(namespace)) {
          found.push({ ...at, reason: later.has(namespace) ? 'later' : 'unknown' });
        }
      }
    };
    // Stage condition rules: entry gates see what earlier stages produced; success and failure rules also the stage's own.
    const rules = (kind: 'BeforeEntry' | 'OnSuccess' | 'OnFailure') => (stage[kind]?.Conditions ?? []).flatMap((c) => c?.Rules ?? []);
    for (const rule of rules('BeforeEntry')) check(`rule ${rule?.Name}`, [rule?.Configuration ?? {}, rule?.Commands ?? []]);
    for (const [, group] of runOrderGroups(stage)) {
      for (const action of group) check(`${action.Name}`, [action.Configuration ?? {}, action.Commands ?? []]);
      group.forEach((a) => a.Namespace && before.add(a.Namespace));
    }
    for (const rule of [...rules('OnSuccess'), ...rules('OnFailure')]) check(`rule ${rule?.Name}`, [rule?.Configuration ?? {}, rule?.Commands ?? []]);
  });
  return found;
}
