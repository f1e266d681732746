import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { EcsCanaryImagesStack, EcsCanaryStack } from '../examples/ecs-canary/stack';
import { EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The ECS blue/green example as an integration test (snapshot-verified offline; deployable with credentials).
const app = new App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };
// Deployed first; the service's first image (tag bootstrap) is pushed to it before the service stack.
const images = new EcsCanaryImagesStack(app, 'IntegEcsCanaryImages', { env });
const stack = new EcsCanaryStack(app, 'IntegEcsCanary', {
  env,
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop-web',
  images: images.repository,
});
new IntegTest(app, 'EcsCanary', { testCases: [images, stack], diffAssets: false });
