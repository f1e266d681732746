import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { ContainerBuildStack } from '../examples/container-build/stack';

// The Docker build example as an integration test (snapshot-verified offline; deployable with credentials).
const app = new App();
const stack = new ContainerBuildStack(app, 'IntegContainerBuild', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  repository: 'my-org/shop-api',
  npmTokenParameter: '/shop/npm-token',
  approverEmail: 'release-managers@example.com',
});
new IntegTest(app, 'ContainerBuild', { testCases: [stack], diffAssets: false });
