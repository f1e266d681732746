import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Ec2BlueGreenStack } from '../examples/ec2-blue-green/stack';
import { EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The EC2 blue/green example (deployment group created through the CodeDeploy API) as an integration
// test: deploying it proves the custom resource's create and delete calls.
const app = new App();
const stack = new Ec2BlueGreenStack(app, 'IntegEc2BlueGreen', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop-web',
});
new IntegTest(app, 'Ec2BlueGreen', { testCases: [stack], diffAssets: false });
