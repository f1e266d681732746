import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { EcsNativeCanaryImagesStack, EcsNativeCanaryStack } from '../examples/ecs-native-canary/stack';
import { EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The ECS native canary example as an integration test (snapshot-verified offline; deployable with credentials).
const app = new App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };
// Deployed first; the service's first image (tag bootstrap) is pushed to it before the service stack.
const images = new EcsNativeCanaryImagesStack(app, 'IntegEcsNativeCanaryImages', { env });
const stack = new EcsNativeCanaryStack(app, 'IntegEcsNativeCanary', {
  env,
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop-web',
  images: images.repository,
});
new IntegTest(app, 'EcsNativeCanary', { testCases: [images, stack], diffAssets: false });
