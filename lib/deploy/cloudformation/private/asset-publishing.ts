import { PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BuildStep } from '../../../codebuild/build-step';
import { BuildCache } from '../../../codebuild/cache';
import { writeFileCommand } from '../../../codebuild/generated-file';
import { StepActions, StepContext } from '../../../core/step';
import { acceptNagFindings } from '../../../private/nag';
import { StageAssembly } from './stage-assembly';

/** The version of cdk-assets the publishing job runs, pinned so a release publishes the same way every time. */
export const CDK_ASSETS_VERSION = '4.7.3';

/** Name of the asset manifest the publishing job writes next to the cloud assembly's manifest. */
export const PUBLISHING_MANIFEST = 'cdk-delivery.assets.json';

/** What the publishing job needs to know. */
export interface PublishingOptions {
  readonly actionName: string;
  readonly input: codepipeline.Artifact;
  readonly assemblyDirectory: string;
  readonly account: string;
  readonly region: string;
  readonly computeType?: codebuild.ComputeType;
  readonly fleet?: codebuild.IFleet;
  readonly dockerServer?: codebuild.DockerServerOptions;
  readonly cdkAssetsVersion: string;
  /** Name of the artifact of the Stage's templates: unique in the pipeline, and in its first 10 characters. */
  readonly templatesArtifactName: string;
}

/** Name of the script that writes the publishing manifest from the cloud assembly. */
export const MANIFEST_SCRIPT = 'cdk-delivery-assets.js';

/** What the manifest script reads: paths relative to the artifact's root. */
export interface ManifestScriptConfig {
  /** The cloud assembly's directory ('' for the root). */
  readonly root: string;
  /** The Stage's stack asset manifests. */
  readonly manifests: string[];
  /** The Stage's stack templates (published by CloudFormation's actions, not here). */
  readonly templates: string[];
  readonly account: string;
  readonly region: string;
  /** The role cdk-assets assumes for every destination, or none: the job's own credentials. */
  readonly roleArn?: string;
  /** Where to write the manifest. */
  readonly output: string;
}

/**
 * The script the publishing job runs to write cdk-assets' manifest from the Stage's own asset
 * manifests in the cloud assembly: every file and image for the environment's account and region
 * (account and region placeholders filled in, as cdk-assets would fill them with the job's own
 * account), each destination assumed through `roleArn` or published with the job's credentials,
 * the stacks' templates left out. It runs at build time, so the pipeline's definition does not
 * change when an asset does (nothing in it names an asset's hash).
 */
export function manifestScript(config: ManifestScriptConfig): string {
  return [
    '// Written by cdk-delivery: the manifest cdk-assets publishes this Stage\'s assets from.',
    "const fs = require('fs');",
    "const path = require('path');",
    `const config = ${JSON.stringify(config)};`,
    "const fill = (text) => text.split('${AWS::AccountId}').join(config.account).split('${AWS::Region}').join(config.region);",
    "const templates = new Set(config.templates.map((t) => path.resolve(t)));",
    "const out = { version: '', files: {}, dockerImages: {} };",
    'for (const file of config.manifests) {',
    "  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));",
    '  out.version = out.version || manifest.version;',
    '  const base = path.dirname(file);',
    "  for (const [kind, key] of [['files', 'path'], ['dockerImages', 'directory']]) {",
    '    for (const [id, asset] of Object.entries(manifest[kind] || {})) {',
    '      const source = { ...asset.source };',
    "      if (kind === 'files' && source.path !== undefined && templates.has(path.resolve(base, source.path))) continue;",
    '      if (source[key] !== undefined) source[key] = path.relative(config.root || \'.\', path.join(base, source[key]));',
    '      const destinations = {};',
    '      for (const [name, destination] of Object.entries(asset.destinations)) {',
    "        const d = Object.fromEntries(Object.entries(destination).filter(([k]) => !k.startsWith('assumeRole')).map(([k, v]) => [k, typeof v === 'string' ? fill(v) : v]));",
    '        if (config.roleArn) d.assumeRoleArn = config.roleArn;',
    '        destinations[name] = { ...d, region: config.region };',
    '      }',
    '      out[kind][id] = { source, destinations: { ...(out[kind][id] || {}).destinations, ...destinations } };',
    '    }',
    '  }',
    '}',
    'fs.writeFileSync(config.output, JSON.stringify(out, null, 1));',
    "console.log(`${Object.keys(out.files).length} files and ${Object.keys(out.dockerImages).length} Docker images to publish to ${config.account}/${config.region}`);",
    '',
  ].join('\n');
}

/**
 * The one CodeBuild action that publishes every asset of a Stage to one account and region, with
 * a project role that may do only that: here, write exactly the buckets and repositories the
 * assets go to; in another account, assume the target's publishing role, which is granted those.
 */
export function publishAssets(scope: Construct, context: StepContext, assembly: StageAssembly, options: PublishingOptions): StepActions & { readonly templates: codepipeline.Artifact } {
  const environment = context.environment;
  const here = Stack.of(context.pipeline);
  const target = environment?.crossAccount ? environment.assetPublishing : undefined;
  const role = new iam.Role(scope, 'PublisherRole', {
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
    description: `Publishes the assets of ${options.actionName} to ${options.account}/${options.region}`,
    // A target in another account trusts it by name.
    ...(target ? { roleName: PhysicalName.GENERATE_IF_NEEDED } : {}),
  });
  let manifestRole: string | undefined;
  if (target) {
    const publishing = target.trustAssetPublisher(role.roleArn);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [`arn:${here.partition}:iam::${options.account}:role/${target.assetPublishingRoleName}`] }));
    // cdk-assets fills in the partition of the credentials it runs with.
    manifestRole = `arn:\${AWS::Partition}:iam::${options.account}:role/${target.assetPublishingRoleName}`;
    grantLocations(publishing, assembly, options, here.partition);
  } else {
    grantLocations(role, assembly, options, here.partition);
  }
  const images = assembly.images.length > 0;
  const dir = options.assemblyDirectory;
  const manifestPath = dir ? `${dir}/${PUBLISHING_MANIFEST}` : PUBLISHING_MANIFEST;
  const inRoot = (p: string) => (dir ? `${dir}/${p}` : p);
  const script = manifestScript({
    root: dir,
    manifests: assembly.manifests.map(inRoot),
    templates: assembly.layers.flat().map((s) => inRoot(s.templatePath)),
    account: options.account,
    region: options.region,
    roleArn: manifestRole,
    output: manifestPath,
  });
  const step = new (images ? DockerPublishingJob : BuildStep)(options.actionName, {
    input: options.input,
    installCommands: [`npm install --global --no-audit --no-fund --no-update-notifier cdk-assets@${options.cdkAssetsVersion}`],
    commands: [
      writeFileCommand({ path: MANIFEST_SCRIPT, content: script }, undefined),
      `node ${MANIFEST_SCRIPT}`,
      `cdk-assets --path '${manifestPath}' publish`,
    ],
    // Docker builds need the Docker daemon (privileged), and reuse the layers of the last build on the host.
    cache: images ? BuildCache.local({ dockerLayers: true }) : BuildCache.none(),
    computeType: options.fleet ? undefined : options.computeType ?? (images ? codebuild.ComputeType.MEDIUM : codebuild.ComputeType.SMALL),
    fleet: options.fleet,
    // A Docker server serves Docker builds only.
    dockerServer: images ? options.dockerServer : undefined,
    expectedMinutes: publishingMinutes(assembly),
    // The stacks' templates alone, for CloudFormation: its actions read at most 256 MB of input
    // (CodePipeline quotas), which a cloud assembly with Docker contexts can exceed.
    secondaryOutputs: [{ name: options.templatesArtifactName, files: assembly.layers.flat().map((s) => s.templatePath), baseDirectory: dir || undefined }],
    role,
  });
  return { ...step.bind(new Construct(scope, 'Job'), context), templates: step.secondaryOutput(options.templatesArtifactName) };
}

/** A publishing job that builds Docker images: privileged, as the library runs only Docker builds. */
class DockerPublishingJob extends BuildStep {
  protected dockerBuild(): boolean {
    return true;
  }
}

/** Minutes of the publishing build: a minute to install cdk-assets and look, and per asset built and uploaded. */
export function publishingMinutes(assembly: StageAssembly): number {
  return 1 + assembly.files.length * 0.2 + assembly.images.length * 3;
}

/** Statements that let a role write exactly the buckets and repositories the assets go to. */
function grantLocations(role: iam.IRole, assembly: StageAssembly, where: { readonly account: string; readonly region: string }, partition: string): void {
  const buckets = [...new Set(assembly.files.map((f) => f.bucketName))].sort();
  const repositories = [...new Set(assembly.images.map((i) => i.repositoryName))].sort();
  if (buckets.length > 0) {
    // cdk-assets looks for the object first (ListObjectsV2, not HeadObject), reads the bucket's
    // region and encryption, then uploads (multipart for large files, aborted when it fails).
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:ListBucket'],
      resources: buckets.map((b) => `arn:${partition}:s3:::${b}`),
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:AbortMultipartUpload', 's3:PutObject'],
      resources: buckets.map((b) => `arn:${partition}:s3:::${b}/*`),
    }));
  }
  if (repositories.length > 0) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    // cdk-assets finds the repository and looks for the tag (DescribeRepositories, DescribeImages),
    // then docker pushes the layers; images built from a cache in the repository also pull.
    const pulls = assembly.images.some((i) => i.source.cacheFrom !== undefined);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:DescribeRepositories',
        'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart', ...(pulls ? ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] : [])].sort(),
      resources: repositories.map((r) => `arn:${partition}:ecr:${where.region}:${where.account}:repository/${r}`),
    }));
  }
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    acceptNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Assets are objects named by their hash, in the buckets the Stage\'s stacks read them from (only those buckets); ecr:GetAuthorizationToken has no resource-level permissions (Service Authorization Reference).',
      // cdk-nag names a partition known only at deploy time <AWS::Partition>.
      appliesTo: [...buckets.map((b) => `Resource::arn:${Token.isUnresolved(partition) ? '<AWS::Partition>' : partition}:s3:::${b}/*`), ...(repositories.length > 0 ? ['Resource::*'] : [])],
    }]);
  }
}
