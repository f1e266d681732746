import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { LambdaCanaryActionStack } from '../examples/lambda-canary-action/stack';
import { EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The Lambda deploy action example as an integration test (snapshot-verified offline; deployable with credentials).
const app = new App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };
const stack = new LambdaCanaryActionStack(app, 'IntegLambdaCanaryAction', { env, connectionArn: EXAMPLE_CONNECTION_ARN, repository: 'my-org/shop-api' });
new IntegTest(app, 'LambdaCanaryAction', { testCases: [stack], diffAssets: false });
