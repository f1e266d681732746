import { PhysicalName, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../core/step';
import { MODEL } from '../private/estimate-model';
import { acceptNagFindings } from '../private/nag';
import { checkArgs, constructorOf } from '../private/shapes';
import { ECR_IMAGE_TAG } from '../private/names';
import { Problems, differentLiterals, fail, isConcrete, verbatim } from '../private/validation';
import { BuildStep } from './build-step';
import { BuildCache } from './cache';
import { writeFileCommand } from './generated-file';
import { primaryOutputName } from './private/buildspec-model';
import { imageFilesOf, recordImageFiles, repositoryOf } from './private/image-files';
import { INSTALL_SKOPEO, PROMOTE_SCRIPT } from './private/tools';

/** Props of an `ImagePromotionStep`. */
export interface ImagePromotionStepProps {
  /**
   * The artifact whose `imageDetail.json` names the tested image by digest: the output of an ECR
   * source (`Source.ecr`) or of a `DockerImageStep`.
   */
  readonly image: codepipeline.Artifact;

  /** The repository to copy the image into, in the environment's account and region. */
  readonly repository: ecr.IRepository;

  /**
   * Tag of the copy (literal, or a variable reference such as `source.variables.imageTag`).
   *
   * @default - `promoted-` and the first 12 hex digits of the digest (a tag per image, so immutable repositories take it)
   */
  readonly tag?: string;

  /**
   * Container name for `imagedefinitions.json` (the ECS standard deploy action reads it).
   *
   * @default - only `imageDetail.json` is written
   */
  readonly containerName?: string;
}

/**
 * Copies a tested image by digest into the repository of an environment in another account or
 * region, and names the copy by that digest for the deploy steps after it: build once, promote the
 * same bytes. One CodeBuild job (no Docker daemon, not privileged) reads the digest from
 * `imageDetail.json` (or, for a `DockerImageStep`'s image named by tag, from the registry), copies the image with skopeo (`--all`: every platform of a multi-platform
 * image) unless the repository already holds it under the tag, then checks that the copy's digest
 * is the tested one and fails otherwise. Its output holds `imageDetail.json` (and, with
 * `containerName`, `imagedefinitions.json`) naming `<repository>@<digest>`, which the ECS deploy
 * steps deploy.
 *
 * The job's role may read exactly the source repository; in another account it assumes the
 * `DeliveryTarget`'s publishing role, which may write exactly the destination repository; in the
 * pipeline's account, the job's role writes it.
 */
export class ImagePromotionStep implements IStep {
  public readonly stepName: string;
  public readonly label?: string;
  public readonly estimate?: StepEstimate;
  /** The artifact holding the image files of the copy. */
  public readonly output?: codepipeline.Artifact;
  /** False: the output holds only the image files. */
  public readonly testsReadOutput?: boolean = false;
  private readonly props: ImagePromotionStepProps;

  /** @param name the step's name, used as its action name */
  constructor(name: string, props: ImagePromotionStepProps) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`ImagePromotionStep '${name}'`);
    if (!props.image) problems.add('image', props.image, 'is required', 'give the output of Source.ecr(...) or of a DockerImageStep');
    if (!props.repository) problems.add('repository', props.repository, 'is required', 'give the repository of the environment the image is promoted to');
    if (isConcrete(props.tag) && !ECR_IMAGE_TAG.test(props.tag)) {
      problems.add('tag', props.tag, 'is not an ECR image tag', 'use 1 to 300 letters, digits, _ . and -, or a variable reference');
    }
    if (props.containerName !== undefined && (!isConcrete(props.containerName) || !/^[A-Za-z0-9_-]{1,255}$/.test(props.containerName))) {
      problems.add('containerName', props.containerName, 'is not a container name', 'give the name of the container in the task definition');
    }
    problems.throwIfAny();
    this.stepName = name;
    this.props = props;
    this.label = `copy the image by digest to ${isConcrete(props.repository.repositoryName) ? props.repository.repositoryName : 'the repository'}`;
    this.estimate = { minutes: MODEL.provisioning + 2, buildMinutes: MODEL.provisioning + 2, computeType: codebuild.ComputeType.SMALL };
    // The job is made when the step is placed (its role depends on the environment); its output has this name.
    const output = new codepipeline.Artifact(primaryOutputName(name));
    this.output = output;
    recordImageFiles(output, { stepName: name, containerName: props.containerName, repository: props.repository });
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    const subject = `ImagePromotionStep '${this.stepName}'`;
    const here = Stack.of(context.pipeline);
    const destination = this.props.repository;
    const account = context.environment?.account ?? here.account;
    const region = context.environment?.region ?? here.region;
    if (differentLiterals(destination.env.account, account) || differentLiterals(destination.env.region, region)) {
      fail(subject, 'repository', verbatim(destination.node.path), `is in ${destination.env.account}/${destination.env.region}, not in the environment's account and region (${account}/${region})`, 'give a repository of the environment the step is placed in');
    }
    const source = repositoryOf(imageFilesOf(this.props.image));
    if (!source) {
      fail(subject, 'image', this.props.image.artifactName, 'is not the output of an ECR source or a DockerImageStep of this app, so the repository to read is unknown', 'give the output of Source.ecr(...) or of a DockerImageStep');
    }
    const elsewhere = context.environment?.crossAccount || context.environment?.crossRegion;
    // Across environments, a repository is nameable only by a physical name (resolved to a literal here).
    if (elsewhere && typeof here.resolve(destination.repositoryName) !== 'string') {
      fail(subject, 'repository', verbatim(destination.node.path), 'has no physical name, which the job in the pipeline\'s account must name', 'create the repository with repositoryName');
    }
    const target = context.environment?.crossAccount ? context.environment.assetPublishing : undefined;
    const role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': here.account } }),
      description: `Promotes images by digest to ${account}/${region} (step ${this.stepName})`,
      // A target in another account trusts it by name.
      ...(target ? { roleName: PhysicalName.GENERATE_IF_NEEDED } : {}),
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    // skopeo reads the image's manifests and layers.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:GetDownloadUrlForLayer'], resources: [source.repositoryArn] }));
    const push = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'];
    let assume = '';
    if (target) {
      const writer = target.trustAssetPublisher(role.roleArn);
      assume = `arn:${here.partition}:iam::${account}:role/${target.assetPublishingRoleName}`;
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [assume] }));
      writer.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
      const sameStack = Construct.isConstruct(writer) && Stack.of(writer) === Stack.of(destination);
      writer.addToPrincipalPolicy(new iam.PolicyStatement({ actions: push, resources: [sameStack ? destination.repositoryArn : `arn:${here.partition}:ecr:${region}:${account}:repository/${here.resolve(destination.repositoryName)}`] }));
      acceptTokenFinding(writer);
    } else {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: push, resources: [destination.repositoryArn] }));
    }
    acceptTokenFinding(role);
    const job = new BuildStep(this.stepName, {
      input: this.props.image,
      installCommands: [INSTALL_SKOPEO],
      commands: [writeFileCommand({ path: 'promote.sh', content: PROMOTE_SCRIPT }, undefined), 'bash ./promote.sh'],
      outputs: ['imageDetail.json', ...(this.props.containerName ? ['imagedefinitions.json'] : [])],
      environmentVariables: [
        { name: 'PROMOTE_ACCOUNT', value: account },
        { name: 'PROMOTE_REGION', value: region },
        { name: 'PROMOTE_REGISTRY', value: `${account}.dkr.ecr.${region}.${here.urlSuffix}` },
        { name: 'PROMOTE_REPOSITORY', value: destination.repositoryName },
        { name: 'PROMOTE_ROLE', value: assume || 'none' },
        { name: 'PROMOTE_CONTAINER', value: this.props.containerName ?? 'none' },
        ...(this.props.tag ? [{ name: 'PROMOTE_TAG', value: this.props.tag }] : []),
      ],
      cache: BuildCache.none(),
      computeType: codebuild.ComputeType.SMALL,
      expectedMinutes: 2,
      role,
    });
    return job.bind(new Construct(scope, 'Job'), context);
  }
}

function acceptTokenFinding(role: iam.IRole): void {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) acceptNagFindings(policy, [{ id: 'AwsSolutions-IAM5', reason: 'ecr:GetAuthorizationToken has no resource-level permissions (Service Authorization Reference); the repositories are named exactly.', appliesTo: ['Resource::*'] }]);
}
