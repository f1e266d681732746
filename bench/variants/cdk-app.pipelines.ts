import { Stack, StackProps } from 'aws-cdk-lib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ShopAppStage, ShopNetwork } from '../../examples/cdk-app-release/shop-app';

export interface Props extends StackProps {
  readonly connectionArn: string;
  readonly devAccount: string;
  readonly productionAccount: string;
  readonly networks: { readonly dev: ShopNetwork; readonly production: ShopNetwork };
}

// The shop's Stage (examples/cdk-app-release/shop-app.ts) released by CDK Pipelines: GitHub ->
// synth -> self-mutation -> assets -> dev with a smoke test -> approval -> production. The target
// accounts must be bootstrapped with --trust for the tools account; the bootstrap's CloudFormation
// execution role has AdministratorAccess unless the bootstrap is customised.
export class CdkAppPipelinesStack extends Stack {
  constructor(scope: Construct, id: string, props: Props) {
    super(scope, id, props);
    const pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: 'shop-app-pipelines', crossAccountKeys: true, enableKeyRotation: true,
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.connection('my-org/shop-app', 'main', { connectionArn: props.connectionArn }),
        installCommands: ['npm ci'],
        commands: ['npm test', 'npx cdk synth --quiet'],
      }),
    });
    const dev = new ShopAppStage(this, 'Dev', { env: { account: props.devAccount, region: 'us-east-1' }, network: props.networks.dev });
    pipeline.addStage(dev, {
      post: [new pipelines.ShellStep('SmokeTest', { envFromCfnOutputs: { API_URL: dev.apiUrl }, commands: ['curl --fail --silent --show-error --max-time 10 "${API_URL}health" | grep --quiet \'"status":"ok"\''] })],
    });
    pipeline.addStage(new ShopAppStage(this, 'Production', { env: { account: props.productionAccount, region: 'us-east-1' }, network: props.networks.production }), {
      pre: [new pipelines.ManualApprovalStep('Approve')],
    });
  }
}
