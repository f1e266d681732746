import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnOutput, CfnParameter, CfnWaitConditionHandle, NestedStack, RemovalPolicy, Stack, Stage, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { BuildStep, CdkStageDeployStep, CdkStageDeployStepProps, DeliveryPipeline, DeliveryTarget, ManualApprovalStep } from '../../lib';
import { COPY_SCRIPT } from '../../lib/deploy/cloudformation/private/asset-publishing';
import { ENV, githubSource, newApp } from '../util';

import { FIXTURES, PROD, ShopStage, prepareSpec, publishingManifest, release } from './stage-fixture';

const actionsOf = (t: Template, stage: string) => {
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0];
  return pipeline.Properties.Stages.find((s: { Name: string }) => s.Name === stage).Actions as Array<{ Name: string; RunOrder: number; ActionTypeId: { Provider: string }; Configuration: Record<string, unknown>; Namespace?: string }>;
};

describe('CdkStageDeployStep', () => {
  test('publishes the assets in one job, then deploys the stacks in dependency order, independent ones together', () => {
    const { pipelineStack } = release();
    const actions = actionsOf(Template.fromStack(pipelineStack), 'Prod');
    const order = actions.map((a) => `${a.RunOrder} ${a.Name} ${a.ActionTypeId.Provider}`);
    expect(order).toEqual([
      '1 Shop.Prepare CodeBuild',
      '2 Shop.Data.ChangeSet CloudFormation',
      '3 Shop.Data CloudFormation',
      '2 Shop.Web.ChangeSet CloudFormation',
      '3 Shop.Web CloudFormation',
      '4 Shop.Api.ChangeSet CloudFormation',
      '5 Shop.Api CloudFormation',
      '6 Smoke Commands',
    ]);
    const api = actions.find((a) => a.Name === 'Shop.Api.ChangeSet')!;
    expect(api.Configuration).toMatchObject({ ActionMode: 'CHANGE_SET_REPLACE', StackName: 'Prod-Api', TemplatePath: expect.stringMatching(/^T[0-9a-f]{8}_Prod_Templates::assembly-Prod\/ProdApi[0-9A-F]{8}\.template\.json$/) });
    expect(actions.find((a) => a.Name === 'Shop.Api')!.Namespace).toBe('Shop-Prod-Api');
    expect(JSON.stringify(actions.find((a) => a.Name === 'Smoke'))).toContain('#{Shop-Prod-Api.Url}');
  });

  test('one job publishes every asset of the Stage, through the target\'s publishing role, which may write exactly their bucket and repository', () => {
    const { app, pipelineStack, targetStack } = release();
    const t = Template.fromStack(pipelineStack);
    const jobs = Object.values(t.findResources('AWS::CodeBuild::Project')).filter((p) => JSON.stringify(p).includes('cdk-assets'));
    expect(jobs).toHaveLength(1);
    const job = jobs[0].Properties;
    // Docker images: the daemon, and the layers of the last build on the host.
    expect(job.Environment).toMatchObject({ PrivilegedMode: true, ComputeType: 'BUILD_GENERAL1_SMALL' });
    expect(job.Cache).toEqual({ Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] });
    const spec: string = job.Source.BuildSpec;
    expect(spec).toContain('npm install --global --no-audit --no-fund --no-update-notifier cdk-assets@4.7.3');
    expect(spec).toContain("cdk-assets --path 'cdk.out/cdk-delivery.assets.json' publish");
    const manifest = publishingManifest(app, spec);
    const role = 'arn:aws:iam::222222222222:role/cdk-delivery-publish-us-east-1';
    // The account, region and partition are the target's.
    expect(Object.values(manifest.files)).toEqual([{
      source: { path: expect.stringMatching(/^asset\.[0-9a-f]{64}$/), packaging: 'zip' },
      destinations: { [Object.keys((Object.values(manifest.files)[0] as { destinations: object }).destinations)[0]]: { region: 'us-east-1', assumeRoleArn: role, bucketName: 'cdk-hnb659fds-assets-222222222222-us-east-1', objectKey: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) } },
    }]);
    expect(Object.values(manifest.dockerImages)).toEqual([{
      source: { directory: expect.stringMatching(/^asset\.[0-9a-f]{64}$/) },
      destinations: { [Object.keys((Object.values(manifest.dockerImages)[0] as { destinations: object }).destinations)[0]]: { region: 'us-east-1', assumeRoleArn: role, repositoryName: 'cdk-hnb659fds-container-assets-222222222222-us-east-1', imageTag: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    }]);
    // The sources are in the artifact (the cloud assembly cdk synth wrote).
    for (const asset of [...Object.values(manifest.files), ...Object.values(manifest.dockerImages)] as Array<{ source: { path?: string; directory?: string } }>) {
      expect(fs.existsSync(path.join(app.outdir, asset.source.path ?? asset.source.directory!))).toBe(true);
    }
    // The manifest is written at build time: the pipeline's definition names no asset's hash, so
    // an asset change leaves the pipeline unchanged (nothing for a self-update to do).
    const hashes = [...Object.keys(manifest.files), ...Object.keys(manifest.dockerImages)];
    expect(hashes).toHaveLength(2);
    for (const hash of hashes) expect(JSON.stringify(t.toJSON())).not.toContain(hash);
    // The templates are not published: CloudFormation reads them from the job's output, which holds only them.
    expect(spec).toMatch(/artifacts:\n {2}files:\n {4}- assembly-Prod\/ProdData[0-9A-F]{8}\.template\.json\n {4}- assembly-Prod\/ProdWeb[0-9A-F]{8}\.template\.json\n {4}- assembly-Prod\/ProdApi[0-9A-F]{8}\.template\.json\n {2}base-directory: cdk\.out\n/);

    // The job's role may assume the publishing role, and write no bucket or repository itself.
    const publisher = Object.entries(t.findResources('AWS::IAM::Role')).find(([id]) => id.includes('PrepareRole'))!;
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === publisher[0]));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::222222222222:role/cdk-delivery-publish-us-east-1' });
    expect(JSON.stringify(statements)).not.toMatch(/cdk-hnb659fds|ecr:/);

    const target = Template.fromStack(targetStack);
    target.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cdk-delivery-publish-us-east-1',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Condition: { ArnEquals: { 'aws:PrincipalArn': [publisher[1].Properties.RoleName] .map((n: string) => `arn:aws:iam::111111111111:role/${n}`) } } }] },
    });
    const publishing = Object.values(target.findResources('AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref.startsWith('TargetAssetPublishingRole'))!;
    expect(publishing.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:ListBucket'], Resource: 'arn:aws:s3:::cdk-hnb659fds-assets-222222222222-us-east-1' },
      { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: 'arn:aws:s3:::cdk-hnb659fds-assets-222222222222-us-east-1/*' },
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:DescribeRepositories', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
        Resource: 'arn:aws:ecr:us-east-1:222222222222:repository/cdk-hnb659fds-container-assets-222222222222-us-east-1',
      },
    ]);
  });

  test('in the pipeline\'s account, the job publishes with its own role, granted the asset locations', () => {
    const { app, pipelineStack, targetStack } = release({ crossAccount: false });
    const t = Template.fromStack(pipelineStack);
    const job = Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk-assets'))!;
    const manifest = JSON.stringify(publishingManifest(app, job.Properties.Source.BuildSpec));
    expect(manifest).not.toContain('assumeRole');
    expect(manifest).toContain('cdk-hnb659fds-assets-111111111111-us-east-1');
    const publisher = Object.keys(t.findResources('AWS::IAM::Role')).find((id) => id.includes('PrepareRole'))!;
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === publisher))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: 'arn:aws:s3:::cdk-hnb659fds-assets-111111111111-us-east-1/*' });
    expect(JSON.stringify(statements)).not.toContain('sts:AssumeRole');
    expect(Object.keys(Template.fromStack(targetStack).findResources('AWS::IAM::Role')).filter((id) => id.includes('Publishing'))).toEqual([]);
  });

  test('a job that only uploads files runs on ARM, a third cheaper; one that builds Docker images runs on x86', () => {
    const filesOnly = release({ image: false });
    const job = (t: Template) => Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk-assets'))!.Properties.Environment;
    expect(job(Template.fromStack(filesOnly.pipelineStack))).toMatchObject({ Type: 'ARM_CONTAINER', Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', PrivilegedMode: false });
    expect(filesOnly.step.estimate).toMatchObject({ environmentType: 'ARM_CONTAINER', buildMinutes: 2.2 });
    expect(filesOnly.pipeline.estimate().buildMinutes).toContain('BUILD_GENERAL1_SMALL (ARM): 2.2');
    const withImage = release();
    expect(job(Template.fromStack(withImage.pipelineStack))).toMatchObject({ Type: 'LINUX_CONTAINER', Image: 'aws/codebuild/standard:7.0', PrivilegedMode: true });
    expect(withImage.step.estimate).toMatchObject({ environmentType: 'LINUX_CONTAINER' });
  });

  test('an asset built by a command of its own keeps the job on x86; one that appears later fails the ARM job', () => {
    const jobOf = (t: Template) => Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk-assets'))!.Properties;
    const withCommand = release({ image: false, command: true });
    expect(jobOf(Template.fromStack(withCommand.pipelineStack)).Environment).toMatchObject({ Type: 'LINUX_CONTAINER', Image: 'aws/codebuild/standard:7.0' });
    expect(publishingManifest(withCommand.app, jobOf(Template.fromStack(withCommand.pipelineStack)).Source.BuildSpec).files).toMatchObject({ ['a'.repeat(64)]: { source: { executable: expect.any(Array) } } });
    // The pipeline was deployed with an ARM job; the build's Stage now has such an asset: the job stops.
    const arm = release({ image: false });
    const armSpec = jobOf(Template.fromStack(arm.pipelineStack)).Source.BuildSpec;
    expect(jobOf(Template.fromStack(arm.pipelineStack)).Environment.Type).toBe('ARM_CONTAINER');
    expect(() => publishingManifest(withCommand.app, armSpec)).toThrow(new RegExp(`an asset built by a command of its own \\(${'a'.repeat(64)}\\), which this job runs on ARM as it had none\\. Deploy the pipeline's stack`));
  });

  test('images for linux/arm64 build natively on ARM; an image for another architecture than the job\'s warns', () => {
    const jobOf = (t: Template) => Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk-assets'))!.Properties;
    const arm = release({ platform: Platform.LINUX_ARM64 });
    const job = jobOf(Template.fromStack(arm.pipelineStack));
    expect(job.Environment).toMatchObject({ Type: 'ARM_CONTAINER', Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', PrivilegedMode: true });
    expect(arm.step.estimate).toMatchObject({ environmentType: 'ARM_CONTAINER' });
    Annotations.fromStack(arm.pipelineStack).hasNoWarning('*', Match.stringLikeRegexp('another platform'));
    // The pipeline was deployed with an ARM job; the build's Stage now has an image without a platform: the job stops.
    const x86Image = release();
    expect(() => publishingManifest(x86Image.app, job.Source.BuildSpec)).toThrow(/a Docker image not for linux\/arm64 \([0-9a-f]{64}\), which this job builds on ARM as every image was\. Deploy the pipeline's stack/);
    // An arm64 image on an x86 job (given) needs an emulator: a warning says so.
    const mixed = release({ platform: Platform.LINUX_ARM64, step: () => ({ assetPublishingBuildImage: codebuild.LinuxBuildImage.STANDARD_7_0 }) });
    Annotations.fromStack(mixed.pipelineStack).hasWarning('*', Match.stringLikeRegexp("the publishing job runs on x86 but builds Docker images for another platform: [0-9a-f]{12} \\(linux/arm64\\)\\. Docker builds those only with an emulator"));
  });

  test('the job\'s image: given, or from an ARM fleet; what cannot do the job fails at synth', () => {
    const jobOf = (t: Template) => Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk-assets'))!.Properties.Environment;
    const x86 = release({ image: false, step: () => ({ assetPublishingBuildImage: codebuild.LinuxBuildImage.STANDARD_7_0 }) });
    expect(jobOf(Template.fromStack(x86.pipelineStack))).toMatchObject({ Type: 'LINUX_CONTAINER', Image: 'aws/codebuild/standard:7.0' });
    expect(x86.step.estimate).toMatchObject({ environmentType: 'LINUX_CONTAINER' });
    const armFleet = (scope: Construct) => new codebuild.Fleet(scope, 'ArmFleet', { baseCapacity: 1, computeType: codebuild.FleetComputeType.SMALL, environmentType: codebuild.EnvironmentType.ARM_CONTAINER });
    const onFleet = release({ step: (scope) => ({ assetPublishingFleet: armFleet(scope) }) });
    expect(jobOf(Template.fromStack(onFleet.pipelineStack))).toMatchObject({ Type: 'ARM_CONTAINER', Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0', PrivilegedMode: true });
    expect(() => release({ step: () => ({ assetPublishingBuildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 }) }))
      .toThrow(/assetPublishingBuildImage: is a LINUX_LAMBDA_CONTAINER image, but the job needs EC2 Linux or ARM compute \(Docker, a cache\) \(got "aws\/codebuild\/amazonlinux-x86_64-lambda-standard:nodejs20"\)\. Fix: give e\.g\. codebuild\.LinuxBuildImage\.STANDARD_7_0/);
    expect(() => release({ step: (scope) => ({ assetPublishingFleet: armFleet(scope), assetPublishingBuildImage: codebuild.LinuxBuildImage.STANDARD_7_0 }) }))
      .toThrow(/assetPublishingBuildImage: is a LINUX_CONTAINER image, but assetPublishingFleet runs ARM_CONTAINER/);
  });

  test('a Stage without assets publishes nothing; without change sets each stack is one action', () => {
    const app = newApp();
    const stage = new Stage(app, 'Dev', { env: ENV });
    const data = new Stack(stage, 'Data');
    new dynamodb.Table(data, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.RETAIN });
    const api = new Stack(stage, 'Api');
    api.addDependency(data);
    new CfnWaitConditionHandle(new Stack(stage, 'Dns'), 'Placeholder');
    const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
    const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['**/*'], outputBaseDirectory: 'cdk.out' });
    const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth });
    pipeline.addEnvironment('Dev', {
      deploy: [new CdkStageDeployStep('App', { stage, input: synth.output!, assemblyDirectory: '', changeSets: false, executionRole: iam.Role.fromRoleName(pipelineStack, 'Exec', 'cfn-exec') })],
    });
    const t = Template.fromStack(pipelineStack);
    const actions = actionsOf(t, 'Dev');
    expect(actions.map((a) => `${a.RunOrder} ${a.Name} ${a.Configuration.ActionMode ?? a.ActionTypeId.Provider}`)).toEqual(['1 App.Prepare CodeBuild', '2 App.Data CREATE_UPDATE', '2 App.Dns CREATE_UPDATE', '3 App.Api CREATE_UPDATE']);
    // The job only checks the Stage and hands CloudFormation the templates: no cdk-assets, no Docker.
    expect(actions[1].Configuration.TemplatePath).toMatch(/^T[0-9a-f]{8}_Dev_Templates::assembly-Dev\/DevData[0-9A-F]{8}\.template\.json$/);
    expect(JSON.stringify(t.toJSON())).not.toContain('cdk-assets@');
    // It only runs Node.js: on ARM.
    t.hasResourceProperties('AWS::CodeBuild::Project', { Environment: Match.objectLike({ PrivilegedMode: false, ComputeType: 'BUILD_GENERAL1_SMALL', Type: 'ARM_CONTAINER' }) });
  });
});

describe('CdkStageDeployStep elsewhere', () => {
  test('another region of the pipeline\'s account: assets go to that region\'s bootstrap locations, the stacks deploy there', () => {
    const app = newApp();
    const west = { account: ENV.account, region: 'eu-west-1' };
    const target = new DeliveryTarget(new Stack(app, 'WestTarget', { env: west }), 'Target', {
      pipelineAccount: ENV.account,
      cloudFormationExecutionStatements: [new iam.PolicyStatement({ actions: ['lambda:GetFunction'], resources: ['*'] })],
    });
    const stage = new ShopStage(app, 'West', { env: west });
    const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
    const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] });
    const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth });
    const step = new CdkStageDeployStep('Shop', { stage, input: synth.output! });
    pipeline.addEnvironment('West', { target, deploy: [step] });
    const t = Template.fromStack(pipelineStack);
    const actions = actionsOf(t, 'West') as Array<{ Name: string; Region?: string }>;
    expect(actions.map((a) => `${a.Name} ${a.Region ?? 'here'}`)).toEqual([
      'Shop.Prepare here', 'Shop.Data.ChangeSet eu-west-1', 'Shop.Data eu-west-1', 'Shop.Web.ChangeSet eu-west-1', 'Shop.Web eu-west-1', 'Shop.Api.ChangeSet eu-west-1', 'Shop.Api eu-west-1',
    ]);
    const job = Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk-assets'))!;
    const manifest = JSON.stringify(publishingManifest(app, job.Properties.Source.BuildSpec));
    expect(manifest).toContain('"bucketName":"cdk-hnb659fds-assets-111111111111-eu-west-1"');
    expect(manifest).toContain('"region":"eu-west-1"');
    expect(manifest).not.toContain('us-east-1');
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).toContain('arn:aws:ecr:eu-west-1:111111111111:repository/cdk-hnb659fds-container-assets-111111111111-eu-west-1');
  });

  test('an environment-agnostic Stage deploys to the environment\'s account and region, its assets there', () => {
    const { app, pipelineStack, step } = release({ stageEnv: {} });
    const t = Template.fromStack(pipelineStack);
    const job = Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk-assets'))!;
    const manifest = JSON.stringify(publishingManifest(app, job.Properties.Source.BuildSpec));
    expect(manifest).toContain('"bucketName":"cdk-hnb659fds-assets-222222222222-us-east-1"');
    expect(manifest).not.toContain('${AWS::AccountId}');
    expect(step.estimate).toMatchObject({ minutes: expect.any(Number), buildMinutes: 5.2, computeType: 'BUILD_GENERAL1_SMALL', environmentType: 'LINUX_CONTAINER' });
  });
});

describe('CdkStageDeployStep execution role check', () => {
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('execution role')).map((w) => String(w.entry.data));
  const place = (statements: iam.PolicyStatement[] | undefined, managed?: iam.IManagedPolicy[]) => {
    const app = newApp();
    const target = new DeliveryTarget(new Stack(app, 'ProdTarget', { env: PROD }), 'Target', { pipelineAccount: ENV.account, cloudFormationExecutionStatements: statements, cloudFormationExecutionPolicies: managed });
    const stage = new ShopStage(app, 'Prod', { env: PROD });
    const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
    const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] });
    new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth }).addEnvironment('Prod', { target, deploy: [new CdkStageDeployStep('Shop', { stage, input: synth.output! })] });
    return warnings(pipelineStack);
  };

  test('warns of the services the Stage\'s resources need that the target\'s statements grant nothing of', () => {
    expect(place([new iam.PolicyStatement({ actions: ['lambda:*', 'iam:CreateRole', 'ecs:RegisterTaskDefinition'], resources: ['*'] })])).toEqual([
      expect.stringMatching(/^CdkStageDeployStep 'Shop': CloudFormation's execution role ProdTarget\/Target\/CloudFormationExecutionRole grants nothing of what these resources of Stage 'Prod' need: s3:GetObject on the asset bucket \(AWS::Lambda::Function\); dynamodb \(AWS::DynamoDB::Table\); logs \(AWS::Logs::LogGroup\)\. CloudFormation would fail to create them\./),
    ]);
  });

  test('a function from an image needs its creator to read the image; a nested stack, its template', () => {
    const app = newApp();
    const target = new DeliveryTarget(new Stack(app, 'ProdTarget', { env: PROD }), 'Target', { pipelineAccount: ENV.account, cloudFormationExecutionStatements: [new iam.PolicyStatement({ actions: ['lambda:*', 'iam:*', 'cloudformation:*'], resources: ['*'] })] });
    const stage = new Stage(app, 'Prod', { env: PROD });
    const api = new Stack(stage, 'Api');
    new lambda.DockerImageFunction(api, 'Fn', { code: lambda.DockerImageCode.fromImageAsset(path.join(FIXTURES, 'image')) });
    new lambda.Function(new NestedStack(api, 'Inner'), 'Small', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
    const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
    const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] });
    new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth }).addEnvironment('Prod', { target, deploy: [new CdkStageDeployStep('Shop', { stage, input: synth.output! })] });
    const [warning] = warnings(pipelineStack);
    expect(warning).toContain('s3:GetObject on the asset bucket (AWS::CloudFormation::Stack');
    expect(warning).toContain('ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the asset repository (AWS::Lambda::Function from an image)');
  });

  test('is silent when the statements cover the resources, or when the role\'s policies cannot be read', () => {
    expect(place([new iam.PolicyStatement({ actions: ['lambda:*', 'iam:*', 'ecs:*', 'dynamodb:*', 'logs:*', 's3:Get*'], resources: ['*'] })])).toEqual([]);
    expect(place(undefined, [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')])).toEqual([]);
  });
});

describe('CdkStageDeployStep placement', () => {
  test('the prepare job runs alongside an approval, but after a step of the stage that produces an artifact', () => {
    const app = newApp();
    const stage = new Stage(app, 'Prod', { env: ENV });
    new Stack(stage, 'Api');
    const other = new Stage(app, 'Other', { env: ENV });
    new Stack(other, 'Api');
    const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
    const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] });
    const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth });
    const executionRole = iam.Role.fromRoleName(pipelineStack, 'Exec', 'cfn-exec');
    const step = new CdkStageDeployStep('Shop', { stage, input: synth.output!, executionRole });
    pipeline.addEnvironment('Prod', { production: true, approval: new ManualApprovalStep('Approve'), deploy: [step] });
    const migrate = new BuildStep('Migrate', { commands: ['./migrate'], outputs: ['report.json'] });
    pipeline.addEnvironment('Other', { before: [migrate], deploy: [new CdkStageDeployStep('Other', { stage: other, input: synth.output!, executionRole })] });
    const t = Template.fromStack(pipelineStack);
    expect(actionsOf(t, 'Prod').map((a) => `${a.RunOrder} ${a.Name}`)).toEqual(['1 Approve', '1 Shop.Prepare', '2 Shop.Api.ChangeSet', '3 Shop.Api']);
    expect(actionsOf(t, 'Other').map((a) => `${a.RunOrder} ${a.Name}`)).toEqual(['1 Migrate', '2 Other.Prepare', '3 Other.Api.ChangeSet', '4 Other.Api']);
    // The job's minutes pass while the approval waits: the step's estimate is its stacks'.
    expect(step.estimate!.minutes).toBe(3);
  });
});

describe('CdkStageDeployStep imagesFrom', () => {
  test('production copies the images dev ran, by digest, through both targets\' publishing roles, instead of building them', () => {
    const app = newApp();
    const statements = [new iam.PolicyStatement({ actions: ['lambda:*', 'dynamodb:*', 'ecs:*', 'iam:*', 'logs:*', 's3:GetObject'], resources: ['*'] })];
    const devTarget = new DeliveryTarget(new Stack(app, 'DevTarget', { env: { account: '222222222222', region: ENV.region } }), 'Target', { pipelineAccount: ENV.account, cloudFormationExecutionStatements: statements });
    const prodTargetStack = new Stack(app, 'ProdTarget', { env: { account: '333333333333', region: ENV.region } });
    const prodTarget = new DeliveryTarget(prodTargetStack, 'Target', { pipelineAccount: ENV.account, cloudFormationExecutionStatements: statements });
    const devStage = new ShopStage(app, 'Dev', { env: { account: '222222222222', region: ENV.region } });
    const prodStage = new ShopStage(app, 'Prod', { env: { account: '333333333333', region: ENV.region } });
    const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
    const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] });
    const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth });
    const dev = new CdkStageDeployStep('Shop', { stage: devStage, input: synth.output! });
    const prod = new CdkStageDeployStep('Shop', { stage: prodStage, input: synth.output!, imagesFrom: dev });
    expect(() => pipeline.addEnvironment('Early', { target: prodTarget, deploy: [new CdkStageDeployStep('Early', { stage: new ShopStage(app, 'Early', { env: { account: '333333333333', region: ENV.region } }), input: synth.output!, imagesFrom: dev })] }))
      .toThrow(/imagesFrom: is not placed in an earlier stage of the pipeline, so there are no images to copy yet \(got "Shop"\)/);
    pipeline.addEnvironment('Dev', { target: devTarget, deploy: [dev] });
    pipeline.addEnvironment('Production', { target: prodTarget, deploy: [prod] });
    const t = Template.fromStack(pipelineStack);
    const jobs = Object.values(t.findResources('AWS::CodeBuild::Project')).filter((p) => JSON.stringify(p).includes('cdk-delivery-assets.js'));
    const [devJob, prodJob] = jobs;
    expect(devJob.Properties.Environment.PrivilegedMode).toBe(true);
    // Production builds nothing: no Docker daemon, skopeo copies.
    expect(prodJob.Properties.Environment.PrivilegedMode).toBe(false);
    const spec = prodJob.Properties.Source.BuildSpec;
    expect(parse(spec).phases.install.commands[1]).toContain('apt-get install -y -qq skopeo');
    expect(parse(spec).env.variables).toMatchObject({ COPY_SOURCE_ACCOUNT: '222222222222', COPY_SOURCE_ROLE: 'arn:aws:iam::222222222222:role/cdk-delivery-publish-us-east-1', COPY_ROLE: 'arn:aws:iam::333333333333:role/cdk-delivery-publish-us-east-1', COPY_REGISTRY: '333333333333.dkr.ecr.us-east-1.amazonaws.com' });
    const manifest = publishingManifest(app, spec);
    expect(manifest.dockerImages).toEqual({});
    expect(manifest.copies).toMatch(/^222222222222\.dkr\.ecr\.us-east-1\.amazonaws\.com\/cdk-hnb659fds-container-assets-222222222222-us-east-1:([0-9a-f]{64}) cdk-hnb659fds-container-assets-333333333333-us-east-1:\1\n$/);
    // Dev's publishing role may be read by production's job: pull from exactly dev's repository.
    const devPolicy = Object.values(Template.fromStack(devTarget.node.scope as Stack).findResources('AWS::IAM::Policy')).find((p) => p.Properties.Roles[0].Ref.startsWith('TargetAssetPublishingRole'))!;
    // (merged by aws-cdk-lib with the push statement of dev's own release on the same repository)
    expect(devPolicy.Properties.PolicyDocument.Statement).toContainEqual({ Effect: 'Allow', Action: expect.arrayContaining(['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:GetDownloadUrlForLayer']), Resource: 'arn:aws:ecr:us-east-1:222222222222:repository/cdk-hnb659fds-container-assets-222222222222-us-east-1' });
    const trust = Template.fromStack(devTarget.node.scope as Stack).findResources('AWS::IAM::Role', { Properties: { RoleName: 'cdk-delivery-publish-us-east-1' } });
    expect(Object.values(trust)[0].Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals['aws:PrincipalArn']).toHaveLength(2);
    expect(prod.estimate!.buildMinutes).toBeLessThan(dev.estimate!.buildMinutes!);
  });

  test('copying needs CodeBuild\'s Ubuntu image: an ARM fleet or another image fails at synth', () => {
    const attempt = (props: (scope: Construct) => Partial<CdkStageDeployStepProps>) => {
      const app = newApp();
      const statements = [new iam.PolicyStatement({ actions: ['lambda:*', 'dynamodb:*', 'ecs:*', 'iam:*', 'logs:*', 's3:GetObject'], resources: ['*'] })];
      const target = (account: string) => new DeliveryTarget(new Stack(app, `Target${account}`, { env: { account, region: ENV.region } }), 'Target', { pipelineAccount: ENV.account, cloudFormationExecutionStatements: statements });
      const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
      const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] });
      const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth });
      const dev = new CdkStageDeployStep('Shop', { stage: new ShopStage(app, 'Dev', { env: { account: '222222222222', region: ENV.region } }), input: synth.output! });
      pipeline.addEnvironment('Dev', { target: target('222222222222'), deploy: [dev] });
      const prod = new CdkStageDeployStep('Shop', { stage: new ShopStage(app, 'Prod', { env: { account: '333333333333', region: ENV.region } }), input: synth.output!, imagesFrom: dev, ...props(pipelineStack) });
      pipeline.addEnvironment('Production', { target: target('333333333333'), deploy: [prod] });
    };
    expect(() => attempt((scope) => ({ assetPublishingFleet: new codebuild.Fleet(scope, 'ArmFleet', { baseCapacity: 1, computeType: codebuild.FleetComputeType.SMALL, environmentType: codebuild.EnvironmentType.ARM_CONTAINER }) })))
      .toThrow(/assetPublishingFleet: is an ARM fleet, but copying the images \(imagesFrom\) installs skopeo from the packages of CodeBuild's x86 Ubuntu image \(got "Pipe\/ArmFleet"\)\. Fix: give a LINUX_CONTAINER fleet/);
    expect(() => attempt(() => ({ assetPublishingBuildImage: codebuild.LinuxBuildImage.AMAZON_LINUX_2_5 })))
      .toThrow(/assetPublishingBuildImage: is not CodeBuild's Ubuntu image, whose packages the job installs skopeo from to copy the images \(imagesFrom\) \(got "aws\/codebuild\/amazonlinux2-x86_64-standard:5\.0"\)/);
    expect(() => attempt(() => ({ assetPublishingBuildImage: codebuild.LinuxBuildImage.STANDARD_7_0 }))).not.toThrow();
  });

  test('the copy script copies unless the tag holds the digest, and fails on a digest that differs', () => {
    const run = (copied: string, already?: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copy-'));
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      const src = 'sha256:' + 'ab'.repeat(32);
      fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/bash
echo "$@ [$AWS_ACCESS_KEY_ID]" >> ${dir}/calls
case "$1 $2" in
  "ecr get-login-password") echo secret ;;
  "sts assume-role") printf 'AKIA-%s\\tx\\tsecret\\ttoken\\n' "$(echo "$4" | cut -d: -f5)" ;;
  "ecr describe-images") if [ "$6" = 222222222222 ]; then echo ${src}; elif [ -f ${dir}/pushed ]; then cat ${dir}/pushed; else echo "${already ?? ''}"; fi ;;
esac
`);
      fs.writeFileSync(path.join(bin, 'skopeo'), `#!/bin/bash\necho "skopeo $@" >> ${dir}/calls\necho ${copied} > ${dir}/pushed\n`);
      fs.chmodSync(path.join(bin, 'aws'), 0o755);
      fs.chmodSync(path.join(bin, 'skopeo'), 0o755);
      fs.writeFileSync(path.join(dir, 'copies.txt'), '222222222222.dkr.ecr.us-east-1.amazonaws.com/assets-222:abc assets-333:abc\n');
      fs.writeFileSync(path.join(dir, 'copy-images.sh'), COPY_SCRIPT);
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, COPY_SOURCE_ACCOUNT: '222222222222', COPY_SOURCE_REGION: 'us-east-1', COPY_SOURCE_ROLE: 'arn:aws:iam::222222222222:role/p', COPY_ACCOUNT: '333333333333', COPY_REGION: 'us-east-1', COPY_ROLE: 'arn:aws:iam::333333333333:role/p', COPY_REGISTRY: '333333333333.dkr.ecr.us-east-1.amazonaws.com' };
      try {
        execSync('bash ./copy-images.sh', { cwd: dir, env, stdio: 'pipe' });
      } catch (e) {
        throw new Error(String((e as { stdout?: Buffer }).stdout), { cause: e });
      }
      return fs.readFileSync(path.join(dir, 'calls'), 'utf8');
    };
    const digest = 'sha256:' + 'ab'.repeat(32);
    const calls = run(digest);
    expect(calls).toContain('skopeo copy --all --src-creds AWS:secret --dest-creds AWS:secret docker://222222222222.dkr.ecr.us-east-1.amazonaws.com/assets-222:abc docker://333333333333.dkr.ecr.us-east-1.amazonaws.com/assets-333:abc');
    expect(calls).toMatch(/ecr describe-images --region us-east-1 --registry-id 222222222222 .*\[AKIA-222222222222\]/);
    expect(calls).toMatch(/ecr describe-images --region us-east-1 --registry-id 333333333333 .*\[AKIA-333333333333\]/);
    expect(run(digest, digest)).not.toContain('skopeo');
    expect(() => run('sha256:' + 'cd'.repeat(32))).toThrow(/The copy of 222222222222\.dkr\.ecr\.us-east-1\.amazonaws\.com\/assets-222:abc has digest sha256:cdcd.*, not sha256:abab/);
  });
});

describe('CdkStageDeployStep and a Stage that changes', () => {
  test('the job fails, asking for the pipeline to be deployed, when the build\'s Stage has other stacks or assets elsewhere', () => {
    const { app, pipelineStack } = release();
    const spec = prepareSpec(Template.fromStack(pipelineStack));
    // The build's Stage gains a stack the pipeline was not deployed for.
    const manifestFile = path.join(app.outdir, 'assembly-Prod', 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    manifest.artifacts.ProdQueue = { type: 'aws:cloudformation:stack', environment: 'aws://222222222222/us-east-1', properties: { templateFile: 'ProdQueue.template.json' } };
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    expect(() => publishingManifest(app, spec)).toThrow(/The Stage in this build differs from the one the pipeline was deployed for: a new stack \(cdk\.out\/assembly-Prod\/ProdQueue\.template\.json\)\. Deploy the pipeline's stack \(cdk deploy Pipe; for assets in new places the targets' stacks too\), then release again\./);
  });

  test('manifests of a newer aws-cdk-lib are written with the newest schema version the pinned cdk-assets reads', () => {
    const { app, pipelineStack } = release();
    const spec = prepareSpec(Template.fromStack(pipelineStack));
    for (const file of fs.readdirSync(path.join(app.outdir, 'assembly-Prod')).filter((f) => f.endsWith('.assets.json'))) {
      const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'assembly-Prod', file), 'utf8'));
      fs.writeFileSync(path.join(app.outdir, 'assembly-Prod', file), JSON.stringify({ ...manifest, version: '55.0.0' }));
    }
    expect(publishingManifest(app, spec).version).toBe('54.0.0');
  });

  test('constructs or Tags added to the Stage after it is placed fail the synthesis, naming the step', () => {
    const { app, stage } = release();
    Tags.of(stage).add('team', 'shop');
    expect(() => app.synth()).toThrow(/CdkStageDeployStep 'Shop': stage: changed after the step was placed \(constructs or Aspects such as Tags added to it\), but the pipeline releases the Stage as it was then \(got Prod\)\. Fix: create the Stage completely, Tags and Aspects included, before the environment that releases it\./);
  });

  test('one environment-agnostic Stage released to two environments by two steps', () => {
    const app = newApp();
    const stage = new Stage(app, 'Shared');
    new Stack(stage, 'Api');
    const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
    const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] });
    const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth });
    const executionRole = iam.Role.fromRoleName(pipelineStack, 'Exec', 'cfn-exec');
    const first = new CdkStageDeployStep('Blue', { stage, input: synth.output!, executionRole });
    const second = new CdkStageDeployStep('Green', { stage, input: synth.output!, executionRole });
    pipeline.addEnvironment('Blue', { deploy: [first] });
    pipeline.addEnvironment('Green', { deploy: [second] });
    expect(first.variablesNamespaceOf(stage.node.findChild('Api') as Stack)).toBe('Blue-Shared-Api');
    expect(second.variablesNamespaceOf(stage.node.findChild('Api') as Stack)).toBe('Green-Shared-Api');
    Template.fromStack(pipelineStack);
  });
});

describe('CdkStageDeployStep and self-update', () => {
  test('a change of an asset leaves the pipeline\'s template as it was: a self-updating pipeline has nothing to update', () => {
    const pipelineFor = (code: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-'));
      fs.writeFileSync(path.join(dir, 'index.js'), code);
      const app = newApp();
      const stage = new Stage(app, 'Prod', { env: ENV });
      new lambda.Function(new Stack(stage, 'Api'), 'Handler', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
      const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
      const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] });
      const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth, selfUpdate: true });
      pipeline.addEnvironment('Prod', { deploy: [new CdkStageDeployStep('Shop', { stage, input: synth.output!, executionRole: iam.Role.fromRoleName(pipelineStack, 'Exec', 'cfn-exec') })] });
      return Template.fromStack(pipelineStack).toJSON();
    };
    const before = pipelineFor('exports.handler = async () => 1;');
    const after = pipelineFor('exports.handler = async () => 2;');
    expect(after).toEqual(before);
  });
});

describe('CdkStageDeployStep errors', () => {
  const pipelineOf = (app = newApp()) => {
    const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['cdk.out/**/*'] });
    const pipeline = new DeliveryPipeline(new Stack(app, 'Pipe', { env: ENV }), 'Pipeline', { source: githubSource(), buildStep: synth });
    return { app, synth, pipeline };
  };
  let roles = 0;
  const exec = (scope: Construct) => iam.Role.fromRoleName(scope, `Exec${roles++}`, 'cfn-exec');

  test('bad props are reported together, naming the prop and the fix', () => {
    const { app, synth } = pipelineOf();
    const stage = new Stage(app, 'Dev');
    expect(() => new CdkStageDeployStep('Shop', { stage, input: synth.output!, cdkAssetsVersion: 'latest', assemblyDirectory: '../out' }))
      .toThrow(/CdkStageDeployStep 'Shop' has 2 problems:\n {2}- assemblyDirectory: is not a relative path inside the artifact \(got "\.\.\/out"\).*\n {2}- cdkAssetsVersion: is not an exact version \(got "latest"\)\. Fix: give a version of cdk-assets from npm, e\.g\. '4\.7\.3'/);
    expect(() => new CdkStageDeployStep('Shop', { stage: new Stack(app, 'NotAStage') as unknown as Stage, input: synth.output! })).toThrow(/stage: is an object, but not a Stage/);
    expect(() => new CdkStageDeployStep('Shop', { stage, input: undefined as unknown as BuildStep['output'] & object }))
      .toThrow(/input: is required \(got undefined\)\. Fix: give the artifact holding the cloud assembly/);
    expect(() => new CdkStageDeployStep('Shop', { stage: { node: 1 } as unknown as Stage, input: synth.output! })).toThrow(/stage: is an object, but not a Stage/);
  });

  test('the Stage\'s stacks must be for the environment\'s account and region', () => {
    const { app, synth, pipeline } = pipelineOf();
    const stage = new Stage(app, 'Elsewhere', { env: { account: '999999999999', region: 'eu-west-1' } });
    new Stack(stage, 'Api');
    expect(() => pipeline.addEnvironment('Dev', { deploy: [new CdkStageDeployStep('Shop', { stage, input: synth.output!, executionRole: exec(pipeline) })] }))
      .toThrow(/stage: stack 'Api' is for account 999999999999, but the environment deploys to account 111111111111 \(got Elsewhere\)\. Fix: create the Stage with env: \{ account: '111111111111' \}.*\n.*stage: stack 'Api' is for region eu-west-1, but the environment deploys to region us-east-1/);
  });

  test('a Stage without stacks, without an execution role, or with a stack id an action name cannot hold', () => {
    const { app, synth, pipeline } = pipelineOf();
    const empty = new Stage(app, 'Empty', { env: ENV });
    expect(() => pipeline.addEnvironment('Dev', { deploy: [new CdkStageDeployStep('Shop', { stage: empty, input: synth.output!, executionRole: exec(pipeline) })] }))
      .toThrow(/stage: has no stacks \(got Empty\)\. Fix: add the stacks to release to the Stage/);
    const stage = new Stage(app, 'Dev', { env: ENV });
    new Stack(stage, 'Api');
    expect(() => pipeline.addEnvironment('Dev2', { deploy: [new CdkStageDeployStep('Shop', { stage, input: synth.output! })] }))
      .toThrow(/executionRole: no role for CloudFormation to deploy the stacks of Stage 'Dev' with \(got undefined\)\. Fix: give the DeliveryTarget of environment 'Dev2' cloudFormationExecutionStatements \(what the Stage's stacks create\), or pass executionRole/);
    const spaced = new Stage(app, 'Spaced', { env: ENV });
    new Stack(spaced, 'My Api', { stackName: 'my-api' });
    expect(() => pipeline.addEnvironment('Dev3', { deploy: [new CdkStageDeployStep('Shop', { stage: spaced, input: synth.output!, executionRole: exec(pipeline) })] }))
      .toThrow(/stack id 'My Api' has characters an action name cannot hold/);
  });

  test('stackOutput takes an output of the Stage only', () => {
    const { app, synth } = pipelineOf();
    const stage = new ShopStage(app, 'Prod', { env: ENV, image: false });
    const other = new Stack(app, 'Other');
    const step = new CdkStageDeployStep('Shop', { stage, input: synth.output! });
    expect(step.stackOutput(stage.url)).toBe('#{Shop-Prod-Api.Url}');
    expect(step.variablesNamespaceOf(stage.api)).toBe('Shop-Prod-Api');
    expect(() => step.stackOutput(new CfnOutput(other, 'X', { value: 'x' }))).toThrow(/output: is not an output of a stack of Stage 'Prod' \(got Other\/X\)/);
    expect(() => step.variablesNamespaceOf(other)).toThrow(/stack: is not a stack of Stage 'Prod' \(got Other\)/);
    const nested = new NestedStack(stage.api, 'Nested');
    expect(() => step.stackOutput(new CfnOutput(nested, 'Inner', { value: 'x' }))).toThrow(/output: is an output of a nested stack, which CloudFormation does not give the pipeline/);
    expect(() => step.stackOutput(stage.api.node.findChild('Handler') as unknown as CfnOutput)).toThrow(/output: is an object, but not a CfnOutput/);
  });

  test('a Stage holding another Stage, or a stack with a parameter without a default, fails; termination protection warns', () => {
    const { app, synth, pipeline } = pipelineOf();
    const outer = new Stage(app, 'Outer', { env: ENV });
    new Stack(new Stage(outer, 'Inner'), 'Api');
    expect(() => pipeline.addEnvironment('A', { deploy: [new CdkStageDeployStep('Shop', { stage: outer, input: synth.output!, executionRole: exec(pipeline) })] }))
      .toThrow(/stage: holds another Stage \('Outer\/Inner'\), whose stacks the step would not release/);
    const params = new Stage(app, 'Params', { env: ENV });
    new CfnParameter(new Stack(params, 'Api'), 'Version');
    expect(() => pipeline.addEnvironment('B', { deploy: [new CdkStageDeployStep('Shop', { stage: params, input: synth.output!, executionRole: exec(pipeline) })] }))
      .toThrow(/stack 'Api' has parameters without a default \(Version\), to which a release gives no value/);
    const protectedStage = new Stage(app, 'Protected', { env: ENV });
    new Stack(protectedStage, 'Data', { terminationProtection: true });
    pipeline.addEnvironment('C', { deploy: [new CdkStageDeployStep('Shop', { stage: protectedStage, input: synth.output!, executionRole: exec(pipeline) })] });
    expect(Annotations.fromStack(Stack.of(pipeline)).findWarning('*', Match.stringLikeRegexp('stack \'Protected-Data\' asks for termination protection, which CodePipeline\'s CloudFormation actions do not set'))).toHaveLength(1);
  });

  test('the publishing job needs EC2 compute', () => {
    const { app, synth } = pipelineOf();
    expect(() => new CdkStageDeployStep('Shop', { stage: new Stage(app, 'S'), input: synth.output!, assetPublishingComputeType: codebuild.ComputeType.LAMBDA_1GB }))
      .toThrow(/assetPublishingComputeType: is not an on-demand EC2 compute type, which the publishing job needs \(Docker, a cache\) \(got "BUILD_LAMBDA_1GB"\)/);
  });

  test('an imported fleet needs the compute type it runs, which then is the job\'s', () => {
    const shared = (scope: Construct) => codebuild.Fleet.fromFleetArn(scope, 'Shared', 'arn:aws:codebuild:us-east-1:111111111111:fleet/shared:0b1c2d3e');
    expect(() => release({ step: (scope) => ({ assetPublishingFleet: shared(scope) }) }))
      .toThrow(/assetPublishingComputeType: is needed with an imported assetPublishingFleet, whose compute type cannot be read \(got undefined\)\. Fix: give the fleet's compute type/);
    const { step, pipelineStack } = release({ step: (scope) => ({ assetPublishingFleet: shared(scope), assetPublishingComputeType: codebuild.ComputeType.LARGE }) });
    expect(step.estimate).toMatchObject({ computeType: 'BUILD_GENERAL1_LARGE', reservedCapacity: true, fleet: 'shared' });
    Template.fromStack(pipelineStack).hasResourceProperties('AWS::CodeBuild::Project', { Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_LARGE', Fleet: { FleetArn: 'arn:aws:codebuild:us-east-1:111111111111:fleet/shared:0b1c2d3e' } }) });
  });
});
