import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { parse } from 'yaml';
import { DeliveryPipeline, DeliveryTarget, EcsBlueGreenDeployment, ImagePromotionStep, Source } from '../../lib';
import { PROMOTE_SCRIPT } from '../../lib/codebuild/private/tools';
import { ecsService } from '../deploy/ecs-fixture';
import { ENV, newApp } from '../util';

const PROD = { account: '222222222222', region: 'eu-west-1' };

function promote(options: { tag?: string; containerName?: string } = {}) {
  const app = newApp();
  const tools = new Stack(app, 'Tools', { env: ENV });
  const images = new ecr.Repository(tools, 'Images', { repositoryName: 'shop/web' });
  const prodStack = new Stack(app, 'Prod', { env: PROD });
  const target = new DeliveryTarget(prodStack, 'Target', { pipelineAccount: ENV.account });
  const releases = new ecr.Repository(prodStack, 'Releases', { repositoryName: 'shop/web', imageTagMutability: ecr.TagMutability.IMMUTABLE });
  const source = Source.ecr(images, { tag: 'tested' });
  const pipeline = new DeliveryPipeline(tools, 'Pipeline', { pipelineName: 'shop-web', source });
  const step = new ImagePromotionStep('Promote', { image: source.output, repository: releases, ...options });
  pipeline.addEnvironment('Production', { target, production: true, waiveApproval: true, deploy: [step] });
  return { app, tools, prodStack, step, source, images };
}

describe('Source.ecr', () => {
  test('one tag starts the pipeline; the digest is a variable', () => {
    const { tools, source } = promote();
    const t = Template.fromStack(tools);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'ECR' }), Configuration: { RepositoryName: { Ref: Match.stringLikeRegexp('^Images') }, ImageTag: 'tested' }, Namespace: 'Source' })] })]),
    });
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['aws.ecr'], 'detail-type': ['ECR Image Action'], 'detail': { 'result': ['SUCCESS'], 'action-type': ['PUSH'], 'image-tag': ['tested'], 'repository-name': [{ Ref: Match.stringLikeRegexp('^Images') }] } } });
    expect(source.variables.imageDigest).toBe('#{Source.ImageDigest}');
    expect(source.label).toBe('ECR shop/web:tested');
  });

  test('a pattern, a tag the repository keeps on its first image, or a repository elsewhere fail', () => {
    const stack = new Stack(newApp(), 'S', { env: ENV });
    const immutable = new ecr.Repository(stack, 'Immutable', { imageTagMutability: ecr.TagMutability.IMMUTABLE });
    expect(() => Source.ecr(immutable, { tag: 'release-*' })).toThrow(/tag: is a pattern, but CodePipeline's ECR source watches exactly one tag \(got "release-\*"\)/);
    expect(() => Source.ecr(immutable)).toThrow(/repository: keeps tag 'latest' on the first image pushed with it \(IMMUTABLE\), so the source would start the pipeline once \(got S\/Immutable\)\. Fix: let the tag move/);
    const excluded = new ecr.Repository(stack, 'Excluded', { imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION, imageTagMutabilityExclusionFilters: [ecr.ImageTagMutabilityExclusionFilter.wildcard('latest')] });
    expect(() => Source.ecr(excluded)).not.toThrow();
    expect(() => Source.ecr(excluded, { tag: 'v1' })).toThrow(/keeps tag 'v1' on the first image pushed with it \(IMMUTABLE_WITH_EXCLUSION\)/);
    const elsewhere = ecr.Repository.fromRepositoryAttributes(stack, 'Elsewhere', { repositoryName: 'x', repositoryArn: 'arn:aws:ecr:eu-west-1:999999999999:repository/x' });
    expect(() => new DeliveryPipeline(stack, 'P', { source: Source.ecr(elsewhere) })).toThrow(/repository: is in 999999999999\/eu-west-1, but an ECR source watches pushes in the pipeline's account and region \(111111111111\/us-east-1\)/);
  });
});

describe('ImagePromotionStep', () => {
  test('one job copies the image to the other account through the target\'s publishing role, which may write exactly the repository', () => {
    const { tools, prodStack } = promote({ containerName: 'web' });
    const t = Template.fromStack(tools);
    const job = Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('skopeo'))!;
    expect(job.Properties.Environment).toMatchObject({ PrivilegedMode: false });
    const spec = parse(job.Properties.Source.BuildSpec);
    expect(spec.phases.build.commands[1]).toBe('bash ./promote.sh');
    expect(spec.artifacts.files).toEqual(['imageDetail.json', 'imagedefinitions.json']);
    // Literal values are in the buildspec, values known at deploy time on the project.
    const variables = [...Object.entries(spec.env.variables).map(([name, value]) => ({ name, type: 'PLAINTEXT', value })),
      ...(job.Properties.Environment.EnvironmentVariables ?? []).map((v: { Name: string; Type: string; Value: string }) => ({ name: v.Name, type: v.Type, value: v.Value }))];
    expect(variables).toEqual(expect.arrayContaining([
      { name: 'PROMOTE_REGISTRY', type: 'PLAINTEXT', value: { 'Fn::Join': ['', ['222222222222.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
      { name: 'PROMOTE_REPOSITORY', type: 'PLAINTEXT', value: 'shop/web' },
      { name: 'PROMOTE_ROLE', type: 'PLAINTEXT', value: 'arn:aws:iam::222222222222:role/cdk-delivery-publish-eu-west-1' },
      { name: 'PROMOTE_CONTAINER', type: 'PLAINTEXT', value: 'web' },
    ]));
    const role = Object.keys(t.findResources('AWS::IAM::Role')).find((id) => id.includes('PromoteRole'))!;
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role)).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:GetDownloadUrlForLayer'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Images/), 'Arn'] } },
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::222222222222:role/cdk-delivery-publish-eu-west-1' },
    ]));
    expect(JSON.stringify(statements)).not.toContain('ecr:PutImage');
    const publishing = Object.values(Template.fromStack(prodStack).findResources('AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref.startsWith('TargetAssetPublishingRole'))!;
    expect(publishing.Properties.PolicyDocument.Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Releases/), 'Arn'] },
    });
  });

  test('the deploy step after it deploys the promoted image: the digest its image files name', () => {
    const stack = new Stack(newApp(), 'Tools', { env: ENV });
    const images = new ecr.Repository(stack, 'Images', { repositoryName: 'shop/web' });
    const releases = new ecr.Repository(stack, 'Releases', { repositoryName: 'shop/web-releases' });
    const f = ecsService(stack);
    const deployment = new EcsBlueGreenDeployment(stack, 'Deploy', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: f.listener });
    const source = Source.ecr(images, { tag: 'tested' });
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source });
    const promote = new ImagePromotionStep('Promote', { image: source.output, repository: releases });
    pipeline.addStage('Release', { steps: [promote, deployment.deployStep({ image: promote.output! })] });
    const actions = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages[1].Actions;
    const deploy = actions.find((a: { ActionTypeId: { Provider: string } }) => a.ActionTypeId.Provider === 'CodeDeployToECS');
    expect(deploy.Configuration.Image1ArtifactName).toBe('Promote_Output');
    expect(deploy.InputArtifacts).toContainEqual({ Name: 'Promote_Output' });
    expect(actions.map((a: { Name: string; RunOrder: number }) => `${a.RunOrder} ${a.Name}`)).toEqual(['1 Promote', '2 DeployFiles', '3 Deploy']);
  });

  test('a repository outside the environment, or an image of unknown origin, fail', () => {
    const app = newApp();
    const tools = new Stack(app, 'Tools', { env: ENV });
    const here = new ecr.Repository(tools, 'Here');
    const source = Source.ecr(here);
    const pipeline = new DeliveryPipeline(tools, 'Pipeline', { source });
    expect(() => pipeline.addStage('Wrong', { steps: [new ImagePromotionStep('Promote', { image: source.output, repository: new ecr.Repository(new Stack(app, 'West', { env: { ...ENV, region: 'eu-west-1' } }), 'R') })] }))
      .toThrow(/repository: is in 111111111111\/eu-west-1, not in the environment's account and region \(111111111111\/us-east-1\)/);
    expect(() => new ImagePromotionStep('Promote', { image: source.output, repository: here, tag: 'v1:2' })).toThrow(/tag: is not an ECR image tag \(got "v1:2"\)/);
  });
});

/** Runs the promotion script with fake aws and skopeo commands; returns the files it writes, or throws its output. */
function runPromotion(env: Record<string, string>, copiedDigest: string, byTag = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const state = path.join(dir, 'pushed');
  fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/bash
case "$1 $2" in
  "ecr get-login-password") echo secret ;;
  "sts assume-role") printf 'AKIAEXAMPLE\\t2026-12-04T00:00:00Z\\tsecretkey\\ttoken\\n' ;;
  "ecr describe-images") if [ "$6" = 111111111111 ]; then echo sha256:${'ab'.repeat(32)}; elif [ -f ${state} ]; then cat ${state}; else echo "not found" >&2; exit 254; fi ;;
esac
echo "$@ $AWS_ACCESS_KEY_ID" >> ${dir}/calls
`);
  fs.writeFileSync(path.join(bin, 'skopeo'), `#!/bin/bash\necho "$@" >> ${dir}/calls\necho ${copiedDigest} > ${state}\n`);
  fs.chmodSync(path.join(bin, 'aws'), 0o755);
  fs.chmodSync(path.join(bin, 'skopeo'), 0o755);
  const digest = 'sha256:' + 'ab'.repeat(32);
  fs.writeFileSync(path.join(dir, 'imageDetail.json'), JSON.stringify({ ImageURI: `111111111111.dkr.ecr.us-east-1.amazonaws.com/shop/web${byTag ? ':abc1234' : `@${digest}`}` }));
  fs.writeFileSync(path.join(dir, 'promote.sh'), PROMOTE_SCRIPT);
  try {
    execSync('bash ./promote.sh', { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env }, stdio: 'pipe' });
  } catch (e) {
    throw new Error(`promote.sh failed: ${String((e as { stdout?: Buffer }).stdout)}${String((e as { stderr?: Buffer }).stderr)}`, { cause: e });
  }
  return {
    digest,
    detail: JSON.parse(fs.readFileSync(path.join(dir, 'imageDetail.json'), 'utf8')),
    definitions: fs.existsSync(path.join(dir, 'imagedefinitions.json')) ? JSON.parse(fs.readFileSync(path.join(dir, 'imagedefinitions.json'), 'utf8')) : undefined,
    calls: fs.readFileSync(path.join(dir, 'calls'), 'utf8'),
  };
}

describe('the promotion script', () => {
  const env = { PROMOTE_ACCOUNT: '222222222222', PROMOTE_REGION: 'eu-west-1', PROMOTE_REGISTRY: '222222222222.dkr.ecr.eu-west-1.amazonaws.com', PROMOTE_REPOSITORY: 'shop/web', PROMOTE_ROLE: 'arn:aws:iam::222222222222:role/publish', PROMOTE_CONTAINER: 'web' };

  test('copies by digest, as the target\'s role, and names the copy by that digest', () => {
    const digest = 'sha256:' + 'ab'.repeat(32);
    const result = runPromotion(env, digest);
    expect(result.calls).toContain(`copy --all --src-creds AWS:secret --dest-creds AWS:secret docker://111111111111.dkr.ecr.us-east-1.amazonaws.com/shop/web@${digest} docker://222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop/web:promoted-abababababab`);
    expect(result.calls).toMatch(/ecr describe-images .* AKIAEXAMPLE/);
    expect(result.detail).toEqual({ ImageURI: `222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop/web@${digest}`, ImageDigest: digest, ImageTags: ['promoted-abababababab'] });
    expect(result.definitions).toEqual([{ name: 'web', imageUri: `222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop/web@${digest}` }]);
  });

  test('finds the digest of a DockerImageStep\'s image, named by tag, in its registry', () => {
    const digest = 'sha256:' + 'ab'.repeat(32);
    const result = runPromotion({ ...env, PROMOTE_ROLE: 'none' }, digest, true);
    expect(result.calls).toMatch(/ecr describe-images --region us-east-1 --registry-id 111111111111 --repository-name shop\/web --image-ids imageTag=abc1234/);
    expect(result.calls).toContain(`docker://111111111111.dkr.ecr.us-east-1.amazonaws.com/shop/web@${digest}`);
    expect(result.detail.ImageURI).toBe(`222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop/web@${digest}`);
  });

  test('fails when the copy\'s digest is not the tested one', () => {
    expect(() => runPromotion({ ...env, PROMOTE_ROLE: 'none', PROMOTE_CONTAINER: 'none' }, 'sha256:' + 'cd'.repeat(32))).toThrow(/The copy has digest sha256:cdcd.*, not the tested sha256:abab.*: nothing is deployed/);
  });
});
