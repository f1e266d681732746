import { Token } from 'aws-cdk-lib';
import { CREDENTIAL_NAME, CREDENTIAL_VALUE, SECRET_REFERENCE } from '../../private/credentials';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { ACTION_CONFIGURATION_VALUE, BUILD_TIMEOUT_MINUTES, CODEBUILD_ACTION_INPUTS, CODEBUILD_ACTION_OUTPUTS, PROJECT_REPORTS, QUEUED_TIMEOUT_MINUTES } from '../../private/limits';
import { PROJECT_NAME, REPORT_NAME } from '../../private/names';
import { Problems, checkMinutes, isConcrete } from '../../private/validation';
import type { BuildStepProps, BuildVariable } from '../build-step-props';
import { BuildCacheType } from '../cache';
import { SECRET_REFERENCE_FIX, SECRET_REFERENCE_PROBLEM, checkCommands, checkPhase } from '../phases';

/**
 * Runtimes the `runtime-versions` section accepts per image family, from CodeBuild's
 * "Available runtimes" page (https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html).
 */
export const RUNTIMES: { [imagePrefix: string]: string[] } = {
  'aws/codebuild/standard:': ['dotnet', 'golang', 'java', 'nodejs', 'php', 'python', 'ruby'],
  'aws/codebuild/amazonlinux2-x86_64-standard:': ['dotnet', 'golang', 'java', 'nodejs', 'php', 'python', 'ruby'],
  'aws/codebuild/amazonlinux-x86_64-standard:': ['dotnet', 'golang', 'java', 'nodejs', 'php', 'python', 'ruby'],
  'aws/codebuild/amazonlinux2-aarch64-standard:': ['dotnet', 'golang', 'java', 'nodejs', 'php', 'python', 'ruby', 'rust'],
  'aws/codebuild/amazonlinux-aarch64-standard:': ['dotnet', 'golang', 'java', 'nodejs', 'php', 'python', 'ruby', 'rust'],
};


/** Rejects a plain variable whose name or value looks like a credential (Security Hub CodeBuild.2). */
export function checkCredential(problems: Problems, where: string, v: BuildVariable): void {
  if (isConcrete(v.name) && CREDENTIAL_NAME.test(v.name)) {
    problems.add(`${where}.name`, v.name, 'looks like a credential, and plain variables are visible in the console and the template (Security Hub CodeBuild.2)', `put it in secrets: BuildSecret.fromSecret('${v.name}', secret) or BuildSecret.fromParameter('${v.name}', parameter)`);
  } else if (isConcrete(v.value) && SECRET_REFERENCE.test(v.value)) {
    problems.add(`${where}.value`, '(hidden: holds a {{resolve:...}} secret reference)', SECRET_REFERENCE_PROBLEM, SECRET_REFERENCE_FIX.replace("'NAME'", `'${v.name}'`));
  } else if (isConcrete(v.value) && CREDENTIAL_VALUE.test(v.value)) {
    problems.add(`${where}.value`, '(hidden: looks like a credential)', 'looks like an AWS access key or a private key (Security Hub CodeBuild.2)', 'remove it from the code, rotate it, and read it with secrets: BuildSecret.fromSecret(...)');
  }
}

/** True when a value holds a pipeline variable reference (`#{...}`). */
export function isReference(value: string): boolean {
  return typeof value === 'string' && value.includes('#{');
}

/** Linux images run bash; Windows images run PowerShell by default and have no bash. */
export function isLinux(image: codebuild.IBuildImage): boolean {
  return !image.type.startsWith('WINDOWS');
}

/** True for CodeBuild's Lambda compute types. */
export function isLambdaCompute(computeType: codebuild.ComputeType | undefined): boolean {
  return computeType !== undefined && String(computeType).startsWith('BUILD_LAMBDA_');
}

/** Every check of BuildStepProps that needs nothing but the props. */
export function checkBuildStepProps(problems: Problems, props: BuildStepProps, docker: boolean): void {
  checkPhasesAndCommands(problems, props, docker);
  checkVariables(problems, props);
  checkArtifacts(problems, props);
  checkCompute(problems, props, docker);
  checkReports(problems, props);
  checkMinutes(problems, 'timeout', props.timeout, BUILD_TIMEOUT_MINUTES, 'use Duration.minutes(n) with n in that range');
  if (props.expectedMinutes !== undefined && isConcrete(String(props.expectedMinutes)) && !(props.expectedMinutes >= 0 && Number.isFinite(props.expectedMinutes))) {
    problems.add('expectedMinutes', props.expectedMinutes, 'must be a number of minutes, 0 or more', 'give how long the build usually takes, e.g. 7');
  }
  checkMinutes(problems, 'queuedTimeout', props.queuedTimeout, QUEUED_TIMEOUT_MINUTES, 'use Duration.minutes(n) with n in that range');
  if (isConcrete(props.projectName) && !PROJECT_NAME.test(props.projectName)) {
    problems.add('projectName', props.projectName, 'is not a valid CodeBuild project name', 'use 2 to 150 characters from A-Z a-z 0-9 _ -, starting with a letter or digit');
  }
}

function checkPhasesAndCommands(problems: Problems, props: BuildStepProps, docker: boolean): void {
  const pairs: Array<[string, string, unknown, unknown]> = [
    ['installPhase', 'installCommands', props.installPhase, props.installCommands],
    ['preBuildPhase', 'preBuildCommands', props.preBuildPhase, props.preBuildCommands],
    ['buildPhase', 'commands', props.buildPhase, props.commands],
    ['postBuildPhase', 'postBuildCommands', props.postBuildPhase, props.postBuildCommands],
  ];
  for (const [full, short, phase, commands] of pairs) {
    if (phase !== undefined && commands !== undefined) {
      problems.add(short, commands, `is given together with ${full}`, `put the commands into ${full}.commands, or remove ${full}`);
    }
    if (Array.isArray(commands) && commands.length === 0) {
      problems.add(short, commands, 'is an empty list (CodeBuild rejects empty phases)', `list the commands, or remove ${short}`);
    }
  }
  if (!docker && props.buildPhase === undefined && props.commands === undefined) {
    problems.add('commands', undefined, 'the build phase has no commands', "give the build commands, for example commands: ['npm ci', 'npm test']");
  }
  checkPhase(problems, 'installPhase', props.installPhase);
  checkPhase(problems, 'preBuildPhase', props.preBuildPhase);
  checkPhase(problems, 'buildPhase', props.buildPhase);
  checkPhase(problems, 'postBuildPhase', props.postBuildPhase);
  checkCommands(problems, 'installCommands', props.installCommands);
  checkCommands(problems, 'preBuildCommands', props.preBuildCommands);
  checkCommands(problems, 'commands', props.commands);
  checkCommands(problems, 'postBuildCommands', props.postBuildCommands);

  const image = props.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0;
  const family = Object.keys(RUNTIMES).find((prefix) => image.imageId.startsWith(prefix));
  const seen = new Set<string>();
  (props.runtimeVersions ?? []).forEach((r, i) => {
    if (seen.has(r.runtime)) problems.add(`runtimeVersions[${i}].runtime`, r.runtime, 'is given twice', 'select each runtime once');
    seen.add(r.runtime);
    if (!isConcrete(r.version) || r.version.trim() === '') {
      problems.add(`runtimeVersions[${i}].version`, r.version, 'is empty', "give a version such as '22', '3.12' or 'latest'");
    }
    if (family && isConcrete(r.runtime) && !RUNTIMES[family].includes(r.runtime)) {
      problems.add(`runtimeVersions[${i}].runtime`, r.runtime, `is not a runtime of ${image.imageId}`, `use one of ${RUNTIMES[family].join(', ')}`);
    }
  });
  if ((props.runtimeVersions ?? []).length > 0 && !family) {
    problems.add('runtimeVersions', (props.runtimeVersions ?? []).map((r) => r.runtime), `can only be used with CodeBuild's standard Linux images (got image ${image.imageId})`, 'install the runtime in installCommands, or use a standard image');
  }
}

function checkVariables(problems: Problems, props: BuildStepProps): void {
  const names = new Map<string, string>();
  const claim = (name: string, where: string) => {
    if (!isConcrete(name)) return;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      problems.add(where, name, 'is not a valid environment variable name', 'use letters, digits and _ and do not start with a digit');
    } else if (name.toUpperCase().startsWith('CODEBUILD_')) {
      problems.add(where, name, 'starts with CODEBUILD_, which CodeBuild reserves', 'choose another name');
    }
    const other = names.get(name);
    if (other) problems.add(where, name, `is also given as ${other}`, 'give each variable once');
    names.set(name, where);
  };
  (props.environmentVariables ?? []).forEach((v: BuildVariable, i) => {
    claim(v.name, `environmentVariables[${i}].name`);
    checkCredential(problems, `environmentVariables[${i}]`, v);
  });
  (props.secrets ?? []).forEach((s, i) => {
    claim(s.variableName, `secrets[${i}].variableName`);
    for (const [prop, value, problem, fix] of s._problems()) problems.add(`secrets[${i}].${prop}`, value, problem, fix);
  });
  const exported = new Set<string>();
  (props.exportedVariables ?? []).forEach((name, i) => {
    if (isConcrete(name) && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      problems.add(`exportedVariables[${i}]`, name, 'is not a valid variable name', 'use letters, digits and _ and do not start with a digit');
    }
    if (isConcrete(name) && name.toUpperCase().startsWith('AWS_')) {
      problems.add(`exportedVariables[${i}]`, name, 'starts with AWS_, which CodeBuild does not export', 'choose another name');
    }
    if ((props.secrets ?? []).some((sec) => sec.variableName === name)) {
      problems.add(`exportedVariables[${i}]`, name, 'is a secret, and CodeBuild does not export secrets (they would appear in the pipeline in plain text)', 'export a non-secret value instead');
    }
    if (exported.has(name)) problems.add(`exportedVariables[${i}]`, name, 'is exported twice', 'export each variable once');
    exported.add(name);
  });
  if (props.exportedVariables !== undefined && props.exportedVariables.length === 0) {
    problems.add('exportedVariables', [], 'is an empty list', 'list the variables to export, or remove exportedVariables');
  }
  const refs = (props.environmentVariables ?? []).filter((v) => isReference(v.value));
  if (JSON.stringify(refs.map((v) => ({ name: v.name, type: 'PLAINTEXT', value: v.value }))).length > ACTION_CONFIGURATION_VALUE.max) {
    problems.add('environmentVariables', refs.map((v) => v.name), `the variables holding #{...} references are passed in the action's configuration, which CodePipeline limits to ${ACTION_CONFIGURATION_VALUE.max} characters`, 'pass fewer or shorter referenced values, or read them in the build from a file');
  }
}

function checkArtifacts(problems: Problems, props: BuildStepProps): void {
  (props.outputs ?? []).forEach((o, i) => {
    if (isConcrete(o) && o.trim() === '') problems.add(`outputs[${i}]`, o, 'is an empty glob', "use a glob such as 'dist/**/*'");
  });
  if (props.outputs !== undefined && props.outputs.length === 0) {
    problems.add('outputs', props.outputs, 'is an empty list', "list the files to output, for example ['**/*'], or remove outputs");
  }
  if (props.outputBaseDirectory !== undefined && props.outputs === undefined) {
    problems.add('outputBaseDirectory', props.outputBaseDirectory, 'is given without outputs', 'add outputs, or remove outputBaseDirectory');
  }
  const paths = new Set<string>();
  (props.generatedFiles ?? []).forEach((f, i) => {
    if (isConcrete(f.path) && (f.path.trim() === '' || f.path.startsWith('/') || f.path.split('/').includes('..'))) {
      problems.add(`generatedFiles[${i}].path`, f.path, 'must be a relative path inside the output', "give a path such as 'appspec.yml'");
    }
    if (paths.has(f.path)) problems.add(`generatedFiles[${i}].path`, f.path, 'is written twice', 'write each file once');
    paths.add(f.path);
  });
  if (props.generatedFiles && props.generatedFiles.length > 0 && props.outputs === undefined) {
    problems.add('generatedFiles', props.generatedFiles.map((f) => f.path), 'are written into the output, but the step has no outputs', "add outputs (for example ['**/*'])");
  }
  if (props.discardPaths !== undefined && props.outputs === undefined) {
    problems.add('discardPaths', props.discardPaths, 'is given without outputs', 'add outputs, or remove discardPaths');
  }
  const names = new Set<string>();
  (props.secondaryOutputs ?? []).forEach((o, i) => {
    if (names.has(o.name)) problems.add(`secondaryOutputs[${i}].name`, o.name, 'is used twice', 'give each output a unique name');
    names.add(o.name);
    if (!Array.isArray(o.files) || o.files.length === 0) problems.add(`secondaryOutputs[${i}].files`, o.files, 'is empty', 'list the files of the artifact');
  });
  if (props.batch && (props.secondaryOutputs ?? []).length > 0) {
    problems.add('secondaryOutputs', props.secondaryOutputs!.map((o) => o.name), 'cannot be combined with a batch build, whose artifacts are named after each build', 'keep one output (combined over the batch), or drop the batch');
  }
  if (props.batch && props.outputs && props.batch._combines() === false) {
    problems.add('batch.combineArtifacts', false, 'a batch with outputs must combine them: separate artifacts are named after each build, which the pipeline cannot know', 'leave combineArtifacts at its default (true), or remove outputs');
  }
  const outputCount = (props.outputs ? 1 : 0) + (props.secondaryOutputs ?? []).length;
  if (outputCount > CODEBUILD_ACTION_OUTPUTS.max) {
    problems.add('secondaryOutputs', `${outputCount} output artifacts`, `a CodeBuild action has at most ${CODEBUILD_ACTION_OUTPUTS.max} output artifacts`, 'put more files into fewer artifacts');
  }
  const inputCount = 1 + (props.additionalInputs ?? []).length;
  if (inputCount > CODEBUILD_ACTION_INPUTS.max) {
    problems.add('additionalInputs', `${inputCount} input artifacts`, `a CodeBuild action has at most ${CODEBUILD_ACTION_INPUTS.max} input artifacts`, 'combine sources in an earlier step');
  }
  (props.cachePaths ?? []).forEach((p, i) => {
    if (isConcrete(p) && p.trim() === '') problems.add(`cachePaths[${i}]`, p, 'is empty', "give a directory glob such as '/root/.npm/**/*'");
  });
}

/**
 * What can be read of a fleet: its compute and environment types, unless they are deploy-time
 * values or the fleet is imported (aws-cdk-lib throws when an imported fleet's are read).
 */
export function readFleet(fleet: codebuild.IFleet): { readonly computeType?: string; readonly environmentType?: string; readonly imported: boolean } {
  const read = (get: () => unknown) => {
    try {
      const value = get();
      return value === undefined || Token.isUnresolved(value) ? undefined : String(value);
    } catch {
      return undefined;
    }
  };
  const computeType = read(() => fleet.computeType);
  return { computeType, environmentType: read(() => fleet.environmentType), imported: !(fleet.node.defaultChild instanceof codebuild.CfnFleet) };
}

function checkCompute(problems: Problems, props: BuildStepProps, docker: boolean): void {
  const lambda = isLambdaCompute(props.computeType);
  const fleet = props.fleet;
  if (fleet) {
    const { computeType: fleetType, environmentType: environment, imported } = readFleet(fleet);
    if (fleetType && props.computeType !== undefined && String(props.computeType) !== fleetType) {
      problems.add('computeType', props.computeType, `differs from the compute type of the fleet (${fleetType}), which the builds run on`, 'remove computeType: a build on a fleet takes the fleet\'s');
    }
    if (imported && props.computeType === undefined) {
      problems.add('computeType', undefined, 'is needed with an imported fleet, whose compute type cannot be read', 'give the fleet\'s compute type, e.g. codebuild.ComputeType.MEDIUM (and an image of its environment type)');
    }
    const imageType = props.buildImage?.type ?? 'LINUX_CONTAINER';
    if (environment && environment !== imageType) {
      problems.add('buildImage', props.buildImage?.imageId ?? 'the default aws/codebuild/standard:7.0', `is a ${imageType} image, but the fleet runs ${environment}`, `use an image of the fleet's environment type (${environment}), or a fleet of ${imageType}`);
    }
    if (props.vpc) problems.add('vpc', 'a VPC', 'does nothing on a build that runs on a fleet: the fleet\'s instances are where the network is', 'give the fleet its vpc, and remove it from the step');
  }
  if (props.dockerServer) {
    if (lambda) problems.add('dockerServer', props.dockerServer.computeType, 'Lambda compute cannot use a Docker server', 'use an EC2 compute type');
    if (!docker && !props.privileged) {
      problems.add('dockerServer', props.dockerServer.computeType, 'serves Docker builds, but the step builds no Docker image', 'use DockerImageStep for Docker builds (or set privileged on a build that runs docker), or remove dockerServer');
    }
  }
  if (lambda && !(props.buildImage?.type ?? '').includes('LAMBDA')) {
    problems.add('buildImage', props.buildImage?.imageId ?? 'the default aws/codebuild/standard:7.0', 'Lambda compute runs only Lambda images', 'use LinuxLambdaBuildImage or LinuxArmLambdaBuildImage, e.g. LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20');
  }
  if (lambda && docker) {
    problems.add('computeType', props.computeType, 'Lambda compute cannot run Docker', 'use an EC2 compute type such as ComputeType.SMALL for Docker builds');
  }
  if (lambda && props.privileged) {
    problems.add('privileged', true, 'Lambda compute has no privileged mode', 'remove privileged, or use an EC2 compute type');
  }
  // Lambda compute limitations: https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html
  if (lambda && props.cache && props.cache.cacheType !== BuildCacheType.NONE) {
    problems.add('cache', `a ${props.cache.cacheType} cache`, 'Lambda compute has no cache', 'remove cache (Lambda builds run uncached), or use an EC2 compute type');
  }
  if (lambda && props.cachePaths && props.cachePaths.length > 0) {
    problems.add('cachePaths', props.cachePaths, 'Lambda compute has no cache', 'remove cachePaths, or use an EC2 compute type');
  }
  if (lambda && props.vpc) {
    problems.add('vpc', 'a VPC', 'Lambda compute has no VPC connectivity', 'use an EC2 compute type for builds in a VPC');
  }
  if (lambda && props.timeout) {
    problems.add('timeout', `${props.timeout.toHumanString()}`, 'Lambda compute has no custom timeout (builds stop after 15 minutes)', 'remove timeout, or use an EC2 compute type for longer builds');
  }
  if (lambda && props.queuedTimeout) {
    problems.add('queuedTimeout', `${props.queuedTimeout.toHumanString()}`, 'Lambda compute has no queued timeout', 'remove queuedTimeout');
  }
  if (lambda) {
    const phases: Array<[string, { onFailure?: unknown } | undefined]> = [['installPhase', props.installPhase], ['preBuildPhase', props.preBuildPhase], ['buildPhase', props.buildPhase], ['postBuildPhase', props.postBuildPhase]];
    for (const [prop, phase] of phases) {
      if (phase?.onFailure) problems.add(`${prop}.onFailure`, phase.onFailure, 'Lambda compute does not support on-failure', 'remove onFailure, or use an EC2 compute type');
    }
  }
  if (props.cache?.cacheType === BuildCacheType.LOCAL && props.cache.dockerLayers === true && !docker && !props.privileged) {
    problems.add('cache', 'BuildCache.local({ dockerLayers: true })', 'the Docker layer cache needs Docker, which needs privileged mode', 'use DockerImageStep for Docker builds, or drop dockerLayers');
  }
  if (props.cachePaths && props.cachePaths.length > 0 && props.cache?.cacheType === BuildCacheType.NONE) {
    problems.add('cachePaths', props.cachePaths, 'is given with BuildCache.none()', 'choose a cache, or remove cachePaths');
  }
  if (props.subnetSelection && !props.vpc) problems.add('subnetSelection', 'subnets', 'is given without vpc', 'add vpc, or remove subnetSelection');
  if (props.securityGroups && !props.vpc) problems.add('securityGroups', 'security groups', 'are given without vpc', 'add vpc, or remove securityGroups');
}

function checkReports(problems: Problems, props: BuildStepProps): void {
  const names = new Set<string>();
  if ((props.reports ?? []).length > PROJECT_REPORTS.max) {
    problems.add('reports', `${props.reports!.length} reports`, `a CodeBuild project has at most ${PROJECT_REPORTS.max} report groups`, 'merge report files of one format into one report');
  }
  (props.reports ?? []).forEach((r, i) => {
    if (isConcrete(r.name) && !REPORT_NAME.test(r.name)) {
      problems.add(`reports[${i}].name`, r.name, 'is not a valid report name', 'use 1 to 100 characters from A-Z a-z 0-9 _ -');
    }
    if (names.has(r.name)) problems.add(`reports[${i}].name`, r.name, 'is used by two reports', "name the reports apart with the name option, e.g. TestReport.junit(files, { name: 'unit' })");
    names.add(r.name);
    if (!Array.isArray(r.files) || r.files.length === 0) problems.add(`reports[${i}].files`, r.files, 'is empty', "list the report files, e.g. ['reports/*.xml']");
  });
}
