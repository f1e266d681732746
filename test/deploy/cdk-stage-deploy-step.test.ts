import * as path from 'path';
import { CfnOutput, RemovalPolicy, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BuildStep, CdkStageDeployStep, CommandsStep, DeliveryPipeline, DeliveryTarget } from '../../lib';
import { ENV, githubSource, newApp } from '../util';

const FIXTURES = path.join(__dirname, 'fixtures', 'stage-app');
const PROD = { account: '222222222222', region: ENV.region };

/** A table, an API on it (a Lambda function from a file asset) and a web task (a Docker image asset). */
class ShopStage extends Stage {
  public readonly url: CfnOutput;
  public readonly data: Stack;
  public readonly api: Stack;
  public readonly web: Stack;
  constructor(scope: Construct, id: string, props: StageProps & { readonly image?: boolean } = {}) {
    super(scope, id, props);
    this.data = new Stack(this, 'Data');
    const table = new dynamodb.Table(this.data, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.RETAIN });
    this.api = new Stack(this, 'Api');
    const fn = new lambda.Function(this.api, 'Handler', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(path.join(FIXTURES, 'handler')), environment: { TABLE: table.tableName } });
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.url = new CfnOutput(this.api, 'Url', { value: url.url });
    this.web = new Stack(this, 'Web');
    const task = new ecs.FargateTaskDefinition(this.web, 'Task');
    task.addContainer('web', { image: props.image === false ? ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') : ecs.ContainerImage.fromAsset(path.join(FIXTURES, 'image')) });
  }
}

function release(options: { stageEnv?: StackProps['env']; image?: boolean; changeSets?: boolean; crossAccount?: boolean } = {}) {
  const app = newApp();
  const crossAccount = options.crossAccount ?? true;
  const targetStack = new Stack(app, 'ProdTarget', { env: crossAccount ? PROD : ENV });
  const target = new DeliveryTarget(targetStack, 'Target', {
    pipelineAccount: ENV.account,
    cloudFormationExecutionStatements: [new iam.PolicyStatement({ actions: ['lambda:*', 'dynamodb:*', 'ecs:*', 'iam:*'], resources: ['*'] })],
  });
  const stage = new ShopStage(app, 'Prod', { env: options.stageEnv ?? (crossAccount ? PROD : ENV), image: options.image });
  const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
  const synth = new BuildStep('Synth', { commands: ['npm ci', 'npx cdk synth --quiet'], outputs: ['cdk.out/**/*'] });
  const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { pipelineName: 'shop', source: githubSource(), buildStep: synth });
  const step = new CdkStageDeployStep('Shop', { stage, input: synth.output!, changeSets: options.changeSets });
  pipeline.addEnvironment('Prod', {
    target,
    deploy: [step],
    after: [new CommandsStep('Smoke', { commands: [`curl --fail "${step.stackOutput(stage.url)}"`] })],
  });
  return { app, stage, step, pipeline, pipelineStack, targetStack, target };
}

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
      '1 Shop.Assets CodeBuild',
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
    expect(actions.find((a) => a.Name === 'Shop.Api')!.Namespace).toBe('Prod-Api');
    expect(JSON.stringify(actions.find((a) => a.Name === 'Smoke'))).toContain('#{Prod-Api.Url}');
  });

  test('one job publishes every asset of the Stage, through the target\'s publishing role, which may write exactly their bucket and repository', () => {
    const { pipelineStack, targetStack } = release();
    const t = Template.fromStack(pipelineStack);
    const jobs = Object.values(t.findResources('AWS::CodeBuild::Project')).filter((p) => JSON.stringify(p).includes('cdk-assets'));
    expect(jobs).toHaveLength(1);
    const job = jobs[0].Properties;
    // Docker images: the daemon, and the layers of the last build on the host.
    expect(job.Environment).toMatchObject({ PrivilegedMode: true, ComputeType: 'BUILD_GENERAL1_MEDIUM' });
    expect(job.Cache).toEqual({ Type: 'LOCAL', Modes: ['LOCAL_DOCKER_LAYER_CACHE'] });
    const spec: string = job.Source.BuildSpec;
    expect(spec).toContain('npm install --global --no-audit --no-fund --no-update-notifier cdk-assets@4.7.3');
    expect(spec).toContain("cdk-assets --path 'cdk.out/cdk-delivery.assets.json' publish");
    const manifest = JSON.parse(/printf '%s\\n' '(\{.*\})' > 'cdk\.out\/cdk-delivery\.assets\.json'/.exec(spec)![1]);
    const role = 'arn:${AWS::Partition}:iam::222222222222:role/cdk-delivery-publish-us-east-1';
    expect(Object.values(manifest.files)).toEqual([{
      source: { path: expect.stringMatching(/^asset\.[0-9a-f]{64}$/), packaging: 'zip' },
      destinations: { 'us-east-1': { region: 'us-east-1', assumeRoleArn: role, bucketName: 'cdk-hnb659fds-assets-222222222222-us-east-1', objectKey: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) } },
    }]);
    expect(Object.values(manifest.dockerImages)).toEqual([{
      source: { directory: expect.stringMatching(/^asset\.[0-9a-f]{64}$/) },
      destinations: { 'us-east-1': { region: 'us-east-1', assumeRoleArn: role, repositoryName: 'cdk-hnb659fds-container-assets-222222222222-us-east-1', imageTag: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    }]);
    // The templates are not published: CloudFormation reads them from the job's output, which holds only them.
    expect(spec).toMatch(/artifacts:\n {2}files:\n {4}- assembly-Prod\/ProdData[0-9A-F]{8}\.template\.json\n {4}- assembly-Prod\/ProdWeb[0-9A-F]{8}\.template\.json\n {4}- assembly-Prod\/ProdApi[0-9A-F]{8}\.template\.json\n {2}base-directory: cdk\.out\n/);

    // The job's role may assume the publishing role, and write no bucket or repository itself.
    const publisher = Object.entries(t.findResources('AWS::IAM::Role')).find(([id]) => id.includes('PublisherRole'))!;
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
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:DescribeRepositories', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
        Resource: 'arn:aws:ecr:us-east-1:222222222222:repository/cdk-hnb659fds-container-assets-222222222222-us-east-1',
      },
    ]);
  });

  test('in the pipeline\'s account, the job publishes with its own role, granted the asset locations', () => {
    const { pipelineStack, targetStack } = release({ crossAccount: false });
    const t = Template.fromStack(pipelineStack);
    const spec = JSON.stringify(Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk-assets')));
    expect(spec).not.toContain('assumeRoleArn');
    expect(spec).toContain('cdk-hnb659fds-assets-111111111111-us-east-1');
    const publisher = Object.keys(t.findResources('AWS::IAM::Role')).find((id) => id.includes('PublisherRole'))!;
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === publisher))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: 'arn:aws:s3:::cdk-hnb659fds-assets-111111111111-us-east-1/*' });
    expect(JSON.stringify(statements)).not.toContain('sts:AssumeRole');
    expect(Object.keys(Template.fromStack(targetStack).findResources('AWS::IAM::Role')).filter((id) => id.includes('Publishing'))).toEqual([]);
  });

  test('a Stage without assets has no publishing job; without change sets each stack is one action', () => {
    const app = newApp();
    const stage = new Stage(app, 'Dev', { env: ENV });
    const data = new Stack(stage, 'Data');
    new dynamodb.Table(data, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.RETAIN });
    const api = new Stack(stage, 'Api');
    api.addDependency(data);
    new Stack(stage, 'Dns');
    const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
    const synth = new BuildStep('Synth', { commands: ['npx cdk synth'], outputs: ['**/*'], outputBaseDirectory: 'cdk.out' });
    const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: synth });
    pipeline.addEnvironment('Dev', {
      deploy: [new CdkStageDeployStep('App', { stage, input: synth.output!, assemblyDirectory: '', changeSets: false, executionRole: iam.Role.fromRoleName(pipelineStack, 'Exec', 'cfn-exec') })],
    });
    const actions = actionsOf(Template.fromStack(pipelineStack), 'Dev');
    expect(actions.map((a) => `${a.RunOrder} ${a.Name} ${a.Configuration.ActionMode}`)).toEqual(['1 App.Data CREATE_UPDATE', '1 App.Dns CREATE_UPDATE', '2 App.Api CREATE_UPDATE']);
    expect(actions[0].Configuration.TemplatePath).toMatch(/^Synth_Output::assembly-Dev\/DevData[0-9A-F]{8}\.template\.json$/);
    expect(JSON.stringify(Template.fromStack(pipelineStack).toJSON())).not.toContain('cdk-assets');
  });
});
