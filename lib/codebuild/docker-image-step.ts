import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acceptNagFindings } from '../private/nag';
import { Problems, isConcrete, fail, verbatim } from '../private/validation';
import { BuildStep } from './build-step';
import { BuildStepProps, BuildVariable } from './build-step-props';
import { checkCredential, isLinux } from './private/validate-props';
import { recordImageFiles } from './private/image-files';
import { checkArgs, constructorOf } from '../private/shapes';

/** Props of a `DockerImageStep`. */
export interface DockerImageStepProps extends BuildStepProps {
  /**
   * The ECR repository the image is pushed to.
   *
   * @default - a repository is created: scan on push, immutable tags, untagged images expire after 7 days
   */
  readonly repository?: ecr.IRepository;

  /**
   * Name of the repository to create (with no `repository`).
   *
   * @default - a name CloudFormation generates
   */
  readonly repositoryName?: string;

  /**
   * Name of the container in the ECS task definition. When given, the step also writes
   * `imagedefinitions.json` for the ECS standard deploy action.
   *
   * @default - only `imageDetail.json` (for ECS blue/green through CodeDeploy) is written
   */
  readonly containerName?: string;

  /**
   * Path of the Dockerfile, relative to the source root.
   *
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;

  /**
   * Directory sent to Docker as the build context.
   *
   * @default '.'
   */
  readonly buildContext?: string;

  /**
   * `--build-arg` values (plain text: never secrets).
   *
   * @default - none
   */
  readonly buildArgs?: BuildVariable[];
}

const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const IMAGE_FILES = { definitions: 'imagedefinitions.json', detail: 'imageDetail.json' };

/**
 * Builds a Docker image and pushes it to ECR, tagged with the commit id the pipeline runs
 * (`CODEBUILD_RESOLVED_SOURCE_VERSION`). Runs your `commands` first (e.g. compile), then
 * `docker build` and `docker push`; a tag that is already in the repository (a retried execution)
 * is not built again, so immutable tags never fail a retry.
 *
 * Its `output` artifact holds `imageDetail.json` (for ECS blue/green through CodeDeploy) and, with
 * `containerName`, `imagedefinitions.json` (for the ECS standard deploy action). It exports
 * `IMAGE_TAG` and `IMAGE_URI`. Only this step runs in privileged mode; the build role may log in to
 * ECR and push to exactly this repository.
 */
export class DockerImageStep extends BuildStep {
  /** False: the output holds only the image files (imageDetail.json, imagedefinitions.json), so tests read the source. */
  public readonly testsReadOutput: boolean = false;
  /** Reference to the pushed image's tag, for later actions: `#{namespace.IMAGE_TAG}`. */
  public readonly imageTag: string;
  /** Reference to the pushed image's URI, for later actions: `#{namespace.IMAGE_URI}`. */
  public readonly imageUri: string;
  private readonly dockerProps: DockerImageStepProps;
  private _repository?: ecr.IRepository;

  /** @param name the step's name, used as its action name */
  constructor(name: string, props: DockerImageStepProps = {}) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`DockerImageStep '${name}'`);
    for (const prop of ['outputs', 'outputBaseDirectory', 'discardPaths', 'privileged'] as const) {
      if (props[prop] !== undefined) {
        problems.add(prop, props[prop], 'is set by DockerImageStep itself', prop === 'privileged' ? 'remove it: the step runs privileged' : 'put other files in secondaryOutputs; the primary output holds the image files');
      }
    }
    if (props.repository && props.repositoryName !== undefined) {
      problems.add('repositoryName', props.repositoryName, 'is given together with repository', 'give repository (existing) or repositoryName (to create one), not both');
    }
    if (isConcrete(props.repositoryName) && (!REPOSITORY_NAME.test(props.repositoryName) || props.repositoryName.length < 2 || props.repositoryName.length > 256)) {
      problems.add('repositoryName', props.repositoryName, 'is not a valid ECR repository name', 'use 2 to 256 lowercase letters, digits and . _ - / (for example shop/web)');
    }
    if (isConcrete(props.containerName) && !CONTAINER_NAME.test(props.containerName)) {
      problems.add('containerName', props.containerName, 'is not a valid ECS container name', 'use 1 to 255 letters, digits, _ and -');
    }
    for (const prop of ['dockerfile', 'buildContext'] as const) {
      if (isConcrete(props[prop]) && props[prop]!.trim() === '') problems.add(prop, props[prop], 'is empty', 'give a path relative to the source root, or leave it out');
    }
    (props.buildArgs ?? []).forEach((a, i) => {
      if (isConcrete(a.name) && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.name)) problems.add(`buildArgs[${i}].name`, a.name, 'is not a valid build argument name', 'use letters, digits and _');
      checkCredential(problems, `buildArgs[${i}]`, a);
    });
    if (props.commands !== undefined && props.buildPhase !== undefined) {
      problems.add('commands', props.commands, 'is given together with buildPhase', 'put the commands into buildPhase.commands, or remove buildPhase');
    }
    if (props.preBuildCommands !== undefined && props.preBuildPhase !== undefined) {
      problems.add('preBuildCommands', props.preBuildCommands, 'is given together with preBuildPhase', 'put the commands into preBuildPhase.commands, or remove preBuildPhase');
    }
    if (props.buildImage && !isLinux(props.buildImage)) {
      problems.add('buildImage', props.buildImage.imageId, 'is a Windows image; Docker image builds (privileged mode, Docker layer cache) need Linux', 'use a Linux image such as LinuxBuildImage.STANDARD_7_0');
    }
    problems.throwIfAny();

    super(name, DockerImageStep.withDockerCommands(props));
    this.dockerProps = props;
    recordImageFiles(this.output!, { stepName: name, containerName: props.containerName, repository: () => this.repository });
    this.imageTag = this.exportedVariable('IMAGE_TAG');
    this.imageUri = this.exportedVariable('IMAGE_URI');
  }

  /** The repository the image is pushed to, once the step is placed in a pipeline (or when passed in). */
  public get repository(): ecr.IRepository {
    const repository = this._repository ?? this.dockerProps.repository;
    if (!repository) {
      fail(`DockerImageStep '${this.stepName}'`, 'repository', verbatim('not created yet'), 'is created when the step is added to a pipeline', 'read repository after adding the step to a pipeline');
    }
    return repository;
  }

  protected dockerBuild(): boolean {
    return true;
  }

  protected extraProjectVariables(scope: Construct, role: iam.IRole): BuildVariable[] {
    const repository = this.dockerProps.repository ?? new ecr.Repository(scope, 'Repository', {
      repositoryName: this.dockerProps.repositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ description: 'Expire untagged images', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) }],
    });
    this._repository = repository;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: this.sid('PushImage'),
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:GetDownloadUrlForLayer', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
      resources: [repository.repositoryArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: this.sid('LogInToEcr'),
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }));
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acceptNagFindings(policy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'ecr:GetAuthorizationToken has no resource-level permissions (Amazon ECR user guide, "Pushing an image"); pushes are limited to this step\'s repository.',
        appliesTo: ['Resource::*'],
      }]);
    }
    return [
      { name: 'REPOSITORY_URI', value: repository.repositoryUri },
      { name: 'REPOSITORY_NAME', value: repository.repositoryName },
    ];
  }

  /** The step's props with the Docker commands, variables and output files added. */
  private static withDockerCommands(props: DockerImageStepProps): BuildStepProps {
    const dockerfile = props.dockerfile ?? 'Dockerfile';
    const context = props.buildContext ?? '.';
    const buildArgs = (props.buildArgs ?? []).map((a) => ` --build-arg ${a.name}=${shellQuote(a.value)}`).join('');
    const login = [
      // The registry of the repository (ACCOUNT.dkr.ecr.REGION.amazonaws.com), which may be in another account or region.
      'export REGISTRY="${REPOSITORY_URI%%/*}" && export REGISTRY_ID="${REGISTRY%%.*}" && export REGISTRY_REGION="$(printf %s "$REGISTRY" | cut -d. -f4)"',
      'aws ecr get-login-password --region "$REGISTRY_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
      // Docker tags allow [A-Za-z0-9_.-], at most 128 characters; an S3 source version can hold others.
      'export IMAGE_TAG=$(printf %s "$CODEBUILD_RESOLVED_SOURCE_VERSION" | tr -c \'A-Za-z0-9_.-\' _ | cut -c1-128)',
      ': "${IMAGE_TAG:?the build has no source revision (CODEBUILD_RESOLVED_SOURCE_VERSION) to tag the image with}"',
      'export IMAGE_URI="$REPOSITORY_URI:$IMAGE_TAG"',
    ];
    const build = [
      ...(props.buildPhase?.commands ?? props.commands ?? []),
      // Only a missing tag means "build it"; any other error (access, throttling) fails the build.
      `if FOUND=$(aws ecr describe-images --registry-id "$REGISTRY_ID" --region "$REGISTRY_REGION" --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" 2>&1); then echo "$IMAGE_URI is already in ECR: not building it again"; elif printf %s "$FOUND" | grep -q ImageNotFoundException; then docker build --file ${shellQuote(dockerfile)} --tag "$IMAGE_URI"${buildArgs} ${shellQuote(context)} && docker push "$IMAGE_URI"; else printf '%s\\n' "$FOUND" >&2; false; fi`,
      ...(props.containerName ? [`printf '[{"name":"%s","imageUri":"%s"}]' ${shellQuote(props.containerName)} "$IMAGE_URI" > ${IMAGE_FILES.definitions}`] : []),
      `printf '{"ImageURI":"%s"}' "$IMAGE_URI" > ${IMAGE_FILES.detail}`,
    ];
    const preBuild = [...(props.preBuildPhase?.commands ?? props.preBuildCommands ?? []), ...login];
    return {
      ...props,
      commands: undefined,
      preBuildCommands: undefined,
      buildPhase: { ...props.buildPhase, commands: build },
      preBuildPhase: { ...props.preBuildPhase, commands: preBuild },
      exportedVariables: ['IMAGE_TAG', 'IMAGE_URI', ...(props.exportedVariables ?? [])],
      outputs: props.containerName ? [IMAGE_FILES.definitions, IMAGE_FILES.detail] : [IMAGE_FILES.detail],
    };
  }
}

/** Quotes a value for bash unless it is a plain word. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./=:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
