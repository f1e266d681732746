import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { BuildPhase, renderPhase } from './phases';

/** One runtime of the install phase's `runtime-versions`, e.g. `{ runtime: 'nodejs', version: '22' }`. */
export interface RuntimeVersion {
  /** The runtime, e.g. `nodejs`, `python`, `java`. */
  readonly runtime: string;
  /** Its version as CodeBuild names it, e.g. `22`, `3.12`, `corretto21`, `latest`. */
  readonly version: string;
}

/** A named output artifact besides the primary one. */
export interface SecondaryOutput {
  /** Name of the artifact: 1 to 100 characters from A-Z a-z 0-9 _ -, unique in the pipeline. */
  readonly name: string;
  /** File globs to put into the artifact. */
  readonly files: string[];
  /**
   * Directory the globs are relative to.
   *
   * @default - the source root
   */
  readonly baseDirectory?: string;
  /**
   * Drop the directory structure of the matched files.
   *
   * @default false
   */
  readonly discardPaths?: boolean;
}

/** Everything the buildspec is made from (internal model). */
export interface BuildSpecModel {
  readonly linux: boolean;
  readonly runtimeVersions: RuntimeVersion[];
  readonly phases: { [phase: string]: BuildPhase | undefined };
  readonly variables: { [name: string]: string };
  readonly parameterStore: { [name: string]: string };
  readonly secretsManager: { [name: string]: string };
  readonly exportedVariables: string[];
  readonly primary?: { name: string; files: string[]; baseDirectory?: string; discardPaths?: boolean };
  readonly secondary: { [artifact: string]: { files: string[]; baseDirectory?: string; discardPaths?: boolean } };
  readonly reports: { [group: string]: { files: string[]; fileFormat: string; baseDirectory?: string; discardPaths: boolean } };
  readonly cachePaths: string[];
  readonly batch?: Record<string, unknown>;
}

const nonEmpty = <T extends object>(o: T): T | undefined => (Object.keys(o).length > 0 ? o : undefined);

/** Renders the buildspec object (keys in the order CodeBuild documents them). */
export function renderBuildSpec(m: BuildSpecModel): Record<string, unknown> {
  const env = {
    // CodeBuild's default shell on Linux is sh; bash is what people write build scripts in.
    ...(m.linux ? { shell: 'bash' } : {}),
    ...(nonEmpty(m.variables) ? { variables: m.variables } : {}),
    ...(nonEmpty(m.parameterStore) ? { 'parameter-store': m.parameterStore } : {}),
    ...(nonEmpty(m.secretsManager) ? { 'secrets-manager': m.secretsManager } : {}),
    ...(m.exportedVariables.length > 0 ? { 'exported-variables': m.exportedVariables } : {}),
  };
  const runtimes = Object.fromEntries(m.runtimeVersions.map((r) => [r.runtime, r.version]));
  const phases: Record<string, unknown> = {};
  for (const name of ['install', 'pre_build', 'build', 'post_build']) {
    const phase = m.phases[name];
    if (name === 'install' && m.runtimeVersions.length > 0) {
      phases.install = phase ? renderPhase(phase, { 'runtime-versions': runtimes }) : { 'runtime-versions': runtimes };
    } else if (phase) {
      phases[name] = renderPhase(phase);
    }
  }
  // A new list each time: the YAML writer would turn a list used twice into an anchor and alias.
  const artifactSpec = (a: { files: string[]; baseDirectory?: string; discardPaths?: boolean }) => ({
    files: [...a.files],
    ...(a.baseDirectory ? { 'base-directory': a.baseDirectory } : {}),
    ...(a.discardPaths ? { 'discard-paths': 'yes' } : {}),
  });
  // With more than one output, CodePipeline matches every output artifact by name in
  // secondary-artifacts, the primary one included (CodeBuild action reference, output artifacts).
  // "The artifacts/files sequence is always required, even when there are only secondary artifacts
  // defined" (buildspec reference): the first output's files are also the top-level ones.
  const secondary = Object.fromEntries(Object.entries(m.secondary).map(([k, v]) => [k, artifactSpec(v)]));
  let artifacts: Record<string, unknown> | undefined;
  if (nonEmpty(secondary)) {
    const first = m.primary ?? Object.values(m.secondary)[0];
    artifacts = { ...artifactSpec(first), 'secondary-artifacts': { ...(m.primary ? { [m.primary.name]: artifactSpec(m.primary) } : {}), ...secondary } };
  } else if (m.primary) {
    artifacts = artifactSpec(m.primary);
  }
  const reports = Object.fromEntries(Object.entries(m.reports).map(([group, r]) => [group, {
    files: r.files,
    'file-format': r.fileFormat,
    ...(r.baseDirectory ? { 'base-directory': r.baseDirectory } : {}),
    ...(r.discardPaths ? { 'discard-paths': 'yes' } : {}),
  }]));
  return {
    version: '0.2',
    ...(m.batch ? { batch: m.batch } : {}),
    ...(nonEmpty(env) ? { env } : {}),
    phases,
    ...(nonEmpty(reports) ? { reports } : {}),
    ...(artifacts ? { artifacts } : {}),
    ...(m.cachePaths.length > 0 ? { cache: { paths: m.cachePaths } } : {}),
  };
}

/**
 * Renders a string that may hold tokens the way CloudFormation's Fn::Sub writes them:
 * `${LogicalId}` for a Ref and `${LogicalId.Attribute}` for a Fn::GetAtt, so a buildspec written to
 * a file shows exactly what the project runs, with deploy-time values named.
 */
export function renderTokens(scope: IConstruct, text: string): string {
  if (!Token.isUnresolved(text)) return text;
  const resolved = Stack.of(scope).resolve(text);
  return renderIntrinsic(resolved);
}

function renderIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(renderIntrinsic).join(sep);
    }
    if ('Ref' in o) return `\${${o.Ref}}`;
    if ('Fn::GetAtt' in o) return `\${${(o['Fn::GetAtt'] as string[]).join('.')}}`;
  }
  return JSON.stringify(value);
}
