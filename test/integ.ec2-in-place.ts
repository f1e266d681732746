import { App } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Ec2InPlaceStack } from '../examples/ec2-in-place/stack';
import { APPROVER_EMAIL, EXAMPLE_CONNECTION_ARN } from '../examples/settings';

// The EC2 in-place example as an integration test (snapshot-verified offline; deployable with
// credentials, given the target group and load balancer it names).
const app = new App();
const stack = new Ec2InPlaceStack(app, 'IntegEc2InPlace', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '111111111111', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  connectionArn: EXAMPLE_CONNECTION_ARN,
  repository: 'my-org/shop-web',
  productionTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/shop-web/0123456789abcdef',
  productionLoadBalancerName: 'app/shop-web/0123456789abcdef',
  approverEmail: APPROVER_EMAIL,
});
const integ = new IntegTest(app, 'Ec2InPlace', { testCases: [stack], diffAssets: false });
// After deployment the production stage rolls back on failure and waits for its release window.
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: 'shop-web' })
  .expect(ExpectedResult.objectLike({ pipeline: { pipelineType: 'V2', stages: [{ name: 'Source' }, { name: 'Build' }, { name: 'Staging' }, { name: 'Production', onFailure: { result: 'ROLLBACK' } }] } }));
