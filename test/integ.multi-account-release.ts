import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { DeliveryTargetStack } from 'cdk-delivery';
import { MultiAccountReleaseStack, shopApiDeployment } from '../examples/multi-account-release/stack';
import { APPROVER_EMAIL } from '../examples/settings';

// The multi-account example as an integration test: the targets in the dev and production accounts
// and the pipeline in the tools account (snapshot-verified offline). Deploying it needs the three
// accounts bootstrapped (no --trust) and each target deployed with its account's credentials (docs/deploy.md).
const app = new App();
const tools = process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111';
const dev = new DeliveryTargetStack(app, 'IntegShopApiDevTarget', { env: { account: '222222222222', region: 'us-east-1' }, pipelineAccount: tools, cloudFormationExecutionStatements: shopApiDeployment() });
const production = ['us-east-1', 'eu-west-1'].map((region) => new DeliveryTargetStack(app, `IntegShopApiProductionTarget-${region}`, { env: { account: '333333333333', region }, pipelineAccount: tools, cloudFormationExecutionStatements: shopApiDeployment() }));
const pipeline = new MultiAccountReleaseStack(app, 'IntegMultiAccountRelease', {
  env: { account: tools, region: 'us-east-1' },
  dev: dev.target,
  production: production.map((s) => s.target),
  approverEmail: APPROVER_EMAIL,
});
new IntegTest(app, 'MultiAccountRelease', { testCases: [dev, ...production, pipeline], diffAssets: false });
