import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { ContainerBuildStack } from '../examples/container-build/stack';
import { APPROVER_EMAIL, EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The Docker build example as an integration test (snapshot-verified offline; deployable with credentials).
const app = new App();
const stack = new ContainerBuildStack(app, 'IntegContainerBuild', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop-api',
  npmTokenParameter: '/shop/npm-token',
  approverEmail: APPROVER_EMAIL,
});
new IntegTest(app, 'ContainerBuild', { testCases: [stack], diffAssets: false });
