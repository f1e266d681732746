import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BuildStep, DeliveryPipeline, DeliveryTarget, DeploymentStrategy, LambdaAliasDeployStep } from '../../lib';
import { ENV, githubSource, newApp, pipelineWith } from '../util';
import { addAwsSolutions, awsSolutionsErrors } from '../util/nag';

const stageOf = (t: Template, name: string) => Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages.find((s: { Name: string }) => s.Name === name);
const statementsOf = (t: Template, roleRef: string) => Object.values(t.findResources('AWS::IAM::Policy'))
  .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleRef }]))
  .flatMap((r) => r.Properties.PolicyDocument.Statement);

function api(stack: Stack) {
  const fn = new lambda.Function(stack, 'Api', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  const alias = fn.addAlias('live');
  const errors = new cloudwatch.Alarm(stack, 'Errors', { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 });
  return { fn, alias, errors };
}

describe('LambdaAliasDeployStep', () => {
  test('updates the code, publishes a version and shifts the alias as a canary, watching alarms, with exact grants', () => {
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'] });
    const { stack, pipeline, template } = pipelineWith({ pipelineName: 'shop', buildStep: build });
    addAwsSolutions(stack.node.root as never);
    const { alias, errors } = api(stack);
    const step = new LambdaAliasDeployStep('Release', { alias, code: build.output!, alarms: [errors] });
    pipeline.addStage('Production', { steps: [step] });
    expect(step.functionVersion).toBe('#{Release.FunctionVersion}');
    expect(step.estimate).toEqual({ minutes: 6 });
    const t = template();
    const [action] = stageOf(t, 'Production').Actions;
    expect(action).toMatchObject({
      ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'Lambda', Version: '1' },
      Configuration: { FunctionName: { Ref: expect.stringMatching(/^Api/) }, FunctionAlias: 'live', DeployStrategy: 'Canary10Percent5Minutes', Alarms: { Ref: expect.stringMatching(/^Errors/) } },
      InputArtifacts: [{ Name: 'Build_Output' }],
      Namespace: 'Release',
    });
    const statements = statementsOf(t, action.RoleArn['Fn::GetAtt'][0]);
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: ['lambda:GetAlias', 'lambda:GetFunctionConfiguration', 'lambda:GetProvisionedConcurrencyConfig', 'lambda:PublishVersion', 'lambda:UpdateAlias', 'lambda:UpdateFunctionCode'], Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^Api/), 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Api/), 'Arn'] }, ':*']] }] },
      { Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Errors/), 'Arn'] } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/ArtifactBucket/), 'Arn'] }, '/shop/Build_Outp*/*']] } },
      expect.objectContaining({ Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [
        'arn:aws:logs:us-east-1:111111111111:log-group:/aws/codepipeline/shop', 'arn:aws:logs:us-east-1:111111111111:log-group:/aws/codepipeline/shop:log-stream:*',
        'arn:aws:logs:us-east-1:111111111111:log-group:/us-east-1/codepipeline/shop', 'arn:aws:logs:us-east-1:111111111111:log-group:/us-east-1/codepipeline/shop:log-stream:*',
      ] }),
    ]));
    expect(JSON.stringify(statements)).not.toMatch(/"lambda:\*"|s3:GetObject\*/);
    expect(awsSolutionsErrors(stack).filter((f) => f.id.includes('/Pipeline/')).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  });

  test('a published version (no input artifact), all at once or linear', () => {
    const { stack, pipeline, template } = pipelineWith({ pipelineName: 'shop' });
    const { alias } = api(stack);
    pipeline.addStage('A', { steps: [new LambdaAliasDeployStep('AllAtOnce', { alias, version: '7', strategy: DeploymentStrategy.allAtOnce() })] });
    pipeline.addStage('B', { steps: [new LambdaAliasDeployStep('Linear', { alias, version: '#{variables.version}', strategy: DeploymentStrategy.linear({ percent: 10, interval: Duration.minutes(1) }) })] });
    // A variable the pipeline declares.
    (pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride('Variables', [{ Name: 'version', DefaultValue: '1' }]);
    const t = template();
    expect(stageOf(t, 'A').Actions[0]).toMatchObject({ Configuration: { FunctionAlias: 'live', PublishedTargetVersion: '7', DeployStrategy: 'AllAtOnce' } });
    expect(stageOf(t, 'A').Actions[0].InputArtifacts).toBeUndefined();
    expect(stageOf(t, 'B').Actions[0]).toMatchObject({ Configuration: { PublishedTargetVersion: '#{variables.version}', DeployStrategy: 'Linear10PercentEvery1Minute' } });
    expect(JSON.stringify(statementsOf(t, stageOf(t, 'A').Actions[0].RoleArn['Fn::GetAtt'][0]))).not.toContain('s3:GetObject');
  });
});

describe('LambdaAliasDeployStep errors', () => {
  test('fails on a missing or doubled source of the version, and on too many alarms', () => {
    const stack = new Stack(newApp(), 'S', { env: ENV });
    const { alias, errors } = api(stack);
    const code = new codepipeline.Artifact('Code');
    expect(() => new LambdaAliasDeployStep('R', { alias })).toThrow(/code: is required without version.*Fix: give the artifact holding the function's code, or a published version/);
    expect(() => new LambdaAliasDeployStep('R', { alias, code, version: '3' })).toThrow(/version: is given together with code \(got "3"\)/);
    expect(() => new LambdaAliasDeployStep('R', { alias, code, alarms: Array.from({ length: 11 }, () => errors) })).toThrow(/alarms: the Lambda deploy action watches at most 10 \(got "11 alarms"\)/);
  });

  test('fails on strategies the action has no name for, naming the nearest ones and LambdaDeployment', () => {
    const stack = new Stack(newApp(), 'S', { env: ENV });
    const { alias } = api(stack);
    const code = new codepipeline.Artifact('Code');
    expect(() => new LambdaAliasDeployStep('R', { alias, code, strategy: DeploymentStrategy.canary({ percent: 20, interval: Duration.minutes(5) }) }))
      .toThrow(/strategy: CodePipeline's Lambda deploy action documents only AllAtOnce, Canary10Percent5Minutes and Linear10PercentEvery1Minute \(got canary 20% then 100% after 5 minutes\). Fix: use DeploymentStrategy.allAtOnce\(\), .*for other shifts use a LambdaDeployment \(CodeDeploy\)/);
    expect(() => new LambdaAliasDeployStep('R', { alias, code, strategy: DeploymentStrategy.oneAtATime() })).toThrow(/strategy: CodePipeline Lambda deploy action deployments cannot run one at a time/);
  });

  test('fails in a V1 pipeline, without a pipeline name, and for a function of another account', () => {
    const v1 = pipelineWith({ pipelineName: 'shop', pipelineType: codepipeline.PipelineType.V1 });
    expect(() => v1.pipeline.addStage('P', { steps: [new LambdaAliasDeployStep('R', { alias: api(v1.stack).alias, version: '1' })] })).toThrow(/pipelineType: the Lambda deploy action runs only in V2 pipelines/);
    const unnamed = pipelineWith();
    expect(() => unnamed.pipeline.addStage('P', { steps: [new LambdaAliasDeployStep('R', { alias: api(unnamed.stack).alias, version: '1' })] })).toThrow(/pipelineName: is required: Lambda deployments log to the log group/);
    const app = newApp();
    const prod = new Stack(app, 'Prod', { env: { account: '222222222222', region: ENV.region } });
    const pipeline = new DeliveryPipeline(new Stack(app, 'Pipe', { env: ENV }), 'Pipeline', { pipelineName: 'shop', source: githubSource() });
    expect(() => pipeline.addEnvironment('Prod', { target: new DeliveryTarget(prod, 'Target', { pipelineAccount: ENV.account }), deploy: [new LambdaAliasDeployStep('R', { alias: api(prod).alias, version: '1' })] }))
      .toThrow(/environment: is in 222222222222\/us-east-1; this step deploys in the pipeline's account and region only/);
  });
});
