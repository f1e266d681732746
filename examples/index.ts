import { App } from 'aws-cdk-lib';
import { ContainerBuildStack } from './container-build/stack';
import { Ec2BlueGreenStack } from './ec2-blue-green/stack';
import { Ec2DeployActionStack } from './ec2-deploy-action/stack';
import { Ec2InPlaceStack } from './ec2-in-place/stack';
import { EcsCanaryImagesStack, EcsCanaryStack } from './ecs-canary/stack';
import { EcsNativeCanaryImagesStack, EcsNativeCanaryStack } from './ecs-native-canary/stack';
import { GithubBuildApproveStack } from './github-build-approve/stack';
import { LambdaCanaryActionStack } from './lambda-canary-action/stack';
import { LambdaLinearAppStack, LambdaLinearPipelineStack } from './lambda-linear/stack';
import { DeliveryTargetStack, NagAcknowledgements } from 'cdk-delivery';
import { MultiAccountReleaseStack, shopApiDeployment } from './multi-account-release/stack';
import { CdkAppReleaseStack } from './cdk-app-release/stack';
import { SHOP_APP_DEPLOYMENT_FINDINGS, ShopAppStage, shopAppDeployment } from './cdk-app-release/shop-app';

import { APPROVER_EMAIL, EXAMPLE_CONNECTION_ARN, EXAMPLE_ENV, MULTI_ACCOUNT, SHOP_NETWORKS } from './settings';

export { APPROVER_EMAIL, EXAMPLE_CONNECTION_ARN, EXAMPLE_ENV, MULTI_ACCOUNT, SHOP_NETWORKS };

/** Every example stack, each as a team would instantiate it. */
export function addExamples(app: App): void {
  new GithubBuildApproveStack(app, 'GithubBuildApprove', {
    env: EXAMPLE_ENV,
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop',
    approverEmail: APPROVER_EMAIL,
  });
  new ContainerBuildStack(app, 'ContainerBuild', {
    env: EXAMPLE_ENV,
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop-api',
    npmTokenParameter: '/shop/npm-token',
    approverEmail: APPROVER_EMAIL,
  });
  new Ec2InPlaceStack(app, 'Ec2InPlace', {
    env: EXAMPLE_ENV,
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop-web',
    productionTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/shop-web/0123456789abcdef',
    productionLoadBalancerName: 'app/shop-web/0123456789abcdef',
    approverEmail: APPROVER_EMAIL,
  });
  const ecsImages = new EcsCanaryImagesStack(app, 'EcsCanaryImages', { env: EXAMPLE_ENV });
  new EcsCanaryStack(app, 'EcsCanary', {
    env: EXAMPLE_ENV,
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop-web',
    images: ecsImages.repository,
  });
  const nativeImages = new EcsNativeCanaryImagesStack(app, 'EcsNativeCanaryImages', { env: EXAMPLE_ENV });
  new EcsNativeCanaryStack(app, 'EcsNativeCanary', {
    env: EXAMPLE_ENV,
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop-web',
    images: nativeImages.repository,
  });
  const lambdaApp = new LambdaLinearAppStack(app, 'LambdaLinearApp', { env: EXAMPLE_ENV });
  new LambdaLinearPipelineStack(app, 'LambdaLinearPipeline', {
    env: EXAMPLE_ENV,
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop-api',
    app: lambdaApp,
  });
  new LambdaCanaryActionStack(app, 'LambdaCanaryAction', {
    env: EXAMPLE_ENV,
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop-api',
  });
  new Ec2BlueGreenStack(app, 'Ec2BlueGreen', {
    env: EXAMPLE_ENV,
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop-web',
  });
  new Ec2DeployActionStack(app, 'Ec2DeployAction', {
    env: EXAMPLE_ENV,
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop-web',
    instanceRoleName: 'shop-web-instances',
    approverEmail: APPROVER_EMAIL,
  });
  // Deployed once in each account and region the service runs in, before the pipeline.
  const devTarget = new DeliveryTargetStack(app, 'ShopApiDevTarget', {
    env: { account: MULTI_ACCOUNT.dev, region: 'us-east-1' },
    pipelineAccount: MULTI_ACCOUNT.tools,
    cloudFormationExecutionStatements: shopApiDeployment(),
  });
  const productionTargets = ['us-east-1', 'eu-west-1'].map((region) => new DeliveryTargetStack(app, `ShopApiProductionTarget-${region}`, {
    env: { account: MULTI_ACCOUNT.production, region },
    pipelineAccount: MULTI_ACCOUNT.tools,
    cloudFormationExecutionStatements: shopApiDeployment(),
  }));
  new MultiAccountReleaseStack(app, 'MultiAccountRelease', {
    env: { account: MULTI_ACCOUNT.tools, region: 'us-east-1' },
    dev: devTarget.target,
    production: productionTargets.map((s) => s.target),
    approverEmail: APPROVER_EMAIL,
  });
  // A CDK application released as a whole: one target per account (bootstrapped without --trust),
  // and the application's Stage once per account.
  const shop = (name: string, account: string, network: typeof SHOP_NETWORKS.dev) => {
    const target = new DeliveryTargetStack(app, `Shop${name}Target`, {
      env: { account, region: 'us-east-1' },
      pipelineAccount: MULTI_ACCOUNT.tools,
      cloudFormationExecutionStatements: shopAppDeployment(network),
      deployRoleName: 'shop-app-deploy',
      cloudFormationExecutionRoleName: 'shop-app-cfn-exec',
      assetPublishingRoleName: 'shop-app-publish',
    }).target;
    NagAcknowledgements.add(target.cloudFormationExecutionPolicy!, SHOP_APP_DEPLOYMENT_FINDINGS);
    return { stage: new ShopAppStage(app, `Shop${name}`, { env: { account, region: 'us-east-1' }, network }), target };
  };
  new CdkAppReleaseStack(app, 'CdkAppRelease', {
    env: { account: MULTI_ACCOUNT.tools, region: 'us-east-1' },
    connectionArn: EXAMPLE_CONNECTION_ARN,
    repository: 'my-org/shop-app',
    dev: shop('Dev', MULTI_ACCOUNT.dev, SHOP_NETWORKS.dev),
    production: shop('Production', MULTI_ACCOUNT.production, SHOP_NETWORKS.production),
    approverEmail: APPROVER_EMAIL,
  });
}
