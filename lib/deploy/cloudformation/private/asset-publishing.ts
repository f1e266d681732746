import { PhysicalName, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BuildStep } from '../../../codebuild/build-step';
import { BuildCache } from '../../../codebuild/cache';
import { quote, writeFileCommand } from '../../../codebuild/generated-file';
import { INSTALL_SKOPEO } from '../../../codebuild/private/tools';
import { readFleet } from '../../../codebuild/private/validate-props';
import { IAssetPublishingTarget, StepActions, StepContext } from '../../../core/step';
import { acceptNagFindings } from '../../../private/nag';
import { differentLiterals as differentLiteral } from '../../../private/validation';
import { StageAssembly } from './stage-assembly';

/** The version of cdk-assets the publishing job runs, pinned so a release publishes the same way every time. */
export const CDK_ASSETS_VERSION = '4.7.3';

/** The newest major version of the cloud assembly schema the pinned cdk-assets reads. */
export const CDK_ASSETS_SCHEMA_MAJOR = 54;

/** Name of the asset manifest the publishing job writes next to the cloud assembly's manifest. */
export const PUBLISHING_MANIFEST = 'cdk-delivery.assets.json';

/** Name of the script that checks the Stage and writes the publishing manifest. */
export const MANIFEST_SCRIPT = 'cdk-delivery-assets.js';

/** What the prepare job needs to know. */
export interface PrepareOptions {
  readonly actionName: string;
  readonly input: codepipeline.Artifact;
  readonly assemblyDirectory: string;
  readonly account: string;
  readonly region: string;
  readonly computeType?: codebuild.ComputeType;
  /** The job's image (publishingImage's choice). */
  readonly buildImage?: codebuild.IBuildImage;
  /** The image is ARM by default: no asset is built by a command of its own, every image built is for linux/arm64. */
  readonly armByDefault?: boolean;
  readonly fleet?: codebuild.IFleet;
  readonly dockerServer?: codebuild.DockerServerOptions;
  readonly cdkAssetsVersion: string;
  /** Name of the artifact of the Stage's templates: unique in the pipeline, and in its first 10 characters. */
  readonly templatesArtifactName: string;
  /** The pipeline's stack, named in the error when the Stage changed since the pipeline was deployed. */
  readonly pipelineStack: string;
  /** Copy the Docker images from where an earlier release of the Stage published them, instead of building them. */
  readonly copyImagesFrom?: ImageOrigin;
}

/** Where an earlier release of the same Stage code published its images. */
export interface ImageOrigin {
  readonly account: string;
  readonly region: string;
  /** Its images, by asset id: the repository and tag. */
  readonly images: Map<string, { readonly repositoryName: string; readonly imageTag: string }>;
  /** The role to read them with, in another account (the publishing role of that environment's target). */
  readonly target?: IAssetPublishingTarget;
  readonly actionName: string;
}

/** What the script reads: paths relative to the artifact's root. */
export interface ManifestScriptConfig {
  /** The cloud assembly's directory ('' for the root). */
  readonly root: string;
  /** The Stage's own cloud assembly directory (its manifest lists its stacks and asset manifests). */
  readonly stageDirectory: string;
  /** The Stage's stack templates when the pipeline was deployed. */
  readonly templates: string[];
  readonly account: string;
  readonly region: string;
  /** Name of the role (in `account`) cdk-assets assumes for every destination, or none: the job's own credentials. */
  readonly roleName?: string;
  /** The buckets and repositories the job may write (granted when the pipeline was deployed). */
  readonly buckets: string[];
  readonly repositories: string[];
  /** Where to write the manifest. */
  readonly output: string;
  /** The pipeline's stack, for the error when the Stage changed shape. */
  readonly pipelineStack: string;
  /**
   * The newest schema version the pinned cdk-assets reads: a newer aws-cdk-lib's manifests are
   * written with it (the manifest holds only files and images, whose shape the schema keeps), and
   * cdk-assets' own validation still rejects a field it does not know.
   */
  readonly maxSchemaVersion?: string;
  /**
   * Copy the images instead of building them: for each asset id, the image to copy
   * (`<registry>/<repository>:<tag>`); the script writes the copies to `copies.txt` and leaves the
   * images out of cdk-assets' manifest.
   */
  readonly copies?: { [assetId: string]: string };
  /**
   * The job runs on ARM because no asset was built by a command of its own and every image it
   * builds was for linux/arm64: an asset that now is built by a command, or an image for another
   * platform, fails the job, asking for the pipeline to be deployed (which then runs it on x86).
   */
  readonly arm?: boolean;
}

/**
 * The script the prepare job runs. It first checks that the Stage in the build has the stacks the
 * pipeline was deployed for, and assets only where the job may write them: the pipeline's actions
 * are fixed when its stack is deployed, so a Stage that gained or lost a stack, or whose assets
 * moved, fails here, asking for the pipeline to be deployed, instead of being released in part.
 * Then it writes cdk-assets' manifest from the Stage's own asset manifests: every file and image
 * for the environment's account and region (account and region placeholders filled in, as
 * cdk-assets would fill them with the job's own account), each destination assumed through
 * `roleArn` or published with the job's credentials, the templates left out. It runs at build
 * time, so nothing in the pipeline's definition names an asset's hash: an asset change does not
 * change the pipeline.
 */
export function manifestScript(config: ManifestScriptConfig): string {
  return [
    '// Written by cdk-delivery: checks the Stage and writes the manifest cdk-assets publishes its assets from.',
    "const fs = require('fs');",
    "const path = require('path');",
    `const config = ${JSON.stringify(config)};`,
    // The placeholders are spelled in two parts: CloudFormation's linter reads \${AWS::...} in a buildspec as a mistake.
    "const placeholder = (name) => '$' + '{AWS::' + name + '}';",
    "const fill = (text) => text.split(placeholder('AccountId')).join(config.account).split(placeholder('Region')).join(config.region);",
    "const partition = config.region.startsWith('cn-') ? 'aws-cn' : config.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';",
    "const roleArn = config.roleName ? `arn:${partition}:iam::${config.account}:role/${config.roleName}` : undefined;",
    "const stage = JSON.parse(fs.readFileSync(path.join(config.stageDirectory, 'manifest.json'), 'utf8'));",
    'const artifacts = Object.values(stage.artifacts || {});',
    "const built = artifacts.filter((a) => a.type === 'aws:cloudformation:stack').map((a) => path.join(config.stageDirectory, a.properties.templateFile));",
    "const manifests = artifacts.filter((a) => a.type === 'cdk:asset-manifest').map((a) => path.join(config.stageDirectory, a.properties.file));",
    'const templates = new Set(built.map((t) => path.resolve(t)));',
    'const changes = [];',
    'const copies = [];',
    'for (const t of built) if (!config.templates.includes(t)) changes.push(`a new stack (${t})`);',
    'for (const t of config.templates) if (!built.includes(t)) changes.push(`no longer the stack of ${t}`);',
    "const out = { version: '', files: {}, dockerImages: {} };",
    'for (const file of manifests) {',
    "  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));",
    '  out.version = out.version || manifest.version;',
    '  const base = path.dirname(file);',
    "  for (const [kind, key] of [['files', 'path'], ['dockerImages', 'directory']]) {",
    '    for (const [id, asset] of Object.entries(manifest[kind] || {})) {',
    '      const source = { ...asset.source };',
    "      if (config.arm && source.executable !== undefined) changes.push(`an asset built by a command of its own (${id}), which this job runs on ARM as it had none`);",
    "      if (config.arm && kind === 'dockerImages' && !config.copies && source.platform !== 'linux/arm64') changes.push(`a Docker image not for linux/arm64 (${id}), which this job builds on ARM as every image was`);",
    "      if (kind === 'files' && source.path !== undefined && templates.has(path.resolve(base, source.path))) continue;",
    "      if (source[key] !== undefined) source[key] = path.relative(config.root || '.', path.join(base, source[key]));",
    '      const destinations = {};',
    '      for (const [name, destination] of Object.entries(asset.destinations)) {',
    "        const d = Object.fromEntries(Object.entries(destination).filter(([k]) => !k.startsWith('assumeRole')).map(([k, v]) => [k, typeof v === 'string' ? fill(v) : v]));",
    '        if (d.bucketName !== undefined && !config.buckets.includes(d.bucketName)) changes.push(`assets in bucket ${d.bucketName}`);',
    '        if (d.repositoryName !== undefined && !config.repositories.includes(d.repositoryName)) changes.push(`Docker images in repository ${d.repositoryName}`);',
    '        if (roleArn) d.assumeRoleArn = roleArn;',
    '        destinations[name] = { ...d, region: config.region };',
    '      }',
    "      if (kind === 'dockerImages' && config.copies) {",
    "        if (!config.copies[id]) { changes.push(`a new Docker image (${id}), not in the release it is copied from`); continue; }",
    "        for (const d of Object.values(destinations)) copies.push(`${config.copies[id]} ${d.repositoryName}:${d.imageTag}`);",
    '        continue;',
    '      }',
    '      out[kind][id] = { source, destinations: { ...(out[kind][id] || {}).destinations, ...destinations } };',
    '    }',
    '  }',
    '}',
    "if (config.maxSchemaVersion && Number(out.version.split('.')[0]) > Number(config.maxSchemaVersion.split('.')[0])) out.version = config.maxSchemaVersion;",
    'if (changes.length > 0) {',
    "  console.error(`The Stage in this build differs from the one the pipeline was deployed for: ${[...new Set(changes)].join('; ')}. Deploy the pipeline's stack (cdk deploy ${config.pipelineStack}; for assets in new places the targets' stacks too), then release again.`);",
    '  process.exit(1);',
    '}',
    'fs.writeFileSync(config.output, JSON.stringify(out, null, 1));',
    "fs.writeFileSync('copies.txt', copies.map((c) => c + '\\n').join(''));",
    "console.log(`${Object.keys(out.files).length} files and ${Object.keys(out.dockerImages).length} Docker images to publish to ${config.account}/${config.region}`);",
    '',
  ].join('\n');
}

/**
 * Copies each image of `copies.txt` (`<source image> <repository>:<tag>`) into the environment's
 * registry with skopeo (every platform), unless the tag is there already, and checks that the copy
 * has the source's digest: the images deployed are the bytes the earlier environment ran.
 */
export const COPY_SCRIPT = [
  'set -euo pipefail',
  'as_role() { if [ "$1" = none ]; then shift; "$@"; else local c; c=$(aws sts assume-role --role-arn "$1" --role-session-name image-copy --query Credentials --output text); shift; AWS_ACCESS_KEY_ID=$(echo "$c" | cut -f1) AWS_SECRET_ACCESS_KEY=$(echo "$c" | cut -f3) AWS_SESSION_TOKEN=$(echo "$c" | cut -f4) "$@"; fi; }',
  'digest() { as_role "$1" aws ecr describe-images --region "$2" --registry-id "$3" --repository-name "$4" --image-ids "imageTag=$5" --query "imageDetails[0].imageDigest" --output text 2>/dev/null || true; }',
  'while read -r SOURCE DESTINATION; do',
  '  [ -n "$SOURCE" ] || continue',
  '  SRC_REPO="${SOURCE#*/}"; SRC_TAG="${SRC_REPO##*:}"; SRC_REPO="${SRC_REPO%:*}"',
  '  DST_REPO="${DESTINATION%:*}"; DST_TAG="${DESTINATION##*:}"',
  '  WANT=$(digest "$COPY_SOURCE_ROLE" "$COPY_SOURCE_REGION" "$COPY_SOURCE_ACCOUNT" "$SRC_REPO" "$SRC_TAG")',
  '  case "$WANT" in sha256:*) ;; *) echo "$SOURCE is not in the registry it is copied from: release that environment first"; exit 1 ;; esac',
  '  if [ "$(digest "$COPY_ROLE" "$COPY_REGION" "$COPY_ACCOUNT" "$DST_REPO" "$DST_TAG")" != "$WANT" ]; then',
  '    SRC_LOGIN="AWS:$(as_role "$COPY_SOURCE_ROLE" aws ecr get-login-password --region "$COPY_SOURCE_REGION")"',
  '    DST_LOGIN="AWS:$(as_role "$COPY_ROLE" aws ecr get-login-password --region "$COPY_REGION")"',
  '    skopeo copy --all --src-creds "$SRC_LOGIN" --dest-creds "$DST_LOGIN" "docker://$SOURCE" "docker://$COPY_REGISTRY/$DESTINATION"',
  '  fi',
  '  GOT=$(digest "$COPY_ROLE" "$COPY_REGION" "$COPY_ACCOUNT" "$DST_REPO" "$DST_TAG")',
  '  if [ "$GOT" != "$WANT" ]; then echo "The copy of $SOURCE has digest $GOT, not $WANT"; exit 1; fi',
  '  echo "$COPY_REGISTRY/$DESTINATION is $WANT, as $SOURCE"',
  'done < copies.txt',
  '',
].join('\n');

/** The registry of an account and region. */
function registryOf(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/**
 * The one CodeBuild action that prepares a release of a Stage to one account and region: it checks
 * the Stage in the build against the pipeline's actions, publishes every asset (when the Stage has
 * any) and hands CloudFormation the templates alone. Its role may do only that: here, write
 * exactly the buckets and repositories the assets go to; in another account, assume the target's
 * publishing role, which is granted those.
 */
export function prepareStage(scope: Construct, context: StepContext, assembly: StageAssembly, options: PrepareOptions): StepActions & { readonly templates: codepipeline.Artifact } {
  const environment = context.environment;
  const here = Stack.of(context.pipeline);
  const assets = assembly.files.length + assembly.images.length > 0;
  const target = assets && environment?.crossAccount ? environment.assetPublishing : undefined;
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': here.account } }),
    description: `Prepares the release of ${options.actionName} to ${options.account}/${options.region}`,
    // A target in another account trusts it by name.
    ...(target ? { roleName: PhysicalName.GENERATE_IF_NEEDED } : {}),
  });
  let manifestRole: string | undefined;
  if (target) {
    const publishing = target.trustAssetPublisher(role.roleArn);
    const publishingArn = `arn:${here.partition}:iam::${options.account}:role/${target.assetPublishingRoleName}`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [publishingArn] }));
    manifestRole = target.assetPublishingRoleName;
    if (!(publishing instanceof iam.Role)) {
      Annotations.of(scope).addInfo(`${options.actionName} publishes through ${publishingArn}, a role of another app: it must trust ${here.resolve(role.roleArn)} and may write ${describeLocations(assembly, options)}.`);
    }
    grantLocations(publishing, assembly, options, here.partition);
  } else {
    grantLocations(role, assembly, options, here.partition);
  }
  const origin = options.copyImagesFrom;
  const copying = origin !== undefined && assembly.images.length > 0;
  const images = assembly.images.length > 0 && !copying;
  let sourceRole = 'none';
  if (copying) {
    // The images are read where the earlier release published them: through that target's
    // publishing role in another account, or with the job's own role in the pipeline's.
    const repositories = [...new Set([...origin.images.values()].map((i) => `arn:${here.partition}:ecr:${origin.region}:${origin.account}:repository/${i.repositoryName}`))].sort();
    const pull = new iam.PolicyStatement({ actions: ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:GetDownloadUrlForLayer'], resources: repositories });
    if (origin.target && differentLiteral(origin.account, here.account)) {
      const reader = origin.target.trustAssetPublisher(role.roleArn);
      sourceRole = `arn:${here.partition}:iam::${origin.account}:role/${origin.target.assetPublishingRoleName}`;
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [sourceRole] }));
      reader.addToPrincipalPolicy(pull);
    } else {
      role.addToPrincipalPolicy(pull);
    }
  }
  const dir = options.assemblyDirectory;
  const inRoot = (p: string) => (dir ? `${dir}/${p}` : p);
  const manifestPath = inRoot(PUBLISHING_MANIFEST);
  const templates = assembly.layers.flat().map((s) => s.templatePath);
  const script = manifestScript({
    root: dir,
    stageDirectory: inRoot(templates[0].slice(0, templates[0].lastIndexOf('/'))),
    templates: templates.map(inRoot),
    account: options.account,
    region: options.region,
    roleName: manifestRole,
    buckets: [...new Set(assembly.files.map((f) => f.bucketName))].sort(),
    repositories: [...new Set(assembly.images.map((i) => i.repositoryName))].sort(),
    output: manifestPath,
    pipelineStack: options.pipelineStack,
    maxSchemaVersion: options.cdkAssetsVersion === CDK_ASSETS_VERSION ? `${CDK_ASSETS_SCHEMA_MAJOR}.0.0` : undefined,
    ...(options.armByDefault ? { arm: true } : {}),
    ...(copying ? { copies: Object.fromEntries([...origin.images].map(([id, i]) => [id, `${registryOf(origin.account, origin.region)}/${i.repositoryName}:${i.imageTag}`])) } : {}),
  });
  const step = new (images ? DockerPublishingJob : BuildStep)(options.actionName, {
    input: options.input,
    installCommands: assets ? [
      `npm install --global --no-audit --no-fund --no-update-notifier cdk-assets@${options.cdkAssetsVersion}`,
      ...(copying ? [INSTALL_SKOPEO] : []),
    ] : undefined,
    commands: [
      writeFileCommand({ path: MANIFEST_SCRIPT, content: script }, undefined),
      `node ${MANIFEST_SCRIPT}`,
      ...(copying ? [writeFileCommand({ path: 'copy-images.sh', content: COPY_SCRIPT }, undefined), 'bash ./copy-images.sh'] : []),
      ...(assets ? [`cdk-assets --path ${quote(manifestPath)} publish`] : []),
    ],
    environmentVariables: copying ? [
      { name: 'COPY_SOURCE_ACCOUNT', value: origin.account },
      { name: 'COPY_SOURCE_REGION', value: origin.region },
      { name: 'COPY_SOURCE_ROLE', value: sourceRole },
      { name: 'COPY_ACCOUNT', value: options.account },
      { name: 'COPY_REGION', value: options.region },
      { name: 'COPY_ROLE', value: target ? `arn:${here.partition}:iam::${options.account}:role/${target.assetPublishingRoleName}` : 'none' },
      { name: 'COPY_REGISTRY', value: registryOf(options.account, options.region) },
    ] : undefined,
    // Docker builds need the Docker daemon (privileged), and reuse the layers of the last build on the host.
    cache: images ? BuildCache.local({ dockerLayers: true }) : BuildCache.none(),
    // A fleet of this app gives its compute type; an imported one's is the step's.
    computeType: options.fleet && !readFleet(options.fleet).imported ? undefined : options.computeType ?? (options.fleet ? undefined : codebuild.ComputeType.SMALL),
    buildImage: options.buildImage,
    fleet: options.fleet,
    // A Docker server serves Docker builds only.
    dockerServer: images ? options.dockerServer : undefined,
    expectedMinutes: publishingMinutes(assembly, copying),
    // The stacks' templates alone, for CloudFormation: its actions read at most 256 MB of input
    // (CodePipeline quotas), which a cloud assembly with Docker contexts can exceed.
    secondaryOutputs: [{ name: options.templatesArtifactName, files: templates, baseDirectory: dir || undefined }],
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

/** The image the prepare job runs on by default when it runs on ARM. */
export const ARM_IMAGE = codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0;

/**
 * The prepare job's image, or the reason the one asked for cannot do the job (the prop and the
 * problem). The default is ARM (Graviton), about a third cheaper per minute than x86, when every
 * Docker image the job builds is for linux/arm64 (none built, or all built natively), none is
 * copied (skopeo comes from the x86 Ubuntu image's packages), and no asset is built by a command of
 * its own (which may need the platform it was written for); a fleet's environment type decides on
 * a fleet.
 */
export function publishingImage(assembly: StageAssembly, copying: boolean, fleet: codebuild.IFleet | undefined, given: codebuild.IBuildImage | undefined):
{ readonly image?: codebuild.IBuildImage; readonly problem?: { readonly prop: string; readonly value: unknown; readonly problem: string; readonly fix: string } } {
  const fleetType = fleet ? readFleet(fleet).environmentType : undefined;
  if (given) {
    const type = String(given.type);
    if (type !== 'LINUX_CONTAINER' && type !== 'ARM_CONTAINER') {
      return { problem: { prop: 'assetPublishingBuildImage', value: given.imageId, problem: `is a ${type} image, but the job needs EC2 Linux or ARM compute (Docker, a cache)`, fix: 'give e.g. codebuild.LinuxBuildImage.STANDARD_7_0 or codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0' } };
    }
    if (fleetType && fleetType !== type) {
      return { problem: { prop: 'assetPublishingBuildImage', value: given.imageId, problem: `is a ${type} image, but assetPublishingFleet runs ${fleetType}`, fix: 'give an image of the fleet\'s environment type' } };
    }
    if (copying && !String(given.imageId).startsWith('aws/codebuild/standard:')) {
      return { problem: { prop: 'assetPublishingBuildImage', value: given.imageId, problem: 'is not CodeBuild\'s Ubuntu image, whose packages the job installs skopeo from to copy the images (imagesFrom)', fix: 'give codebuild.LinuxBuildImage.STANDARD_7_0, or remove assetPublishingBuildImage' } };
    }
    return { image: given };
  }
  const commands = [...assembly.files, ...assembly.images].some((a) => a.source.executable !== undefined);
  if (fleetType === 'ARM_CONTAINER') {
    if (copying) {
      return { problem: { prop: 'assetPublishingFleet', value: fleet!.node.path, problem: 'is an ARM fleet, but copying the images (imagesFrom) installs skopeo from the packages of CodeBuild\'s x86 Ubuntu image', fix: 'give a LINUX_CONTAINER fleet, or remove assetPublishingFleet' } };
    }
    return { image: ARM_IMAGE };
  }
  if (fleet) return {};
  // Images build natively on ARM when every one is for linux/arm64; others need x86.
  const builds = copying ? [] : assembly.images;
  const arm = !copying && !commands && builds.every((i) => i.source.platform === ARM64);
  return { image: arm ? ARM_IMAGE : undefined };
}

/** The Docker platform of ARM images. */
export const ARM64 = 'linux/arm64';

/**
 * The images the job builds for another architecture than its own (`linux/arm64` on x86, or any
 * other on ARM), which Docker builds only with an emulator the job does not install.
 */
export function foreignImages(assembly: StageAssembly, copying: boolean, environmentType: string): string[] {
  if (copying) return [];
  const onArm = environmentType.startsWith('ARM');
  return assembly.images
    .filter((i) => onArm ? i.source.platform !== ARM64 : i.source.platform === ARM64)
    .map((i) => `${i.id.slice(0, 12)} (${String(i.source.platform ?? 'no platform: the host\'s')})`);
}

/** Minutes of the prepare build: half a minute to check, a minute to install cdk-assets and look, and per asset built and uploaded. */
export function publishingMinutes(assembly: StageAssembly, copying: boolean = false): number {
  const assets = assembly.files.length + assembly.images.length;
  return assets === 0 ? 0.5 : 1 + assembly.files.length * 0.2 + assembly.images.length * (copying ? 1 : 3);
}


function describeLocations(assembly: StageAssembly, where: { readonly account: string; readonly region: string }): string {
  const buckets = [...new Set(assembly.files.map((f) => `bucket ${f.bucketName}`))];
  const repositories = [...new Set(assembly.images.map((i) => `repository ${i.repositoryName} (${where.account}/${where.region})`))];
  return [...buckets, ...repositories].join(', ');
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
    // then docker pushes the layers (the ECR guide's push permissions, BatchGetImage among them);
    // images built from a cache in the repository also pull their layers.
    const pulls = assembly.images.some((i) => i.source.cacheFrom !== undefined);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:DescribeRepositories',
        'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart', ...(pulls ? ['ecr:GetDownloadUrlForLayer'] : [])].sort(),
      resources: repositories.map((r) => `arn:${partition}:ecr:${where.region}:${where.account}:repository/${r}`),
    }));
  }
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy && (buckets.length > 0 || repositories.length > 0)) {
    acceptNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Assets are objects named by their hash, in the buckets the Stage\'s stacks read them from (only those buckets); ecr:GetAuthorizationToken has no resource-level permissions (Service Authorization Reference).',
      // cdk-nag names a partition known only at deploy time <AWS::Partition>.
      appliesTo: [...buckets.map((b) => `Resource::arn:${Token.isUnresolved(partition) ? '<AWS::Partition>' : partition}:s3:::${b}/*`), ...(repositories.length > 0 ? ['Resource::*'] : [])],
    }]);
  }
}
