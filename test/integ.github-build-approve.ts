import { App } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { GithubBuildApproveStack } from '../examples/github-build-approve/stack';

// The example as an integration test. Offline, integ-runner checks the committed snapshot; against
// an account (`integ-runner --update-on-failed` with credentials) it deploys the stack and destroys it.
const app = new App();
const stack = new GithubBuildApproveStack(app, 'IntegGithubBuildApprove', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  repository: 'my-org/shop',
  approverEmail: 'release-managers@example.com',
});
const integ = new IntegTest(app, 'GithubBuildApprove', { testCases: [stack], diffAssets: false });
// After deployment the pipeline exists and is a V2 pipeline that queues executions.
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: 'shop-release' })
  .expect(ExpectedResult.objectLike({ pipeline: { pipelineType: 'V2', executionMode: 'QUEUED' } }));
