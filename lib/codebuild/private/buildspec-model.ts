import { Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { SECRET_REFERENCE } from '../../private/credentials';
import { toArtifactName } from '../../private/names';
import { Problems } from '../../private/validation';
import type { BuildStepProps, BuildVariable } from '../build-step-props';
import { BuildSpecModel } from '../buildspec';
import { generatedFileVariable, writeFileCommand } from '../generated-file';
import { BuildPhase, SECRET_REFERENCE_FIX, SECRET_REFERENCE_PROBLEM } from '../phases';
import { isLinux, isReference } from './validate-props';

/** The name of a step's primary output artifact. */
export function primaryOutputName(stepName: string): string {
  return toArtifactName(`${stepName}_Output`);
}

/**
 * The buildspec of a step, as a model: phases from the shorthand or full props (generated files
 * written at the end of the build phase), constant variables, outputs, cache paths and the batch.
 * What needs the pipeline (secret references, report groups) is added when the step is bound.
 */
export function buildSpecModel(stepName: string, p: BuildStepProps): BuildSpecModel {
  const phase = (full: BuildPhase | undefined, commands: string[] | undefined): BuildPhase | undefined =>
    full ?? (commands && commands.length > 0 ? { commands } : undefined);
  const generated = (p.generatedFiles ?? []).map((f, i) => writeFileCommand(f, p.outputBaseDirectory, Token.isUnresolved(f.content) ? generatedFileVariable(i) : undefined));
  const buildPhase = phase(p.buildPhase, p.commands);
  const variables: { [name: string]: string } = {};
  for (const v of p.environmentVariables ?? []) {
    if (!isReference(v.value) && !Token.isUnresolved(v.value)) variables[v.name] = v.value;
  }
  return {
    linux: isLinux(p.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0),
    runtimeVersions: p.runtimeVersions ?? [],
    phases: {
      install: phase(p.installPhase, p.installCommands),
      pre_build: phase(p.preBuildPhase, p.preBuildCommands),
      build: generated.length > 0
        ? { ...buildPhase, commands: [...(buildPhase?.commands ?? []), ...generated] }
        : buildPhase,
      post_build: phase(p.postBuildPhase, p.postBuildCommands),
    },
    variables,
    parameterStore: {},
    secretsManager: {},
    exportedVariables: [...(p.exportedVariables ?? [])],
    primary: p.outputs ? {
      name: primaryOutputName(stepName),
      files: [...p.outputs, ...(p.generatedFiles ?? []).map((f) => f.path).filter((path) => !p.outputs!.includes(path))],
      baseDirectory: p.outputBaseDirectory,
      discardPaths: p.discardPaths,
    } : undefined,
    secondary: Object.fromEntries((p.secondaryOutputs ?? []).map((o) => [o.name, { files: o.files, baseDirectory: o.baseDirectory, discardPaths: o.discardPaths }])),
    reports: {},
    cachePaths: [...(p.cachePaths ?? [])],
    batch: p.batch?._renderBuildSpec(),
  };
}

/** Variables CodePipeline must resolve (`#{...}` references): passed in the action's configuration. */
export function actionVariables(variables: BuildVariable[] | undefined): { [name: string]: codebuild.BuildEnvironmentVariable } | undefined {
  const refs = (variables ?? []).filter((v) => isReference(v.value));
  if (refs.length === 0) return undefined;
  return Object.fromEntries(refs.map((v) => [v.name, { value: v.value, type: codebuild.BuildEnvironmentVariableType.PLAINTEXT }]));
}

/**
 * Variables set on the project: values known only at deploy time (tokens), generated files with
 * such content, and what the step adds (e.g. a repository URI).
 */
export function projectVariables(p: BuildStepProps, extra: BuildVariable[]): { [name: string]: codebuild.BuildEnvironmentVariable } | undefined {
  const vars = [
    ...(p.environmentVariables ?? []).filter((v) => !isReference(v.value) && Token.isUnresolved(v.value)),
    ...(p.generatedFiles ?? []).flatMap((f, i) => (Token.isUnresolved(f.content) ? [{ name: generatedFileVariable(i), value: f.content }] : [])),
    ...extra,
  ];
  return vars.length > 0 ? Object.fromEntries(vars.map((v) => [v.name, { value: v.value }])) : undefined;
}

/**
 * Deploy-time values (tokens) in commands and plain variables that CloudFormation would resolve
 * to a secret (`SecretValue.secretsManager(...).unsafeUnwrap()`, `{{resolve:ssm-secure:...}}`):
 * the project would hold it in plaintext. Literal references are caught by the props checks.
 */
export function checkSecretReferences(stack: Stack, p: BuildStepProps, problems: Problems): void {
  const phases: Array<[string, BuildPhase | undefined, string[] | undefined]> = [
    ['install', p.installPhase, p.installCommands], ['preBuild', p.preBuildPhase, p.preBuildCommands],
    ['build', p.buildPhase, p.commands], ['postBuild', p.postBuildPhase, p.postBuildCommands],
  ];
  const candidates: Array<[string, unknown]> = [
    ...(p.environmentVariables ?? []).map((v, i): [string, unknown] => [`environmentVariables[${i}].value`, v.value]),
    ...phases.flatMap(([name, phase, short]) => [
      ...(short ?? []).map((c, i): [string, unknown] => [`${name === 'build' ? 'commands' : `${name}Commands`}[${i}]`, c]),
      ...(phase?.commands ?? []).map((c, i): [string, unknown] => [`${name}Phase.commands[${i}]`, c]),
      ...(phase?.finallyCommands ?? []).map((c, i): [string, unknown] => [`${name}Phase.finallyCommands[${i}]`, c]),
    ]),
  ];
  for (const [prop, value] of candidates) {
    if (typeof value !== 'string' || !Token.isUnresolved(value)) continue;
    let text: string;
    try {
      text = JSON.stringify(stack.resolve(value));
    } catch {
      continue;
    }
    if (SECRET_REFERENCE.test(text)) problems.add(prop, '(hidden: resolves to a {{resolve:...}} secret reference)', SECRET_REFERENCE_PROBLEM, SECRET_REFERENCE_FIX);
  }
}
