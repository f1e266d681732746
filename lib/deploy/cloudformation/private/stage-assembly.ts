import * as path from 'path';
import { Aspects, Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
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
  /** Whether a Lambda function of the stack runs an image (whose creator must read it from ECR). */
  readonly imageFunctions: boolean;
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
  /** What the release cannot do as the Stage asks (warnings for the step). */
  readonly notes: string[];
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
  const nested = stage.node.findAll().find((c) => c !== stage && Stage.isStage(c) && !Stack.isStack(c));
  if (nested) {
    fail(subject, 'stage', verbatim(stage.node.path), `holds another Stage ('${nested.node.path}'), whose stacks the step would not release`, 'release each Stage with a step of its own, or put the stacks directly in this Stage');
  }
  const assembly = stage.synth({ validateOnSynthesis: true });
  const root = app.outdir;
  const artifacts = assembly.stacks;
  if (artifacts.length === 0) {
    fail(subject, 'stage', verbatim(stage.node.path), 'has no stacks', 'add the stacks to release to the Stage');
  }
  const constructs = new Map(stage.node.findAll().filter(Stack.isStack).filter((s) => Stage.of(s) === stage).map((s) => [s.artifactId, s]));
  const byArtifact = new Map<string, StageStack>();
  const notes: string[] = [];
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
    // CodePipeline's CloudFormation actions give no parameter values: a parameter without a default fails the deploy.
    const required = parameters.filter((p) => p !== 'BootstrapVersion' && template.Parameters[p]?.Default === undefined);
    if (required.length > 0) {
      problems.add('stage', verbatim(stack.node.path), `stack '${stack.node.id}' has parameters without a default (${required.join(', ')}), to which a release gives no value (aws-cdk-lib's legacy synthesizer makes such parameters for assets)`, 'give the parameters defaults, or use aws-cdk-lib\'s default synthesizer for the Stage\'s stacks');
    }
    if (artifact.terminationProtection) {
      notes.push(`stack '${artifact.stackName}' asks for termination protection, which CodePipeline's CloudFormation actions do not set: turn it on once after the first release (aws cloudformation update-termination-protection --enable-termination-protection --stack-name ${artifact.stackName})`);
    }
    const entry: StageStack = {
      stack,
      id: stackIdIn(stage, stack),
      stackName: artifact.stackName,
      templatePath: toPosix(path.relative(root, artifact.templateFullPath)),
      dependsOn,
      resourceTypes: [...new Set(Object.values<{ Type?: string }>(template.Resources ?? {}).map((r) => r.Type).filter((t): t is string => typeof t === 'string'))].sort(),
      outputs: Object.keys(template.Outputs ?? {}),
      imageFunctions: Object.values<{ Type?: string; Properties?: { Code?: { ImageUri?: unknown } } }>(template.Resources ?? {})
        .some((r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Code?.ImageUri !== undefined),
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
  return { layers, files: [...files.values()], images: [...images.values()], manifestVersion: manifestVersion || '36.0.0', manifests: [...new Set(manifests)], notes };
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** A stack's id in its Stage: its construct path below the Stage, with dots for slashes (an action name holds it). */
export function stackIdIn(stage: Stage, stack: Stack): string {
  return stack.node.path.slice(stage.node.path.length + 1).replace(/\//g, '.');
}

/**
 * The Stage is synthesized when the step is placed: what is added to it afterwards (constructs,
 * or Aspects such as Tags) would be missing from the release, or break \`cdk synth\`. Fails the
 * synthesis, naming the step, when the Stage changed.
 */
export function watchStage(scope: IConstruct, subject: string, stage: Stage): void {
  const shape = (): string => {
    const all = stage.node.findAll();
    // Aspects of the app do not apply inside a Stage (aws-cdk-lib synthesizes it apart): only its own count.
    const aspects = all.reduce((n, c) => n + Aspects.of(c).all.length, 0);
    return `${all.length}/${aspects}`;
  };
  const before = shape();
  scope.node.addValidation({
    validate: () => (shape() === before ? [] : [
      `${subject}: stage: changed after the step was placed (constructs or Aspects such as Tags added to it), but the pipeline releases the Stage as it was then (got ${stage.node.path}). Fix: create the Stage completely, Tags and Aspects included, before the environment that releases it.`,
    ]),
  });
}
