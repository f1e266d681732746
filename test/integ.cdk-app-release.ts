import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { DeliveryTargetStack, NagAcknowledgements } from 'cdk-delivery';
import { CdkAppReleaseStack } from '../examples/cdk-app-release/stack';
import { SHOP_APP_DEPLOYMENT_FINDINGS, ShopAppStage, shopAppDeployment } from '../examples/cdk-app-release/shop-app';
import { APPROVER_EMAIL, EXAMPLE_CONNECTION_ARN, SHOP_NETWORKS } from '../examples/settings';

// The CDK application example as an integration test: a target in the dev and the production
// account, the shop's Stage for each, and the pipeline in the tools account (snapshot-verified
// offline). Deploying it needs the three accounts bootstrapped (no --trust), each target deployed
// with its account's credentials, and the networks of examples/settings.ts replaced by real ones.
const app = new App();
const tools = process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111';
const shop = (name: string, account: string, network: typeof SHOP_NETWORKS.dev) => {
  const target = new DeliveryTargetStack(app, `IntegShop${name}Target`, {
    env: { account, region: 'us-east-1' },
    pipelineAccount: tools,
    cloudFormationExecutionStatements: shopAppDeployment(network),
  });
  NagAcknowledgements.add(target.target.cloudFormationExecutionPolicy!, SHOP_APP_DEPLOYMENT_FINDINGS);
  return { target, stage: new ShopAppStage(app, `IntegShop${name}`, { env: { account, region: 'us-east-1' }, network }) };
};
const dev = shop('Dev', '222222222222', SHOP_NETWORKS.dev);
const production = shop('Production', '333333333333', SHOP_NETWORKS.production);
const pipeline = new CdkAppReleaseStack(app, 'IntegCdkAppRelease', {
  env: { account: tools, region: 'us-east-1' },
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop-app',
  dev: { stage: dev.stage, target: dev.target.target },
  production: { stage: production.stage, target: production.target.target },
  approverEmail: APPROVER_EMAIL,
});
new IntegTest(app, 'CdkAppRelease', { testCases: [dev.target, production.target, pipeline], diffAssets: false });
