import { App } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { GithubBuildApproveStack } from '../examples/github-build-approve/stack';
import { APPROVER_EMAIL, EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The example as an integration test. Offline, integ-runner checks the committed snapshot; against
// an account (`integ-runner --update-on-failed` with credentials) it deploys the stack and destroys it.
const app = new App();
const stack = new GithubBuildApproveStack(app, 'IntegGithubBuildApprove', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop',
  approverEmail: APPROVER_EMAIL,
});
const integ = new IntegTest(app, 'GithubBuildApprove', { testCases: [stack], diffAssets: false });
// After deployment the pipeline exists and is a V2 pipeline that queues executions.
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: 'shop-release' })
  .expect(ExpectedResult.objectLike({ pipeline: { pipelineType: 'V2', executionMode: 'QUEUED' } }));
