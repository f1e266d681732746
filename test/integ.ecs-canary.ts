import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { EcsCanaryStack } from '../examples/ecs-canary/stack';
import { EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The ECS blue/green example as an integration test (snapshot-verified offline; deployable with credentials).
const app = new App();
const stack = new EcsCanaryStack(app, 'IntegEcsCanary', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop-web',
});
new IntegTest(app, 'EcsCanary', { testCases: [stack], diffAssets: false });
