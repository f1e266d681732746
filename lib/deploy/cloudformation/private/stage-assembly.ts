import * as path from 'path';
import { Stack, Stage, Token } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Problems, fail, verbatim } from '../../../private/validation';

/** One stack of a Stage, as its cloud assembly describes it. */
export interface StageStack {
  /** The stack construct. */
  readonly stack: Stack;
  /** Its id in the Stage (a construct id): short, for action names. */
  readonly id: string;
  /** Name CloudFormation knows it by. */
  readonly stackName: string;
  /** Path of its template, relative to the cloud assembly's root directory. */
  readonly templatePath: string;
  /** Stacks of the same Stage deployed before it. */
  readonly dependsOn: StageStack[];
  /** The template's resource types (for the execution role check). */
  readonly resourceTypes: string[];
  /** Names of its outputs. */
  readonly outputs: string[];
  /** Whether the template declares parameters only the bootstrap stack gives values (BootstrapVersion). */
  readonly readsBootstrapVersion: boolean;
  /** Whether termination protection is on. */
  readonly terminationProtection: boolean;
}

/** A file asset's source and where it goes. */
export interface FileAsset {
  readonly id: string;
  /** The asset's source, with its path relative to the cloud assembly's root. */
  readonly source: Record<string, unknown>;
  readonly bucketName: string;
  readonly objectKey: string;
}

/** A Docker image asset's source and where it goes. */
export interface ImageAsset {
  readonly id: string;
  /** The asset's source, with its directory relative to the cloud assembly's root. */
  readonly source: Record<string, unknown>;
  readonly repositoryName: string;
  readonly imageTag: string;
}

/** What releasing a Stage involves: its stacks in dependency order and its assets in one account and region. */
export interface StageAssembly {
  /** The stacks, in layers: each layer's stacks depend only on stacks of earlier layers. */
  readonly layers: StageStack[][];
  readonly files: FileAsset[];
  readonly images: ImageAsset[];
  /** Version of the asset manifest schema (for the publishing manifest). */
  readonly manifestVersion: string;
  /** The stacks' asset manifests, relative to the cloud assembly's root (named after the stacks, not their assets). */
  readonly manifests: string[];
}

const PLACEHOLDERS = /\$\{AWS::(AccountId|Region|Partition)\}/g;

/**
 * Synthesizes a Stage (as CDK Pipelines does; a Stage is synthesized once, so it must be complete
 * when the pipeline takes it) and reads its stacks, their order and their assets for the account
 * and region it is released to. Placeholders of the account and region in asset locations are
 * filled in with those; the partition placeholder is left for the publishing tool.
 */
export function readStageAssembly(subject: string, stage: Stage, account: string, region: string): StageAssembly {
  const problems = new Problems(subject);
  const app = stage.node.root;
  if (!Stage.isStage(app)) fail(subject, 'stage', verbatim(stage.node.path), 'is not in an app', 'create the Stage in the app the pipeline is in');
  if (Stage.of(stage) !== app) {
    problems.add('stage', verbatim(stage.node.path), 'is nested in another Stage; the pipeline releases Stages created directly in the app', 'create the Stage with the app as its scope');
  }
  problems.throwIfAny();
  const assembly = stage.synth({ validateOnSynthesis: true });
  const root = app.outdir;
  const artifacts = assembly.stacks;
  if (artifacts.length === 0) {
    fail(subject, 'stage', verbatim(stage.node.path), 'has no stacks', 'add the stacks to release to the Stage');
  }
  const constructs = new Map(stage.node.findAll().filter(Stack.isStack).filter((s) => Stage.of(s) === stage).map((s) => [s.artifactId, s]));
  const byArtifact = new Map<string, StageStack>();
  const ordered: StageStack[] = [];
  const visit = (artifact: cxapi.CloudFormationStackArtifact): StageStack => {
    const known = byArtifact.get(artifact.id);
    if (known) return known;
    const stack = constructs.get(artifact.id);
    if (!stack) fail(subject, 'stage', verbatim(stage.node.path), `holds stack artifact '${artifact.id}' whose construct was not found`, 'create the Stage\'s stacks directly in it');
    const dependsOn = artifact.dependencies.filter(cxapi.CloudFormationStackArtifact.isCloudFormationStackArtifact).map((dep) => {
      if (!artifacts.includes(dep)) {
        fail(subject, 'stage', verbatim(stage.node.path), `stack '${stack.node.id}' depends on stack '${dep.id}' of another Stage`, 'put stacks that depend on each other in the same Stage');
      }
      return visit(dep);
    });
    const template = artifact.template ?? {};
    const env = artifact.environment;
    const accountKnown = env.account !== cxapi.UNKNOWN_ACCOUNT && !Token.isUnresolved(stack.account);
    const regionKnown = env.region !== cxapi.UNKNOWN_REGION && !Token.isUnresolved(stack.region);
    if (accountKnown && env.account !== account) {
      problems.add('stage', verbatim(stage.node.path), `stack '${stack.node.id}' is for account ${env.account}, but the environment deploys to account ${account}`, `create the Stage with env: { account: '${account}' }, or release it in an environment of account ${env.account}`);
    }
    if (regionKnown && env.region !== region) {
      problems.add('stage', verbatim(stage.node.path), `stack '${stack.node.id}' is for region ${env.region}, but the environment deploys to region ${region}`, `put the stacks of region ${env.region} in a Stage of their own, released in an environment of that region`);
    }
    const parameters = Object.keys(template.Parameters ?? {});
    const entry: StageStack = {
      stack,
      id: stack.node.id,
      stackName: artifact.stackName,
      templatePath: toPosix(path.relative(root, artifact.templateFullPath)),
      dependsOn,
      resourceTypes: [...new Set(Object.values<{ Type?: string }>(template.Resources ?? {}).map((r) => r.Type).filter((t): t is string => typeof t === 'string'))].sort(),
      outputs: Object.keys(template.Outputs ?? {}),
      readsBootstrapVersion: parameters.includes('BootstrapVersion'),
      terminationProtection: artifact.terminationProtection === true,
    };
    byArtifact.set(artifact.id, entry);
    ordered.push(entry);
    return entry;
  };
  artifacts.forEach((a) => visit(a));
  problems.throwIfAny();

  // Layers: a stack goes one layer after the last of the stacks it depends on.
  const depth = new Map<StageStack, number>();
  const depthOf = (s: StageStack): number => {
    const known = depth.get(s);
    if (known !== undefined) return known;
    const d = s.dependsOn.length === 0 ? 0 : 1 + Math.max(...s.dependsOn.map(depthOf));
    depth.set(s, d);
    return d;
  };
  const layers: StageStack[][] = [];
  for (const s of ordered) (layers[depthOf(s)] ??= []).push(s);

  // Assets: from the asset manifests the stacks depend on, for this account and region.
  const fill = (text: string) => text.replace(PLACEHOLDERS, (whole, name: string) => (name === 'AccountId' ? account : name === 'Region' ? region : whole));
  const files = new Map<string, FileAsset>();
  const images = new Map<string, ImageAsset>();
  let manifestVersion = '';
  const templates = new Set(artifacts.map((a) => path.resolve(a.templateFullPath)));
  const manifests: string[] = [];
  for (const artifact of artifacts) {
    for (const manifest of artifact.dependencies.filter(cxapi.AssetManifestArtifact.isAssetManifestArtifact)) {
      const contents = manifest.contents;
      manifests.push(toPosix(path.relative(root, manifest.file)));
      manifestVersion ||= contents.version;
      const base = path.dirname(manifest.file);
      const relocate = (p: string) => toPosix(path.relative(root, path.resolve(base, p)));
      for (const [id, asset] of Object.entries(contents.files ?? {})) {
        for (const destination of Object.values(asset.destinations)) {
          // Templates go to CloudFormation from the artifact, by the pipeline's actions: they are not published.
          if (asset.source.path !== undefined && templates.has(path.resolve(base, asset.source.path))) continue;
          const bucketName = fill(destination.bucketName);
          const objectKey = fill(destination.objectKey);
          const source = { ...asset.source, ...(asset.source.path !== undefined ? { path: relocate(asset.source.path) } : {}) };
          files.set(`${id}|${bucketName}|${objectKey}`, { id, source, bucketName, objectKey });
        }
      }
      for (const [id, asset] of Object.entries(contents.dockerImages ?? {})) {
        for (const destination of Object.values(asset.destinations)) {
          const repositoryName = fill(destination.repositoryName);
          const imageTag = fill(destination.imageTag);
          const source = { ...asset.source, ...(asset.source.directory !== undefined ? { directory: relocate(asset.source.directory) } : {}) };
          images.set(`${id}|${repositoryName}|${imageTag}`, { id, source, repositoryName, imageTag });
        }
      }
    }
  }
  return { layers, files: [...files.values()], images: [...images.values()], manifestVersion: manifestVersion || '36.0.0', manifests: [...new Set(manifests)] };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
