import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BuildStep, DeliveryPipeline, DeploymentStrategy, LambdaDeployment, LambdaDeploymentProps } from '../../lib';
import { ENV, githubSource, newApp } from '../util';

function appStack(app: App = newApp(), extra: Partial<LambdaDeploymentProps> = {}, useCode = true) {
  const stack = new Stack(app, 'App', { env: ENV });
  const code = lambda.Code.fromCfnParameters();
  const fn = new lambda.Function(stack, 'Api', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: useCode ? code : lambda.Code.fromInline('exports.handler = async () => 1') });
  const hook = new lambda.Function(stack, 'PreTraffic', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
  const deployment = new LambdaDeployment(stack, 'Release', { function: fn, code: useCode ? code : undefined, preTraffic: hook, ...extra });
  return { app, stack, fn, code, hook, deployment };
}

describe('LambdaDeployment', () => {
  test('defaults: a version per release, alias live, canary 10% for 5 minutes, rollback on failure', () => {
    const { stack, deployment } = appStack();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Version', { Description: { 'Fn::Join': ['', ['Release of ', { Ref: Match.stringLikeRegexp('ApiLambdaSourceObjectKey') }]] } });
    t.hasResource('AWS::Lambda::Alias', {
      Properties: { Name: 'live', FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReleaseVersion'), 'Version'] } },
      UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.anyValue() },
    });
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE'] },
    });
    expect(deployment.strategy.describe()).toBe('canary 10% then 100% after 5 minutes');
  });

  test('the pre-traffic hook may be invoked, report its status and read the deployment\'s targets (the version released)', () => {
    const { stack } = appStack();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['codedeploy:GetDeploymentTarget', 'codedeploy:ListDeploymentTargets', 'codedeploy:PutLifecycleEventHookExecutionStatus'] })]) },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ReleaseDeploymentGroupServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]) },
    });
  });

  test('asset code uses the function\'s current version', () => {
    const { stack } = appStack(newApp(), {}, false);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Version', 1);
  });

  test('a linear strategy with alarms', () => {
    const app = newApp();
    const stack = new Stack(app, 'Alarms', { env: ENV });
    const alarm = new cloudwatch.Alarm(stack, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    const { stack: s } = appStack(app, { strategy: DeploymentStrategy.linear({ percent: 10, interval: Duration.minutes(1) }), alarms: [alarm] });
    Template.fromStack(s).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
  });

  test('the pipeline deploys the application stack with the built code and a scoped CloudFormation role', () => {
    const { app, deployment } = appStack();
    const pipelineStack = new Stack(app, 'Delivery', { env: ENV });
    const build = new BuildStep('Build', { commands: ['npm ci', 'npm run build', 'npx cdk synth App'], outputs: ['**/*'], outputBaseDirectory: 'dist', secondaryOutputs: [{ name: 'Templates', files: ['*.template.json'], baseDirectory: 'cdk.out' }] });
    const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: build });
    pipeline.addStage('Production', { steps: [deployment.deployStep({ code: build.output!, templates: build.secondaryOutput('Templates') })] });
    const t = Template.fromStack(pipelineStack);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Production',
        Actions: [Match.objectLike({
          ActionTypeId: Match.objectLike({ Provider: 'CloudFormation' }),
          InputArtifacts: [{ Name: 'Build_Output' }, { Name: 'Templates' }],
          Configuration: Match.objectLike({
            ActionMode: 'CREATE_UPDATE', StackName: 'App', TemplatePath: 'Templates::App.template.json', Capabilities: 'CAPABILITY_IAM',
            ParameterOverrides: Match.stringLikeRegexp('Fn::GetArtifactAtt'),
          }),
        })],
      })]),
    });
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })] } });
  });
});

describe('LambdaDeployment errors', () => {
  test('fails when the strategy is not for Lambda', () => {
    expect(() => appStack(newApp(), { strategy: DeploymentStrategy.halfAtATime() })).toThrow(/strategy: Lambda deployments cannot run half at a time/);
  });

  test('fails when the alias name is invalid', () => {
    expect(() => appStack(newApp(), { aliasName: '123' })).toThrow(/aliasName: is not a valid Lambda alias name/);
    expect(() => appStack(newApp(), { aliasName: 'live now' })).toThrow(/aliasName: is not a valid Lambda alias name/);
  });

  test('fails when the code is not the code of a function', () => {
    const stack = new Stack(newApp(), 'App', { env: ENV });
    const fn = new lambda.Function(stack, 'Api', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    expect(() => new LambdaDeployment(stack, 'Release', { function: fn, code: lambda.Code.fromCfnParameters() })).toThrow(/code: is not the code of a function yet/);
  });

  test('fails when a function with parameter code is given without its code', () => {
    const stack = new Stack(newApp(), 'App', { env: ENV });
    const fn = new lambda.Function(stack, 'Api', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromCfnParameters() });
    expect(() => new LambdaDeployment(stack, 'Release', { function: fn })).toThrow(/code: the function's code comes from CloudFormation parameters, and its currentVersion would never change/);
  });

  test('versions are retained, and the deploy role may pass the function role and stop deployments', () => {
    const { app, stack, deployment } = appStack();
    const pipelineStack = new Stack(app, 'Delivery', { env: ENV });
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'], secondaryOutputs: [{ name: 'Templates', files: ['*.json'] }] });
    new DeliveryPipeline(pipelineStack, 'Pipeline', { source: githubSource(), buildStep: build })
      .addStage('Prod', { steps: [deployment.deployStep({ code: build.output!, templates: build.secondaryOutput('Templates') })] });
    const t = Template.fromStack(pipelineStack);
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } })]) } });
    // the CloudFormation deploy role passes the function role; the action role passes the deploy role
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['codedeploy:StopDeployment']) })]) } });
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: 'arn:aws:ssm:us-east-1:111111111111:parameter/cdk-bootstrap/*/version' }]) } });
    Template.fromStack(stack).hasResource('AWS::Lambda::Version', { DeletionPolicy: 'Retain' });
  });

  test('fails when the pipeline is in another account or region than the application', () => {
    const { app, deployment } = appStack();
    const other = new Stack(app, 'Elsewhere', { env: { account: '222222222222', region: 'us-east-1' } });
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'], secondaryOutputs: [{ name: 'Templates', files: ['*.json'] }] });
    const pipeline = new DeliveryPipeline(other, 'Pipeline', { source: githubSource(), buildStep: build });
    expect(() => pipeline.addStage('Prod', { steps: [deployment.deployStep({ code: build.output!, templates: build.secondaryOutput('Templates') })] }))
      .toThrow(/deployment: the target's account and region are not those of the pipeline \(222222222222\/us-east-1\), where a step outside an environment runs \(got 111111111111\/us-east-1\)/);
  });

  test('fails when the deploy step misses its artifacts', () => {
    const { deployment } = appStack();
    expect(() => deployment.deployStep({} as never)).toThrow(/code: is required[\s\S]*templates: is required/);
  });
});
