import { CfnOutput, Duration, Stack, Stage, StageProps, StackProps } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';

// The service as CDK Pipelines deploys it: a Stage of the same app (CDK Pipelines deploys CDK
// stacks it synthesizes itself, not a template from the build).
class ShopApiStage extends Stage {
  public readonly url: CfnOutput;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'ShopApi');
    const fn = new lambda.Function(stack, 'Api', { functionName: 'shop-api', runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'), timeout: Duration.seconds(10) });
    this.url = new CfnOutput(stack, 'ServiceUrl', { value: fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE }).url });
  }
}

export interface Props extends StackProps {
  readonly devAccount: string;
  readonly productionAccount: string;
}

// CodeCommit -> synth -> dev with a smoke test -> approval -> production in two regions as a wave.
// Accounts must be bootstrapped with trust to the tools account (cdk bootstrap --trust); the
// bootstrap roles deploy with AdministratorAccess unless the bootstrap is customised.
export class MultiAccountPipelinesStack extends Stack {
  constructor(scope: Construct, id: string, props: Props) {
    super(scope, id, props);
    const repository = new codecommit.Repository(this, 'Repository', { repositoryName: 'shop-api-pipelines' });
    const pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: 'shop-api-pipelines', crossAccountKeys: true, enableKeyRotation: true, useChangeSets: false,
      synth: new pipelines.ShellStep('Synth', { input: pipelines.CodePipelineSource.codeCommit(repository, 'main'), installCommands: ['npm ci'], commands: ['npm test', 'npx cdk synth'] }),
    });
    const dev = new ShopApiStage(this, 'Dev', { env: { account: props.devAccount, region: 'us-east-1' } });
    pipeline.addStage(dev, {
      post: [new pipelines.ShellStep('SmokeTest', { envFromCfnOutputs: { SERVICE_URL: dev.url }, commands: ['curl --fail --silent --show-error --max-time 10 "${SERVICE_URL}health"'] })],
    });
    const wave = pipeline.addWave('Production', { pre: [new pipelines.ManualApprovalStep('Approve')] });
    for (const region of ['us-east-1', 'eu-west-1']) wave.addStage(new ShopApiStage(this, `Production-${region}`, { env: { account: props.productionAccount, region } }));
  }
}
