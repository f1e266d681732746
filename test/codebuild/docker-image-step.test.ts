import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { parse } from 'yaml';
import { BuildCache, BuildStep, DeliveryPipeline, DockerImageStep, DockerImageStepProps } from '../../lib';
import { githubSource, newStack } from '../util';

function synth(props: DockerImageStepProps = {}, stack = newStack()) {
  const step = new DockerImageStep('Image', props);
  new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: step });
  const t = Template.fromStack(stack);
  return { step, stack, t, spec: parse(step.buildSpecYaml()) };
}

function rolePolicy(t: Template) {
  return Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('StagesBuildImageRole') }] } }))[0].Properties.PolicyDocument.Statement;
}

describe('DockerImageStep', () => {
  test('creates a scanned, immutable repository', () => {
    const { t, step } = synth();
    t.hasResource('AWS::ECR::Repository', {
      Properties: Match.objectLike({ ImageScanningConfiguration: { ScanOnPush: true }, ImageTagMutability: 'IMMUTABLE', LifecyclePolicy: Match.anyValue() }),
      DeletionPolicy: 'Retain',
    });
    expect(step.repository).toBeInstanceOf(ecr.Repository);
  });

  test('runs privileged with the Docker layer cache, and only this project does', () => {
    const { t } = synth();
    t.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ PrivilegedMode: true, EnvironmentVariables: [
        { Name: 'REPOSITORY_URI', Type: 'PLAINTEXT', Value: Match.anyValue() },
        { Name: 'REPOSITORY_NAME', Type: 'PLAINTEXT', Value: { Ref: Match.stringLikeRegexp('Repository') } },
      ] }),
      Cache: { Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] },
    });
  });

  test('logs in, tags with the commit id, skips tags already pushed, writes the image files and exports tag and URI', () => {
    const { spec, step } = synth({ containerName: 'web', commands: ['npm run build'], dockerfile: 'docker/Dockerfile', buildContext: 'app', buildArgs: [{ name: 'NODE_ENV', value: 'production' }] });
    expect(spec.env['exported-variables']).toEqual(['IMAGE_TAG', 'IMAGE_URI']);
    expect(spec.phases.pre_build.commands).toEqual([
      'export REGISTRY="${REPOSITORY_URI%%/*}" && export REGISTRY_ID="${REGISTRY%%.*}" && export REGISTRY_REGION="$(printf %s "$REGISTRY" | cut -d. -f4)"',
      'aws ecr get-login-password --region "$REGISTRY_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
      'export IMAGE_TAG=$(printf %s "$CODEBUILD_RESOLVED_SOURCE_VERSION" | tr -c \'A-Za-z0-9_.-\' _ | cut -c1-128)',
      ': "${IMAGE_TAG:?the build has no source revision (CODEBUILD_RESOLVED_SOURCE_VERSION) to tag the image with}"',
      'export IMAGE_URI="$REPOSITORY_URI:$IMAGE_TAG"',
    ]);
    expect(spec.phases.build.commands).toEqual([
      'npm run build',
      'if FOUND=$(aws ecr describe-images --registry-id "$REGISTRY_ID" --region "$REGISTRY_REGION" --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" 2>&1); then echo "$IMAGE_URI is already in ECR: not building it again"; elif printf %s "$FOUND" | grep -q ImageNotFoundException; then docker build --file docker/Dockerfile --tag "$IMAGE_URI" --build-arg NODE_ENV=production app && docker push "$IMAGE_URI"; else printf \'%s\\n\' "$FOUND" >&2; false; fi',
      'printf \'[{"name":"%s","imageUri":"%s"}]\' web "$IMAGE_URI" > imagedefinitions.json',
      'printf \'{"ImageURI":"%s"}\' "$IMAGE_URI" > imageDetail.json',
    ]);
    expect(spec.artifacts).toEqual({ files: ['imagedefinitions.json', 'imageDetail.json'] });
    expect(step.imageTag).toBe('#{Image.IMAGE_TAG}');
    expect(step.imageUri).toBe('#{Image.IMAGE_URI}');
    expect(step.output?.artifactName).toBe('Image_Output');
  });

  test('without containerName only imageDetail.json is written', () => {
    expect(synth().spec.artifacts).toEqual({ files: ['imageDetail.json'] });
  });

  test('may log in to ECR and push to exactly its repository', () => {
    const statements = rolePolicy(synth().t);
    expect(statements).toEqual(expect.arrayContaining([
      { Sid: 'PushImage', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:GetDownloadUrlForLayer', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/Repository/), 'Arn'] } },
      { Sid: 'LogInToEcr', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    ]));
  });

  test('pushes to a passed-in repository and creates none', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Existing', 'shop/web');
    const { t, step } = synth({ repository }, stack);
    t.resourceCountIs('AWS::ECR::Repository', 0);
    expect(step.repository).toBe(repository);
  });

  test('a repository name names the created repository', () => {
    synth({ repositoryName: 'shop/web' }).t.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: 'shop/web' });
  });

  test('a plain build step next to it stays unprivileged', () => {
    const stack = newStack();
    const image = new DockerImageStep('Image');
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: image });
    pipeline.addStage('Test', { steps: [new BuildStep('Unit', { commands: ['npm test'] })] });
    const projects = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'));
    expect(projects.map((p) => p.Properties.Environment.PrivilegedMode)).toEqual([true, false]);
  });
});

describe('DockerImageStep errors', () => {
  test('fails when Docker runs on Lambda compute', () => {
    expect(() => new DockerImageStep('Image', { computeType: codebuild.ComputeType.LAMBDA_1GB, buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 })).toThrow(/DockerImageStep 'Image' has 1 problem:\n {2}- computeType: Lambda compute cannot run Docker/);
  });

  test('fails when Docker runs on a Windows image, a build argument holds a credential, or commands are given twice', () => {
    expect(() => new DockerImageStep('Image', { buildImage: codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE_3_0 })).toThrow(/buildImage: is a Windows image; Docker image builds .* need Linux/);
    expect(() => new DockerImageStep('Image', { buildArgs: [{ name: 'NPM_TOKEN', value: 'x' }] })).toThrow(/buildArgs\[0\]\.name: looks like a credential/);
    expect(() => new DockerImageStep('Image', { commands: ['a'], buildPhase: { commands: ['b'] } })).toThrow(/commands: is given together with buildPhase/);
  });

  test('fails when outputs or privileged are set by hand', () => {
    expect(() => new DockerImageStep('Image', { outputs: ['x'], privileged: true })).toThrow(/outputs: is set by DockerImageStep itself[\s\S]*privileged: is set by DockerImageStep itself/);
  });

  test('fails when repository and repositoryName are both given, or the name is invalid', () => {
    const stack = newStack();
    expect(() => new DockerImageStep('Image', { repository: new ecr.Repository(stack, 'R'), repositoryName: 'x' })).toThrow(/repositoryName: is given together with repository/);
    expect(() => new DockerImageStep('Image', { repositoryName: 'Shop/Web' })).toThrow(/repositoryName: is not a valid ECR repository name/);
  });

  test('fails when the container name, Dockerfile or build argument is invalid', () => {
    expect(() => new DockerImageStep('Image', { containerName: 'web app' })).toThrow(/containerName: is not a valid ECS container name/);
    expect(() => new DockerImageStep('Image', { dockerfile: ' ' })).toThrow(/dockerfile: is empty/);
    expect(() => new DockerImageStep('Image', { buildArgs: [{ name: 'A-B', value: '1' }] })).toThrow(/buildArgs\[0\]\.name: is not a valid build argument name/);
  });

  test('fails when the Docker layer cache is asked of a plain build step', () => {
    expect(() => new BuildStep('Build', { commands: ['make'], cache: BuildCache.local({ dockerLayers: true }) })).toThrow(/the Docker layer cache needs Docker/);
  });
});
