import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { LambdaLinearAppStack, LambdaLinearPipelineStack } from '../examples/lambda-linear/stack';
import { EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The Lambda linear example as an integration test: the application stack and the pipeline that
// releases it (snapshot-verified offline; deployable with credentials).
const app = new App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };
const application = new LambdaLinearAppStack(app, 'IntegLambdaLinearApp', { env });
const pipeline = new LambdaLinearPipelineStack(app, 'IntegLambdaLinearPipeline', {
  env,
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop-api',
  app: application,
});
new IntegTest(app, 'LambdaLinear', { testCases: [application, pipeline], diffAssets: false });
