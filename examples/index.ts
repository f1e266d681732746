import { App } from 'aws-cdk-lib';
import { ContainerBuildStack } from './container-build/stack';
import { Ec2BlueGreenStack } from './ec2-blue-green/stack';
import { Ec2InPlaceStack } from './ec2-in-place/stack';
import { EcsCanaryStack } from './ecs-canary/stack';
import { GithubBuildApproveStack } from './github-build-approve/stack';
import { LambdaLinearAppStack, LambdaLinearPipelineStack } from './lambda-linear/stack';
import { MultiAccountReleaseStack, ServiceTargetStack } from './multi-account-release/stack';

/** An account and region that synthesize offline; a team puts its own here. */
export const EXAMPLE_ENV = { account: '111111111111', region: 'us-east-1' };

/** The accounts of the multi-account example: tools (the pipeline), development and production. */
export const MULTI_ACCOUNT = { tools: '111111111111', dev: '222222222222', production: '333333333333' };

/** Every example stack, each as a team would instantiate it. */
export function addExamples(app: App): void {
  new GithubBuildApproveStack(app, 'GithubBuildApprove', {
    env: EXAMPLE_ENV,
    connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    repository: 'my-org/shop',
    approverEmail: 'release-managers@example.com',
  });
  new ContainerBuildStack(app, 'ContainerBuild', {
    env: EXAMPLE_ENV,
    connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    repository: 'my-org/shop-api',
    npmTokenParameter: '/shop/npm-token',
    approverEmail: 'release-managers@example.com',
  });
  new Ec2InPlaceStack(app, 'Ec2InPlace', {
    env: EXAMPLE_ENV,
    connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    repository: 'my-org/shop-web',
    productionTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/shop-web/0123456789abcdef',
    productionLoadBalancerName: 'app/shop-web/0123456789abcdef',
    approverEmail: 'release-managers@example.com',
  });
  new EcsCanaryStack(app, 'EcsCanary', {
    env: EXAMPLE_ENV,
    connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    repository: 'my-org/shop-web',
  });
  const lambdaApp = new LambdaLinearAppStack(app, 'LambdaLinearApp', { env: EXAMPLE_ENV });
  new LambdaLinearPipelineStack(app, 'LambdaLinearPipeline', {
    env: EXAMPLE_ENV,
    connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    repository: 'my-org/shop-api',
    app: lambdaApp,
  });
  new Ec2BlueGreenStack(app, 'Ec2BlueGreen', {
    env: EXAMPLE_ENV,
    connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    repository: 'my-org/shop-web',
  });
  const devTarget = new ServiceTargetStack(app, 'ShopApiDevTarget', {
    env: { account: MULTI_ACCOUNT.dev, region: 'us-east-1' },
    pipelineAccount: MULTI_ACCOUNT.tools,
  });
  const productionTargets = ['us-east-1', 'eu-west-1'].map((region) => new ServiceTargetStack(app, `ShopApiProductionTarget-${region}`, {
    env: { account: MULTI_ACCOUNT.production, region },
    pipelineAccount: MULTI_ACCOUNT.tools,
  }));
  new MultiAccountReleaseStack(app, 'MultiAccountRelease', {
    env: { account: MULTI_ACCOUNT.tools, region: 'us-east-1' },
    dev: devTarget.target,
    production: productionTargets.map((s) => s.target),
    approverEmail: 'release-managers@example.com',
  });
}
