import { App, Aws, CfnCapabilities, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { NODE_RUNTIME } from '../../examples/settings';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  ArtifactStoreStack, BuildStep, ChangeSetDeployStep, DeliveryPipeline, DeliveryPipelineProps, DeliveryTarget, DeliveryTargetStack, IStep, ManualApprovalStep,
  DockerImageStep, EcsBlueGreenDeployment, LambdaDeployment, ServerDeployment, StepActions, StepContext,
} from '../../lib';
import { ecsService } from '../deploy/ecs-fixture';
import { githubSource, newApp } from '../util';
import { addAwsSolutions, awsSolutionsErrors } from '../util/nag';

const TOOLS = { account: '111111111111', region: 'us-east-1' };
const DEV = { account: '222222222222', region: 'us-east-1' };
const PROD_WEST = { account: '333333333333', region: 'eu-west-1' };
const execPolicy = (scope: Construct) => new iam.ManagedPolicy(scope, 'Exec', {
  statements: [new iam.PolicyStatement({ actions: ['sqs:CreateQueue'], resources: ['arn:aws:sqs:*:*:shop'] })],
});

function setup(props: Partial<DeliveryPipelineProps> = {}, app: App = newApp(), tools?: Stack) {
  const devStack = new Stack(app, 'Dev', { env: DEV });
  let target: DeliveryTarget | undefined;
  const stack = tools ?? new Stack(app, 'Tools', { env: TOOLS });
  const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'] });
  const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: build, ...props });
  const changeSet = (name = 'Deploy', extra: Partial<ConstructorParameters<typeof ChangeSetDeployStep>[1]> = {}) =>
    new ChangeSetDeployStep(name, { stackName: 'shop', template: build.output!.atPath('shop.json'), capabilities: [], ...extra });
  return {
    app, stack, devStack, build, pipeline, changeSet,
    // Created on first use: a target no pipeline trusts fails synthesis.
    get dev() {
      target ??= new DeliveryTarget(devStack, 'Target', { pipelineAccount: TOOLS.account, cloudFormationExecutionPolicies: [execPolicy(devStack)] });
      return target;
    },
  };
}

/** A ServerDeployment to instances found by tag, whose role is named. */
function tagTargeted(devStack: Stack, props: Partial<ConstructorParameters<typeof ServerDeployment>[2]> = {}): ServerDeployment {
  const instances = new iam.Role(devStack, 'WebInstances', { roleName: 'web-instances', assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  return new ServerDeployment(devStack, 'Web', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), instanceRoles: [instances], ...props });
}

/** An ECS service whose task definition names only resources with physical names. */
function namedEcsService(devStack: Stack): EcsBlueGreenDeployment {
    const vpc = new ec2.Vpc(devStack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const taskDefinition = new ecs.FargateTaskDefinition(devStack, 'Task', {
      cpu: 256, memoryLimitMiB: 512,
      taskRole: new iam.Role(devStack, 'TaskRole', { roleName: 'shop-task', assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }),
      executionRole: new iam.Role(devStack, 'ExecutionRole', { roleName: 'shop-task-execution', assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }),
    });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 8080 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup: new logs.LogGroup(devStack, 'Logs', { logGroupName: 'shop-web' }) }),
    });
    const svc = new ecs.FargateService(devStack, 'Service', { cluster: new ecs.Cluster(devStack, 'Cluster', { vpc }), taskDefinition, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } });
    const lb = new elbv2.ApplicationLoadBalancer(devStack, 'Lb', { vpc });
    const blue = new elbv2.ApplicationTargetGroup(devStack, 'Blue', { vpc, port: 8080, targetType: elbv2.TargetType.IP, targets: [svc] });
    const green = new elbv2.ApplicationTargetGroup(devStack, 'Green', { vpc, port: 8080, targetType: elbv2.TargetType.IP });
    const listener = lb.addListener('Http', { port: 80, defaultTargetGroups: [blue] });
    return new EcsBlueGreenDeployment(devStack, 'Web', { service: svc, taskDefinition, blueTargetGroup: blue, greenTargetGroup: green, productionListener: listener });
}

const stageOf = (t: Template, name: string) => Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages.find((s: { Name: string }) => s.Name === name);
const DEV_DEPLOY_ROLE = 'arn:aws:iam::222222222222:role/cdk-delivery-deploy-us-east-1';

describe('cross-account environments', () => {
  test('the artifact key and bucket grant exactly the target\'s deploy role, which the actions assume', () => {
    const { pipeline, stack, dev, changeSet } = setup();
    pipeline.addEnvironment('Dev', { target: dev, deploy: [changeSet()] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([{ Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Principal: { AWS: DEV_DEPLOY_ROLE }, Resource: '*' }]) },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'], Effect: 'Allow', Principal: { AWS: DEV_DEPLOY_ROLE } })]) },
    });
    const actionsOfDev = stageOf(t, 'Dev').Actions;
    expect(actionsOfDev.map((a: { Name: string; RoleArn: string; RunOrder: number }) => [a.Name, a.RoleArn, a.RunOrder])).toEqual([
      ['Deploy.ChangeSet', DEV_DEPLOY_ROLE, 1],
      ['Deploy', DEV_DEPLOY_ROLE, 2],
    ]);
    expect(actionsOfDev[0].Configuration).toMatchObject({ RoleArn: 'arn:aws:iam::222222222222:role/cdk-delivery-cfn-exec-us-east-1', ActionMode: 'CHANGE_SET_REPLACE', StackName: 'shop', ChangeSetName: 'cdk-delivery-release' });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:AssumeRole', Resource: Match.arrayWith([DEV_DEPLOY_ROLE]) })]) },
    });
    expect(stack.dependencies.map((d) => d.stackName)).toContain('Dev');
  });

  test('the deploy role may use KMS keys of the pipeline account only (aws-cdk-lib grants the artifact key on "*" across accounts)', () => {
    const { pipeline, dev, changeSet } = setup();
    pipeline.addEnvironment('Dev', { target: dev, deploy: [changeSet()] });
    const statements = Object.values(Template.fromStack(Stack.of(dev)).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const kms = statements.filter((st: { Action: string | string[] }) => [st.Action].flat().some((a) => a.startsWith('kms:')));
    expect(kms).toEqual([{ Action: ['kms:Decrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'aws:ResourceAccount': '111111111111' } } }]);
  });

  test('the deploy role trusts the pipeline account, narrowed to the pipeline role by its exact ARN', () => {
    const { pipeline, stack, devStack, dev, changeSet } = setup();
    pipeline.addEnvironment('Dev', { target: dev, deploy: [changeSet()] });
    const roleName = Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { RoleName: Match.anyValue() } });
    const names = Object.values(roleName).map((r) => r.Properties.RoleName);
    expect(names).toHaveLength(1);
    expect(names[0]).toBe('Tools-Pipeline-Role-35F9CA84');
    Template.fromStack(devStack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cdk-delivery-deploy-us-east-1',
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Condition: { ArnEquals: { 'aws:PrincipalArn': [`arn:aws:iam::111111111111:role/${names[0]}`] } },
        }],
      },
    });
  });

  test('the deploy role gets exactly the grants of the actions that use it; CloudFormation uses the execution role', () => {
    const { pipeline, devStack, dev, changeSet } = setup();
    pipeline.addEnvironment('Dev', { target: dev, deploy: [changeSet()] });
    const t = Template.fromStack(devStack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('TargetDeployRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'iam:PassRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('TargetCloudFormationExecutionRole'), 'Arn'] } },
          Match.objectLike({ Action: Match.arrayWith(['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet']), Resource: 'arn:aws:cloudformation:us-east-1:222222222222:stack/shop/*' }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cdk-delivery-cfn-exec-us-east-1',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } }] },
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('Exec') }],
    });
  });

  test('a CodeDeploy deployment in another account assumes the deploy role, granted exactly its group', () => {
    const { pipeline, devStack, dev, build } = setup();
    const instances = new iam.Role(devStack, 'WebInstances', { roleName: 'web-instances', assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const web = new ServerDeployment(devStack, 'Web', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), instanceRoles: [instances] });
    pipeline.addEnvironment('Dev', { target: dev, deploy: [web.deployStep({ input: build.output! })] });
    // The agent on the instances reads the revision: the artifact bucket names their role.
    Template.fromStack(Stack.of(pipeline)).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { AWS: Match.arrayWith(['arn:aws:iam::222222222222:role/web-instances']) } })]) },
    });
    const t = Template.fromStack(devStack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('TargetDeployRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
          Resource: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp(':deploymentgroup:')])]) }),
        })]),
      },
    });
    expect(stageOf(Template.fromStack(Stack.of(pipeline)), 'Dev').Actions[0].RoleArn).toBe(DEV_DEPLOY_ROLE);
  });

  test('synth says which resources get generated names because another account refers to them, and what a stack deployed before loses', () => {
    const { pipeline, devStack, dev, build } = setup();
    const web = tagTargeted(devStack);
    pipeline.addEnvironment('Dev', { target: dev, deploy: [web.deployStep({ input: build.output! })] });
    const infos = (stack: Stack) => Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('generated at synth')).map((i) => `${i.id}: ${String(i.entry.data)}`);
    expect(infos(Stack.of(pipeline))).toEqual([
      "/Tools/Pipeline: DeliveryPipeline 'Tools/Pipeline': Its artifact bucket and its role get names generated at synth, because environment 'Dev' in account 222222222222 refers to them. A stack deployed before that reference existed has them replaced on its next deploy (a new, empty artifact bucket; the old one is retained): see \"Things to know before the first deploy to another account\" in the cdk-delivery README.",
    ]);
    expect(infos(devStack)).toEqual([
      expect.stringMatching(/^\/Dev\/Web: ServerDeployment 'Dev\/Web': Its CodeDeploy application and its deployment group get names generated at synth, because the pipeline of environment 'Dev' \(222222222222\/us-east-1 is another account than the pipeline's\) refers to them\. .*deployment history starts empty/),
    ]);
  });

  test('no such note for resources that were given names', () => {
    const app = newApp();
    const tools = new Stack(app, 'Tools', { env: TOOLS });
    const key = new kms.Key(tools, 'Key');
    const { pipeline, devStack, dev, build } = setup({
      artifactBucket: new s3.Bucket(tools, 'Artifacts', { bucketName: 'shop-artifacts', encryptionKey: key }),
      role: new iam.Role(tools, 'PipelineRole', { roleName: 'shop-pipeline', assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') }),
    }, app, tools);
    const application = new codedeploy.ServerApplication(devStack, 'App', { applicationName: 'shop-web' });
    const web = tagTargeted(devStack, { application, deploymentGroupName: 'shop-web' });
    pipeline.addEnvironment('Dev', { target: dev, deploy: [web.deployStep({ input: build.output! })] });
    expect(Annotations.fromStack(Stack.of(pipeline)).findInfo('*', Match.stringLikeRegexp('generated at synth'))).toEqual([]);
    expect(Annotations.fromStack(devStack).findInfo('*', Match.stringLikeRegexp('generated at synth'))).toEqual([]);
  });

  test('a Lambda release in another account: the deploy role updates the stack, CloudFormation there uses a role of the application stack that reads the code', () => {
    const { app, pipeline, stack, devStack, dev } = setup();
    addAwsSolutions(app);
    const code = lambda.Code.fromCfnParameters();
    const fn = new lambda.Function(devStack, 'Api', { runtime: NODE_RUNTIME, handler: 'index.handler', code });
    const release = new LambdaDeployment(devStack, 'Release', { function: fn, code });
    const build = new BuildStep('Package', { commands: ['make'], outputs: ['**/*'], secondaryOutputs: [{ name: 'Templates', files: ['*.json'] }] });
    pipeline.addStage('Package', { steps: [build] });
    pipeline.addEnvironment('Dev', { target: dev, deploy: [release.deployStep({ code: build.output!, templates: build.secondaryOutput('Templates') })] });
    const deploy = stageOf(Template.fromStack(stack), 'Dev').Actions[0];
    expect(deploy.RoleArn).toBe(DEV_DEPLOY_ROLE);
    const roleName = Object.values(Template.fromStack(devStack).findResources('AWS::IAM::Role', { Properties: { RoleName: Match.anyValue(), AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })] } } }))
      .map((r) => r.Properties.RoleName).find((n) => !String(n).startsWith('cdk-delivery'));
    expect(deploy.Configuration.RoleArn).toBe(`arn:aws:iam::222222222222:role/${roleName}`);
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { AWS: Match.arrayWith([`arn:aws:iam::222222222222:role/${roleName}`]) } })]) },
    });
    Template.fromStack(devStack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('TargetDeployRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ssm:GetParameters', Resource: 'arn:aws:ssm:us-east-1:222222222222:parameter/cdk-bootstrap/*/version' })]) },
    });
    // What the library creates is nag-clean (the test's own policy and function role are not).
    const ours = (id: string) => !id.startsWith('/Dev/Exec/') && !id.startsWith('/Dev/Api/ServiceRole/');
    for (const s of [stack, devStack]) {
      expect(awsSolutionsErrors(s).filter((f) => ours(f.id)).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
    }
  });

  test('fails when an ECS service in another account has resources the deployment files cannot name', () => {
    const { pipeline, devStack, dev } = setup();
    const f = ecsService(devStack);
    const service = new EcsBlueGreenDeployment(devStack, 'Web', { service: f.service, taskDefinition: f.taskDefinition, blueTargetGroup: f.blue, greenTargetGroup: f.green, productionListener: f.listener });
    const image = new DockerImageStep('Image');
    pipeline.addStage('Images', { steps: [image] });
    expect(() => pipeline.addEnvironment('Dev', { target: dev, deploy: [service.deployStep({ image: image.output! })] }))
      .toThrow(/taskDefinition: the deployment files are written in the pipeline's account and region, but they name resources of 222222222222\/us-east-1 that have no physical name \(got Dev\/Task\/web\/LogGroup, Dev\/Task\/TaskRole\). Fix: give each a name/);
  });

  test('an ECS service in another account with named resources: the files name them, the deploy role deploys', () => {
    const { app, pipeline, stack, devStack, dev } = setup();
    addAwsSolutions(app);
    const web = namedEcsService(devStack);
    const image = new DockerImageStep('Image');
    pipeline.addStage('Images', { steps: [image] });
    pipeline.addEnvironment('Dev', { target: dev, deploy: [web.deployStep({ image: image.output! })] });
    const t = Template.fromStack(stack);
    const buildspecs = JSON.stringify(t.findResources('AWS::CodeBuild::Project'));
    expect(buildspecs).toContain('arn:aws:iam::222222222222:role/shop-task-execution');
    expect(buildspecs).toContain('\\"awslogs-group\\": \\"shop-web\\"');
    expect(buildspecs).toContain('\\"awslogs-region\\": \\"us-east-1\\"');
    const deploy = stageOf(t, 'Dev').Actions.find((a: { Name: string }) => a.Name === 'Deploy');
    expect(deploy.RoleArn).toBe(DEV_DEPLOY_ROLE);
    Template.fromStack(devStack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('TargetDeployRole') }],
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Action: 'ecs:RegisterTaskDefinition', Resource: '*' }),
        Match.objectLike({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }),
      ]) },
    });
    const ours = (id: string) => id.startsWith('/Tools/') || id.startsWith('/Dev/Target/') || id.startsWith('/Dev/Web/');
    for (const s of [stack, devStack]) {
      expect(awsSolutionsErrors(s).filter((f) => ours(f.id)).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
    }
  });

  test('a DeliveryTargetStack holds a target; its nag findings for L2 grants are accepted with a reason', () => {
    const app = newApp();
    const target = new DeliveryTargetStack(app, 'Prod', { env: PROD_WEST, pipelineAccount: TOOLS.account, trustedRoleArns: ['arn:aws:iam::111111111111:role/release'] });
    Template.fromStack(target).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cdk-delivery-deploy-eu-west-1',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: { ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/release'] } } })] },
    });
    expect(target.target.cloudFormationExecutionRole).toBeUndefined();
    Template.fromStack(target).resourceCountIs('AWS::IAM::Role', 1);
  });

  test('a DeliveryTargetStack holds the execution policy it is given as statements (no stack of yours before it)', () => {
    const app = newApp();
    const target = new DeliveryTargetStack(app, 'Prod', {
      env: PROD_WEST,
      pipelineAccount: TOOLS.account,
      trustedRoleArns: ['arn:aws:iam::111111111111:role/release'],
      cloudFormationExecutionStatements: [new iam.PolicyStatement({ actions: ['lambda:UpdateFunctionCode'], resources: ['arn:aws:lambda:eu-west-1:333333333333:function:shop-api'] })],
    });
    const t = Template.fromStack(target);
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: [Match.objectLike({ Action: 'lambda:UpdateFunctionCode', Resource: 'arn:aws:lambda:eu-west-1:333333333333:function:shop-api' })] } });
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cdk-delivery-cfn-exec-eu-west-1',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })] },
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('TargetCloudFormationExecutionPolicy') }],
    });
    expect(target.target.cloudFormationExecutionRole).toBeDefined();
    expect(() => new DeliveryTargetStack(newApp(), 'Empty', { env: PROD_WEST, pipelineAccount: TOOLS.account, cloudFormationExecutionStatements: [] }))
      .toThrow(/cloudFormationExecutionStatements: is an empty list/);
  });
});

describe('cross-region environments', () => {
  test('deployRegions creates a retained, rotated, aliased artifact store per region, listed in ArtifactStores', () => {
    const app = newApp();
    const westStack = new Stack(app, 'West', { env: PROD_WEST });
    const west = new DeliveryTarget(westStack, 'Target', { pipelineAccount: TOOLS.account, cloudFormationExecutionPolicies: [execPolicy(westStack)] });
    const { pipeline, stack, changeSet } = setup({ deployRegions: ['eu-west-1'] }, app);
    pipeline.addEnvironment('Prod', { target: west, deploy: [changeSet()], production: true, waiveApproval: true });
    const store = app.node.findChild('Tools-artifacts-eu-west-1') as ArtifactStoreStack;
    expect(store.region).toBe('eu-west-1');
    expect(store.account).toBe('111111111111');
    const s = Template.fromStack(store);
    s.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    s.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/cdk-delivery/Tools-artifacts-eu-west-1-artifacts' });
    s.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ BucketName: Match.anyValue(), VersioningConfiguration: { Status: 'Enabled' }, LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifact-bucket/' }) }),
    });
    s.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { AWS: 'arn:aws:iam::333333333333:role/cdk-delivery-deploy-eu-west-1' } })]) },
    });
    const p = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
    expect(p.ArtifactStores.map((a: { Region: string }) => a.Region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(p.ArtifactStores[1].ArtifactStore.EncryptionKey.Id).toBe('arn:aws:kms:eu-west-1:111111111111:alias/cdk-delivery/Tools-artifacts-eu-west-1-artifacts');
    expect(stageOf(Template.fromStack(stack), 'Prod').Actions[0].Region).toBe('eu-west-1');
    expect(stack.dependencies.map((d) => d.stackName)).toEqual(expect.arrayContaining(['Tools-artifacts-eu-west-1', 'West']));
    // The regional key is known by alias only: the pipeline role's KMS grant on "*" is narrowed to keys of its account.
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('PipelineRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']), Resource: '*', Condition: { StringEquals: { 'aws:ResourceAccount': '111111111111' } } })]) },
    });
  });

  test('without deployRegions, an environment in another region gets the store deployRegions would create, and the L2 role its narrowed grants', () => {
    const app = newApp();
    addAwsSolutions(app);
    const westStack = new Stack(app, 'West', { env: PROD_WEST });
    const west = new DeliveryTarget(westStack, 'Target', { pipelineAccount: TOOLS.account, cloudFormationExecutionPolicies: [execPolicy(westStack)] });
    const { pipeline, stack, changeSet } = setup({}, app);
    pipeline.addWave('Prod', {
      approval: new ManualApprovalStep('Approve'),
      environments: [{ name: 'West', target: west, production: true, deploy: [changeSet('DeployWest')] }, { name: 'Here', production: true, deploy: [changeSet('DeployHere', { executionRole: iam.Role.fromRoleName(stack, 'Exec', 'exec') })] }],
    });
    const store = app.node.findChild('Tools-artifacts-eu-west-1') as ArtifactStoreStack;
    expect(store.region).toBe('eu-west-1');
    expect(store.artifactRetentionDays).toBe(30);
    const t = Template.fromStack(stack);
    const p = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
    expect(p.ArtifactStore).toBeUndefined();
    expect(p.ArtifactStores.map((a: { Region: string }) => a.Region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(p.ArtifactStores[1].ArtifactStore.EncryptionKey.Id).toBe('arn:aws:kms:eu-west-1:111111111111:alias/cdk-delivery/Tools-artifacts-eu-west-1-artifacts');
    expect(stack.dependencies.map((d) => d.stackName)).toEqual(expect.arrayContaining(['Tools-artifacts-eu-west-1', 'West']));
    // The L2's own role, not a second one; its KMS grant on "*" (the store's key is known by alias) is narrowed.
    expect(Object.keys(t.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codepipeline.amazonaws.com' } })] } } }))).toEqual([expect.stringMatching(/^PipelineRole/)]);
    const kmsOnAll = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((r) => r.Properties.PolicyDocument.Statement)
      .filter((st: { Action: string | string[]; Resource: unknown }) => st.Resource === '*' && [st.Action].flat().some((a) => a.startsWith('kms:')));
    expect(kmsOnAll.length).toBeGreaterThan(0);
    for (const st of kmsOnAll) expect(st.Condition).toEqual({ StringEquals: { 'aws:ResourceAccount': '111111111111' } });
    const ours = (id: string) => !id.startsWith('/West/Exec/');
    for (const s of [stack, store, westStack]) {
      expect(awsSolutionsErrors(s).filter((f) => ours(f.id)).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
    }
  });

  test('a region reached late reuses the store an earlier pipeline of the stack created, and keeps its retention', () => {
    const app = newApp();
    const westStack = new Stack(app, 'West', { env: PROD_WEST });
    const west = new DeliveryTarget(westStack, 'Target', { pipelineAccount: TOOLS.account, cloudFormationExecutionPolicies: [execPolicy(westStack)] });
    const { pipeline, stack, changeSet } = setup({ deployRegions: ['eu-west-1'] }, app);
    pipeline.addEnvironment('Prod', { target: west, deploy: [changeSet()] });
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'] });
    const second = new DeliveryPipeline(stack, 'Second', { source: githubSource(), buildStep: build, artifactRetentionDays: 7 });
    expect(() => second.addEnvironment('Prod', { target: west, deploy: [new ChangeSetDeployStep('Deploy', { stackName: 'other', template: build.output!.atPath('t.json'), capabilities: [] })] }))
      .toThrow(/artifactRetentionDays: the eu-west-1 store 'Tools-artifacts-eu-west-1', shared by the pipelines of this stack, keeps artifacts 30 days/);
  });

  test('a store passed in is used instead of a created one', () => {
    const app = newApp();
    const store = new ArtifactStoreStack(app, 'Store', { env: { account: TOOLS.account, region: 'eu-west-1' }, artifactRetentionDays: 7 });
    const { pipeline, stack, build } = setup({ crossRegionArtifactStores: [store.store], deployRegions: ['eu-west-1'] }, app);
    pipeline.addEnvironment('West', { env: { region: 'eu-west-1' }, deploy: [new ChangeSetDeployStep('Deploy', { stackName: 'shop', template: build.output!.atPath('t.json'), capabilities: [], executionRole: iam.Role.fromRoleName(stack, 'Exec', 'exec') })] });
    expect(app.node.tryFindChild('Tools-artifacts-eu-west-1')).toBeUndefined();
    Template.fromStack(store).hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7 })] } });
    expect(stack.dependencies.map((d) => d.stackName)).toContain('Store');
  });
});

describe('cross-region ECS', () => {
  test('an ECS service in another region of the pipeline\'s account deploys with a role of its own stack', () => {
    const app = newApp();
    const westStack = new Stack(app, 'WestApp', { env: { account: TOOLS.account, region: 'eu-west-1' } });
    const web = namedEcsService(westStack);
    const { pipeline, stack } = setup({ deployRegions: ['eu-west-1'] }, app);
    const image = new DockerImageStep('Image');
    pipeline.addStage('Images', { steps: [image] });
    pipeline.addEnvironment('West', { env: { region: 'eu-west-1' }, deploy: [web.deployStep({ image: image.output! })] });
    const deploy = stageOf(Template.fromStack(stack), 'West').Actions.find((a: { Name: string }) => a.Name === 'Deploy');
    expect(deploy.Region).toBe('eu-west-1');
    expect(deploy.RoleArn).toMatch(/^arn:aws:iam::111111111111:role\/westapp/);
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))).toContain('\\"awslogs-region\\": \\"eu-west-1\\"');
    // The region's store lets the role read the revision through its bucket and key policies.
    const store = Template.fromStack(app.node.findChild('Tools-artifacts-eu-west-1') as Stack);
    const importsRole = Match.objectLike({ AWS: { 'Fn::ImportValue': Match.stringLikeRegexp('^WestApp:.*ActionRole') } });
    store.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Principal: importsRole })]) } });
    store.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Principal: importsRole })]) } });
  });

  test('fails when the task definition uses an intrinsic its file cannot carry', () => {
    const app = newApp();
    const westStack = new Stack(app, 'WestApp', { env: { account: TOOLS.account, region: 'eu-west-1' } });
    const web = namedEcsService(westStack);
    (web.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).addPropertyOverride('Cpu', { 'Fn::If': ['Big', '512', '256'] });
    const { pipeline } = setup({ deployRegions: ['eu-west-1'] }, app);
    const image = new DockerImageStep('Image');
    pipeline.addStage('Images', { steps: [image] });
    expect(() => pipeline.addEnvironment('West', { env: { region: 'eu-west-1' }, deploy: [web.deployStep({ image: image.output! })] }))
      .toThrow(/taskDefinition: uses Fn::If, which the task definition file CodeDeploy registers cannot carry/);
  });
});

describe('ChangeSetDeployStep', () => {
  test('creates the change set, waits for the approval, executes it; outputs are variables of its namespace', () => {
    const { pipeline, stack, build } = setup();
    const deploy = new ChangeSetDeployStep('Deploy', {
      stackName: 'shop',
      template: build.output!.atPath('shop.json'),
      capabilities: [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND],
      parameters: [{ name: 'Version', value: '#{Source.CommitId}' }],
      approval: new ManualApprovalStep('ReviewChangeSet'),
      executionRole: iam.Role.fromRoleName(stack, 'Exec', 'shop-cfn'),
      changeSetName: 'release',
    });
    pipeline.addStage('Deploy', { steps: [deploy, new BuildStep('Smoke', { commands: ['curl "$URL"'], environmentVariables: [{ name: 'URL', value: deploy.stackOutput('Url') }], dependsOn: [deploy] })], parallel: true });
    const stage = stageOf(Template.fromStack(stack), 'Deploy');
    expect(stage.Actions.map((a: { Name: string; RunOrder: number }) => [a.Name, a.RunOrder])).toEqual([['Deploy.ChangeSet', 1], ['ReviewChangeSet', 2], ['Deploy', 3], ['Smoke', 4]]);
    expect(stage.Actions[0].Configuration).toMatchObject({
      Capabilities: 'CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND', ChangeSetName: 'release', ParameterOverrides: '{"Version":"#{Source.CommitId}"}', RoleArn: 'arn:aws:iam::111111111111:role/shop-cfn',
    });
    expect(stage.Actions[2].Namespace).toBe('Deploy');
    expect(deploy.stackOutput('Url')).toBe('#{Deploy.Url}');
    expect(deploy.label).toBe('CloudFormation change set of shop: create, approve, execute');
  });

  test('fails when its props break CloudFormation or CodePipeline rules', () => {
    const { build } = setup();
    const template = build.output!.atPath('t.json');
    expect(() => new ChangeSetDeployStep('D', { stackName: '1shop', template, capabilities: [], changeSetName: 'a_b' }))
      .toThrow(/stackName: is not a valid CloudFormation stack name \(got "1shop"\)[\s\S]*changeSetName: is not a valid change set name/);
    expect(() => new ChangeSetDeployStep('D', { stackName: 'shop', template, capabilities: [], parameters: [{ name: 'A', value: 'x' }, { name: 'A', value: 'y' }, { name: 'b-c', value: 'z' }] }))
      .toThrow(/parameters\[1\]\.name: is given twice[\s\S]*parameters\[2\]\.name: is not a valid template parameter name/);
    expect(() => new ChangeSetDeployStep('D', { stackName: 'shop', template, capabilities: [], parameters: [{ name: 'Big', value: 'x'.repeat(1000) }] }))
      .toThrow(/parameters: CodePipeline holds at most 1000 bytes of parameter overrides \(got "1010 bytes"\)/);
    expect(() => new ChangeSetDeployStep('D'.repeat(91), { stackName: 'shop', template, capabilities: [] })).toThrow(/name: is longer than 90 characters/);
    expect(() => new ChangeSetDeployStep('D', { stackName: 'shop', template, capabilities: [], approval: new ManualApprovalStep('D') })).toThrow(/approval: has the same name as the step/);
  });

  test('fails when no execution role is known', () => {
    const { pipeline, changeSet } = setup();
    expect(() => pipeline.addStage('Deploy', { steps: [changeSet()] }))
      .toThrow(/ChangeSetDeployStep 'Deploy' has 1 problem:\n {2}- executionRole: no role for CloudFormation to deploy stack 'shop' with \(got undefined\)\. Fix: pass executionRole/);
    const app = newApp();
    const bare = new Stack(app, 'DevBare', { env: DEV });
    const target = new DeliveryTarget(bare, 'T', { pipelineAccount: TOOLS.account });
    const other = setup({}, app);
    expect(() => other.pipeline.addEnvironment('Dev', { target, deploy: [other.changeSet()] }))
      .toThrow(/Fix: give the DeliveryTarget of environment 'Dev' cloudFormationExecutionStatements \(or cloudFormationExecutionPolicies\), or pass executionRole/);
  });
});

class CustomStep implements IStep {
  constructor(public readonly stepName: string, private readonly make: (context: StepContext) => codepipeline.IAction) {}
  public bind(_scope: Construct, context: StepContext): StepActions {
    return { actions: [this.make(context)] };
  }
}

describe('cross-account and cross-region errors', () => {
  test('fails when the target does not match the environment or trusts another account', () => {
    const { app, pipeline, dev, changeSet } = setup();
    expect(() => pipeline.addEnvironment('Dev', { env: { account: '444444444444', region: 'us-east-1' }, target: dev, deploy: [changeSet()] }))
      .toThrow(/target: is not in the environment's account and region \(444444444444\/us-east-1\) \(got "222222222222\/us-east-1"\)/);
    const foreign = new DeliveryTarget(new Stack(app, 'Foreign', { env: { account: '555555555555', region: 'us-east-1' } }), 'T', { pipelineAccount: '999999999999' });
    expect(() => pipeline.addEnvironment('Foreign', { target: foreign, deploy: [changeSet('D2')] }))
      .toThrow(/target: trusts pipelines of account 999999999999, not this pipeline's \(111111111111\).*Fix: create the target with pipelineAccount: '111111111111'/);
  });

  test('fails when the artifact bucket has no customer-managed key and an environment is in another account', () => {
    const app = newApp();
    const stack = new Stack(app, 'Bucketed', { env: TOOLS });
    const bucket = new s3.Bucket(stack, 'Artifacts', { encryption: s3.BucketEncryption.S3_MANAGED });
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'] });
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: build, artifactBucket: bucket });
    const target = new DeliveryTarget(new Stack(app, 'Dev', { env: DEV }), 'T', { pipelineAccount: TOOLS.account });
    expect(() => pipeline.addEnvironment('Dev', { target, deploy: [new BuildStep('Noop', { commands: ['true'] })] }))
      .toThrow(/env\.account: is another account, but the artifact bucket has no customer-managed KMS key, and the AWS-managed key cannot be shared across accounts/);
  });

  test('fails when the pipeline stack has no concrete environment but environments name one', () => {
    const app = newApp();
    const stack = new Stack(app, 'Agnostic');
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: new BuildStep('Build', { commands: ['make'] }) });
    expect(() => pipeline.addEnvironment('Dev', { env: DEV, deploy: [new BuildStep('Noop', { commands: ['true'] })] }))
      .toThrow(/env\.account: is given, but the pipeline stack's account is an unresolved token/);
    expect(() => new DeliveryPipeline(stack, 'P2', { source: githubSource(), deployRegions: ['eu-west-1'] }))
      .toThrow(/deployRegions: needs the pipeline stack's account and region, which are unresolved tokens/);
  });

  test('fails when regional stores are malformed', () => {
    const app = newApp();
    const stack = new Stack(app, 'Tools', { env: TOOLS });
    const plain = new s3.Bucket(new Stack(app, 'W', { env: { account: TOOLS.account, region: 'eu-west-1' } }), 'B');
    const keyed = new s3.Bucket(new Stack(app, 'X', { env: { account: TOOLS.account, region: 'eu-central-1' } }), 'B', { encryptionKey: new kms.Key(stack, 'K') });
    expect(() => new DeliveryPipeline(stack, 'Pipeline', {
      source: githubSource(),
      deployRegions: ['us-east-1', 'eu-west-1', 'eu-west-1'],
      crossRegionArtifactStores: [{ region: 'eu-west-1', bucket: plain }, { region: 'ap-south-1', bucket: keyed }],
    })).toThrow(/deployRegions\[0\]: is the pipeline's own region[\s\S]*deployRegions: the region 'eu-west-1' is used twice[\s\S]*crossRegionArtifactStores\[0\]\.bucket: has no customer-managed KMS key[\s\S]*crossRegionArtifactStores\[1\]\.bucket: is in region eu-central-1, not ap-south-1/);
  });

  test('fails when a deploy target lives elsewhere than its environment', () => {
    const { app, pipeline, build } = setup();
    const prodStack = new Stack(app, 'ProdApp', { env: PROD_WEST });
    const web = new ServerDeployment(prodStack, 'Web', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }) });
    expect(() => pipeline.addEnvironment('Staging', { deploy: [web.deployStep({ input: build.output! })] }))
      .toThrow(/ServerDeployment 'ProdApp\/Web' deployStep has 1 problem:\n {2}- deployment: the target's account and region are not those of environment 'Staging' \(111111111111\/us-east-1\), where the step is placed \(got 333333333333\/eu-west-1\)\. Fix: place the step in the environment of 333333333333\/eu-west-1/);
  });

  test('fails when an artifact would pass between two accounts that are both not the pipeline\'s', () => {
    const { app, pipeline, stack, build, dev } = setup();
    const prodStack = new Stack(app, 'Prod', { env: { account: '333333333333', region: 'us-east-1' } });
    const prod = new DeliveryTarget(prodStack, 'T', { pipelineAccount: TOOLS.account });
    const outputs = new codepipeline.Artifact('DevOutputs');
    pipeline.addEnvironment('Dev', {
      target: dev,
      deploy: [new CustomStep('Stack', (c) => new actions.CloudFormationCreateUpdateStackAction({
        actionName: 'Stack', stackName: 's', templatePath: build.output!.atPath('t.json'), adminPermissions: false, role: c.environment!.deployRole, account: DEV.account,
        deploymentRole: iam.Role.fromRoleArn(stack, 'DevExec', 'arn:aws:iam::222222222222:role/exec'), output: outputs, outputFileName: 'out.json', runOrder: c.runOrder,
      }))],
    });
    expect(() => pipeline.addEnvironment('Prod', {
      target: prod,
      deploy: [new CustomStep('Use', (c) => new actions.CloudFormationCreateUpdateStackAction({
        actionName: 'Use', stackName: 's', templatePath: outputs.atPath('out.json'), adminPermissions: false, role: c.environment!.deployRole, account: '333333333333',
        deploymentRole: iam.Role.fromRoleArn(stack, 'ProdExec', 'arn:aws:iam::333333333333:role/exec'), runOrder: c.runOrder,
      }))],
    })).toThrow(/action 'Use' input: is produced in account 222222222222 and read in account 333333333333; CodePipeline cannot pass an artifact between two accounts that are both not the pipeline's/);
  });

  test('fails when trustedRoleArns holds a wildcard (the deploy role would trust every matching role), and warns on a deploy-time value', () => {
    const app = newApp();
    const stack = new Stack(app, 'B', { env: DEV });
    expect(() => new DeliveryTarget(stack, 'T', { pipelineAccount: TOOLS.account, trustedRoleArns: ['arn:aws:iam::111111111111:role/*', 'arn:aws:iam::111111111111:role/release-?'] }))
      .toThrow(/trustedRoleArns\[0\]: holds a wildcard: the production deploy role would trust every role it matches \(got "arn:aws:iam::111111111111:role\/\*"\)\. Fix: name each pipeline role exactly[\s\S]*trustedRoleArns\[1\]: holds a wildcard/);
    const fromParameter = new CfnParameter(stack, 'PipelineRoleArn').valueAsString;
    new DeliveryTarget(stack, 'Token', { pipelineAccount: TOOLS.account, trustedRoleArns: [fromParameter] });
    Annotations.fromStack(stack).hasWarning('/B/Token', Match.stringLikeRegexp('trustedRoleArns\\[0\\] is a value known only at deploy time: make sure each is the exact ARN of one role of account 111111111111 \\(no wildcard\\)'));
  });

  test('fails when a DeliveryTarget is malformed or trusts no pipeline', () => {
    const app = newApp();
    expect(() => new DeliveryTarget(new Stack(app, 'A'), 'T', { pipelineAccount: '12' }))
      .toThrow(/env: the stack's account and region are unresolved tokens[\s\S]*pipelineAccount: is not a 12-digit AWS account id \(got "12"\)/);
    const stack = new Stack(app, 'B', { env: DEV });
    expect(() => new DeliveryTarget(stack, 'T', { pipelineAccount: TOOLS.account, deployRoleName: 'bad name', cloudFormationExecutionPolicies: [], trustedRoleArns: ['arn:aws:iam::999999999999:role/x'] }))
      .toThrow(/deployRoleName: is not a valid IAM role name[\s\S]*cloudFormationExecutionPolicies: is an empty list[\s\S]*trustedRoleArns\[0\]: is not the ARN of a role in the pipeline account 111111111111/);
    new DeliveryTarget(stack, 'Lonely', { pipelineAccount: TOOLS.account });
    expect(() => app.synth()).toThrow(/DeliveryTarget 'B\/Lonely': trustedRoleArns: no environment of a pipeline in this app deploys to the target and none are given, so it trusts no pipeline \(got \[\]\)\. Fix: add an environment with target: this target/);
  });

  test('fails when a deploy step for another account is placed outside an environment', () => {
    const { app, pipeline, build } = setup();
    const web = new ServerDeployment(new Stack(app, 'Elsewhere', { env: DEV }), 'Web', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }) });
    expect(() => pipeline.addStage('Deploy', { steps: [web.deployStep({ input: build.output! })] }))
      .toThrow(/the pipeline \(111111111111\/us-east-1\), where a step outside an environment runs \(got 222222222222\/us-east-1\)\. Fix: place the step with addEnvironment\(name, \{ env: \{ account: '222222222222', region: 'us-east-1' \}, deploy: \[step\] \}\)/);
  });

  test('fails when tag-targeted instances in another account have no instance roles', () => {
    const { pipeline, devStack, dev, build } = setup();
    const web = new ServerDeployment(devStack, 'Web', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }) });
    expect(() => pipeline.addEnvironment('Dev', { target: dev, deploy: [web.deployStep({ input: build.output! })] }))
      .toThrow(/instanceRoles: instances targeted by tags in 222222222222\/us-east-1 download the revision .* Fix: pass the instances' roles/);
  });

  test('fails when another account must name a pipeline role or artifact bucket that has no physical name', () => {
    const app = newApp();
    const tools = new Stack(app, 'Tools', { env: TOOLS });
    const role = new iam.Role(tools, 'MyRole', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
    const bucket = new s3.Bucket(tools, 'MyBucket', { encryptionKey: new kms.Key(tools, 'MyKey') });
    const pipeline = new DeliveryPipeline(tools, 'Pipeline', { source: githubSource(), buildStep: new BuildStep('Build', { commands: ['make'] }), role, artifactBucket: bucket });
    const target = new DeliveryTarget(new Stack(app, 'Dev', { env: DEV }), 'T', { pipelineAccount: TOOLS.account });
    expect(() => pipeline.addEnvironment('Dev', { target, deploy: [new BuildStep('Noop', { commands: ['true'] })] }))
      .toThrow(/role: has no physical name, and the deploy role of account 222222222222 must name it[\s\S]*artifactBucket: has no physical name/);
  });

  test('fails when two steps of the pipeline have the same variables namespace', () => {
    const { pipeline, stack, changeSet } = setup();
    const exec = iam.Role.fromRoleName(stack, 'Exec', 'exec');
    pipeline.addStage('One', { steps: [changeSet('Deploy', { executionRole: exec })] });
    expect(() => pipeline.addStage('Two', { steps: [changeSet('Deploy', { executionRole: exec, stackName: 'other' })] }))
      .toThrow(/action 'Deploy' variablesNamespace: another action of the pipeline already has this variables namespace/);
  });

  test('fails when an execution role is in another account than the stack it deploys', () => {
    const { pipeline, stack, changeSet } = setup();
    const foreign = iam.Role.fromRoleArn(stack, 'Foreign', 'arn:aws:iam::999999999999:role/exec');
    expect(() => pipeline.addStage('Deploy', { steps: [changeSet('Deploy', { executionRole: foreign })] }))
      .toThrow(/executionRole: is in account 999999999999, but the stack is deployed to 111111111111/);
  });

  test('fails when a deploy target for another environment lives in a stack without a literal environment', () => {
    const { app, pipeline, dev, build } = setup();
    const agnostic = new Stack(app, 'Agnostic');
    const web = new ServerDeployment(agnostic, 'Web', { autoScalingGroups: [] as never, ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), instanceRoles: [iam.Role.fromRoleName(agnostic, 'R', 'web')] });
    expect(() => pipeline.addEnvironment('Dev', { target: dev, deploy: [web.deployStep({ input: build.output! })] }))
      .toThrow(/the target's stack has no literal account and region, but environment 'Dev' deploys to 222222222222\/us-east-1/);
  });

  test('fails when two targets of an account create the same roles', () => {
    const app = newApp();
    new DeliveryTarget(new Stack(app, 'A', { env: DEV }), 'T', { pipelineAccount: TOOLS.account, trustedRoleArns: ['arn:aws:iam::111111111111:role/p'] });
    new DeliveryTarget(new Stack(app, 'B', { env: DEV }), 'T', { pipelineAccount: TOOLS.account, trustedRoleArns: ['arn:aws:iam::111111111111:role/p'] });
    expect(() => app.synth()).toThrow(/DeliveryTarget 'A\/T': deployRoleName: target 'B\/T' creates an IAM role of this name in account 222222222222 too \(got "cdk-delivery-deploy-us-east-1"\)/);
  });

  test('a regional store waits for the target whose role its policies name; an imported store bucket is accepted', () => {
    const app = newApp();
    const westStack = new Stack(app, 'West', { env: PROD_WEST });
    const west = new DeliveryTarget(westStack, 'Target', { pipelineAccount: TOOLS.account, cloudFormationExecutionPolicies: [execPolicy(westStack)] });
    const { pipeline, changeSet } = setup({ deployRegions: ['eu-west-1'] }, app);
    pipeline.addEnvironment('Prod', { target: west, deploy: [changeSet()] });
    const store = app.node.findChild('Tools-artifacts-eu-west-1') as ArtifactStoreStack;
    expect(store.dependencies.map((d) => d.stackName)).toContain('West');
    const other = new Stack(newApp(), 'Other', { env: TOOLS });
    const imported = s3.Bucket.fromBucketAttributes(other, 'Store', { bucketName: 'stores-eu', region: 'eu-west-1', encryptionKey: kms.Key.fromKeyArn(other, 'K', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab') });
    expect(() => new DeliveryPipeline(other, 'Pipeline', { source: githubSource(), buildStep: new BuildStep('Build', { commands: ['make'] }), crossRegionArtifactStores: [{ region: 'eu-west-1', bucket: imported }] })).not.toThrow();
  });

  test('fails when two pipelines of a stack disagree on the retention of their shared regional store', () => {
    const { stack } = setup({ deployRegions: ['eu-west-1'], artifactRetentionDays: 30 });
    expect(() => new DeliveryPipeline(stack, 'Second', { source: githubSource(), buildStep: new BuildStep('Build', { commands: ['make'] }), deployRegions: ['eu-west-1'], artifactRetentionDays: 7 }))
      .toThrow(/artifactRetentionDays: the eu-west-1 store 'Tools-artifacts-eu-west-1', shared by the pipelines of this stack, keeps artifacts 30 days \(got 7\)/);
  });

  test('a pipeline variable added on the L2 pipeline is a declared variable', () => {
    const { pipeline, stack } = setup();
    pipeline.pipeline.addVariable(new codepipeline.Variable({ variableName: 'extra', defaultValue: 'x' }));
    pipeline.addStage('Use', { steps: [new BuildStep('Use', { commands: ['echo $X'], environmentVariables: [{ name: 'X', value: '#{variables.extra}' }] })] });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

});

describe('targets deployed by another app', () => {
  test('a pipeline names the imported target\'s roles; its bucket and key policies grant the deploy role', () => {
    const app = newApp();
    const { pipeline, stack, changeSet } = setup({}, app);
    const target = DeliveryTarget.fromTargetAttributes(stack, 'Dev', { account: DEV.account, region: DEV.region, pipelineAccount: TOOLS.account, hasCloudFormationExecutionRole: true });
    pipeline.addEnvironment('Dev', { target, deploy: [changeSet()] });
    const t = Template.fromStack(stack);
    const actions = stageOf(t, 'Dev').Actions;
    expect(actions.map((a: { RoleArn: string }) => a.RoleArn)).toEqual([DEV_DEPLOY_ROLE, DEV_DEPLOY_ROLE]);
    expect(actions[0].Configuration.RoleArn).toBe('arn:aws:iam::222222222222:role/cdk-delivery-cfn-exec-us-east-1');
    t.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { AWS: DEV_DEPLOY_ROLE } })]) } });
    t.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { AWS: DEV_DEPLOY_ROLE } })]) } });
    const info = Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp("uses a target of another app: its deploy role must trust arn:aws:iam::111111111111:role/Tools-Pipeline-Role-"));
    expect(info).toHaveLength(1);
  });

  test('the target\'s own app gives its deploy role the permissions such pipelines need', () => {
    const app = newApp();
    const targetStack = new DeliveryTargetStack(app, 'Target', {
      env: DEV, pipelineAccount: TOOLS.account, trustedRoleArns: ['arn:aws:iam::111111111111:role/shop-pipeline'],
      deployPermissions: [new iam.PolicyStatement({ actions: ['cloudformation:CreateChangeSet'], resources: ['arn:aws:cloudformation:us-east-1:222222222222:stack/shop/*'] })],
    });
    Template.fromStack(targetStack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'cloudformation:CreateChangeSet', Effect: 'Allow', Resource: 'arn:aws:cloudformation:us-east-1:222222222222:stack/shop/*' }] },
    });
  });

  test('fails when the imported target\'s attributes are malformed', () => {
    const stack = new Stack(newApp(), 'S', { env: TOOLS });
    expect(() => DeliveryTarget.fromTargetAttributes(stack, 'T', { account: '2', region: Aws.REGION, pipelineAccount: TOOLS.account, deployRoleName: 'bad name' }))
      .toThrow(/account: is not a 12-digit AWS account id[\s\S]*region: must be a literal region[\s\S]*deployRoleName: is not a valid IAM role name/);
  });
});
