import { App } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Ec2DeployActionStack } from '../examples/ec2-deploy-action/stack';
import { APPROVER_EMAIL, EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The EC2 deploy action example as an integration test (snapshot-verified offline; deployable with
// credentials, given web servers with the SSM agent, the tag app=shop-web and the named role).
const app = new App();
const stack = new Ec2DeployActionStack(app, 'IntegEc2DeployAction', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop-web',
  instanceRoleName: 'shop-web-instances',
  approverEmail: APPROVER_EMAIL,
});
const integ = new IntegTest(app, 'Ec2DeployAction', { testCases: [stack], diffAssets: false });
// After deployment the production stage deploys with the EC2 action and rolls back on failure.
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: 'shop-web-ec2' })
  .expect(ExpectedResult.objectLike({ pipeline: { pipelineType: 'V2', stages: [{ name: 'Source' }, { name: 'Build' }, { name: 'Production', onFailure: { result: 'ROLLBACK' } }] } }));
