import { App } from 'aws-cdk-lib';
import { EXAMPLE_CONNECTION_ARN, SHOP_NETWORKS } from '../examples/settings';

/**
 * A way of writing a scenario: the files of user code, and how to load them (timed: the user's
 * modules and what they import) into a function that adds the scenario's stacks to an app (the
 * n-th copy). Each variant loads only its own modules, as an app of its own would.
 */
export interface Variant {
  readonly files: string[];
  readonly load: () => Promise<(app: App, n: number) => void>;
}

const env = { account: '111111111111', region: 'us-east-1' };
const connectionArn = EXAMPLE_CONNECTION_ARN;
const accounts = { dev: '222222222222', production: '333333333333' };
const approverEmail = 'release@example.com';
const ec2 = {
  productionTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/shop-web/0123456789abcdef',
  productionLoadBalancerName: 'app/shop-web/0123456789abcdef',
};

/** The scenarios, each written with cdk-delivery, hand-written aws-cdk-lib L2s and (where it can express it) CDK Pipelines. */
export const SCENARIOS: Record<string, Record<string, Variant>> = {
  'github-build-approve': {
    'cdk-delivery': {
      files: ['examples/github-build-approve/stack.ts'],
      load: async () => {
        const { GithubBuildApproveStack } = await import('../examples/github-build-approve/stack');
        return (app, n) => { new GithubBuildApproveStack(app, `Delivery${n}`, { env, connectionArn, repository: 'my-org/shop', approverEmail }); };
      },
    },
    'L2': {
      files: ['bench/variants/github-build-approve.l2.ts'],
      load: async () => {
        const { GithubBuildApproveL2Stack } = await import('./variants/github-build-approve.l2');
        return (app, n) => { new GithubBuildApproveL2Stack(app, `L2${n}`, { env, connectionArn, repository: 'my-org/shop', approverEmail }); };
      },
    },
    'CDK Pipelines': {
      files: ['bench/variants/github-build-approve.pipelines.ts'],
      load: async () => {
        const { GithubBuildApprovePipelinesStack } = await import('./variants/github-build-approve.pipelines');
        return (app, n) => { new GithubBuildApprovePipelinesStack(app, `Pipelines${n}`, { env, connectionArn, repository: 'my-org/shop', approverEmail }); };
      },
    },
  },
  'ecs-canary': {
    'cdk-delivery': {
      files: ['examples/ecs-canary/stack.ts'],
      load: async () => {
        const { EcsCanaryImagesStack, EcsCanaryStack } = await import('../examples/ecs-canary/stack');
        return (app, n) => {
          const images = new EcsCanaryImagesStack(app, `DeliveryImages${n}`, { env });
          new EcsCanaryStack(app, `Delivery${n}`, { env, connectionArn, repository: 'my-org/shop-web', images: images.repository });
        };
      },
    },
    'cdk-delivery (ECS native)': {
      files: ['examples/ecs-native-canary/stack.ts'],
      load: async () => {
        const { EcsNativeCanaryImagesStack, EcsNativeCanaryStack } = await import('../examples/ecs-native-canary/stack');
        return (app, n) => {
          const images = new EcsNativeCanaryImagesStack(app, `NativeImages${n}`, { env });
          new EcsNativeCanaryStack(app, `Native${n}`, { env, connectionArn, repository: 'my-org/shop-web', images: images.repository });
        };
      },
    },
    'L2': {
      files: ['bench/variants/ecs-canary.l2.ts'],
      load: async () => {
        const { EcsCanaryL2Stack } = await import('./variants/ecs-canary.l2');
        return (app, n) => { new EcsCanaryL2Stack(app, `L2${n}`, { env, connectionArn, repository: 'my-org/shop-web' }); };
      },
    },
  },
  'lambda-linear': {
    'cdk-delivery': {
      files: ['examples/lambda-linear/stack.ts'],
      load: async () => {
        const { LambdaLinearAppStack, LambdaLinearPipelineStack } = await import('../examples/lambda-linear/stack');
        return (app, n) => {
          const a = new LambdaLinearAppStack(app, `DeliveryApp${n}`, { env });
          new LambdaLinearPipelineStack(app, `Delivery${n}`, { env, connectionArn, repository: 'my-org/shop-api', app: a });
        };
      },
    },
    'L2': {
      files: ['bench/variants/lambda-linear.l2.ts'],
      load: async () => {
        const { LambdaLinearL2AppStack, LambdaLinearL2PipelineStack } = await import('./variants/lambda-linear.l2');
        return (app, n) => {
          const a = new LambdaLinearL2AppStack(app, `L2App${n}`, { env });
          new LambdaLinearL2PipelineStack(app, `L2${n}`, { env, connectionArn, repository: 'my-org/shop-api', app: a });
        };
      },
    },
  },
  'multi-account': {
    'cdk-delivery': {
      files: ['examples/multi-account-release/stack.ts'],
      load: async () => {
        const { DeliveryTargetStack } = await import('cdk-delivery');
        const { MultiAccountReleaseStack, shopApiDeployment } = await import('../examples/multi-account-release/stack');
        return (app, n) => {
          const target = (id: string, account: string, region: string) => new DeliveryTargetStack(app, id, {
            env: { account, region }, pipelineAccount: env.account, cloudFormationExecutionStatements: shopApiDeployment(),
          }).target;
          const dev = target(`DeliveryDev${n}`, accounts.dev, 'us-east-1');
          const production = ['us-east-1', 'eu-west-1'].map((region) => target(`DeliveryProd${n}-${region}`, accounts.production, region));
          new MultiAccountReleaseStack(app, `Delivery${n}`, { env, dev, production, approverEmail });
        };
      },
    },
    'L2': {
      files: ['bench/variants/multi-account.l2.ts'],
      load: async () => {
        const { MultiAccountL2Stack, ServiceTargetL2Stack } = await import('./variants/multi-account.l2');
        return (app, n) => {
          const dev = new ServiceTargetL2Stack(app, `L2Dev${n}`, { env: { account: accounts.dev, region: 'us-east-1' }, pipelineAccount: env.account });
          const production = ['us-east-1', 'eu-west-1'].map((region) => new ServiceTargetL2Stack(app, `L2Prod${n}-${region}`, { env: { account: accounts.production, region }, pipelineAccount: env.account }));
          new MultiAccountL2Stack(app, `L2${n}`, { env, dev, production, approverEmail });
        };
      },
    },
    'CDK Pipelines': {
      files: ['bench/variants/multi-account.pipelines.ts'],
      load: async () => {
        const { MultiAccountPipelinesStack } = await import('./variants/multi-account.pipelines');
        return (app, n) => { new MultiAccountPipelinesStack(app, `Pipelines${n}`, { env, devAccount: accounts.dev, productionAccount: accounts.production }); };
      },
    },
  },
  'cdk-app': {
    'cdk-delivery': {
      files: ['examples/cdk-app-release/stack.ts'],
      load: async () => {
        const { DeliveryTargetStack, NagAcknowledgements } = await import('cdk-delivery');
        const { CdkAppReleaseStack } = await import('../examples/cdk-app-release/stack');
        const { SHOP_APP_DEPLOYMENT_FINDINGS, ShopAppStage, shopAppDeployment } = await import('../examples/cdk-app-release/shop-app');
        return (app, n) => {
          const shop = (name: string, account: string, network: typeof SHOP_NETWORKS.dev) => {
            const target = new DeliveryTargetStack(app, `Delivery${name}Target${n}`, { env: { account, region: 'us-east-1' }, pipelineAccount: env.account, cloudFormationExecutionStatements: shopAppDeployment(network) }).target;
            NagAcknowledgements.add(target.cloudFormationExecutionPolicy!, SHOP_APP_DEPLOYMENT_FINDINGS);
            return { target, stage: new ShopAppStage(app, `Delivery${name}${n}`, { env: { account, region: 'us-east-1' }, network }) };
          };
          new CdkAppReleaseStack(app, `Delivery${n}`, { env, connectionArn, repository: 'my-org/shop-app', approverEmail, dev: shop('Dev', accounts.dev, SHOP_NETWORKS.dev), production: shop('Production', accounts.production, SHOP_NETWORKS.production) });
        };
      },
    },
    'CDK Pipelines': {
      files: ['bench/variants/cdk-app.pipelines.ts'],
      load: async () => {
        const { CdkAppPipelinesStack } = await import('./variants/cdk-app.pipelines');
        return (app, n) => { new CdkAppPipelinesStack(app, `Pipelines${n}`, { env, connectionArn, devAccount: accounts.dev, productionAccount: accounts.production, networks: SHOP_NETWORKS }); };
      },
    },
  },
  'ec2-in-place': {
    'cdk-delivery': {
      files: ['examples/ec2-in-place/stack.ts'],
      load: async () => {
        const { Ec2InPlaceStack } = await import('../examples/ec2-in-place/stack');
        return (app, n) => { new Ec2InPlaceStack(app, `Delivery${n}`, { env, connectionArn, repository: 'my-org/shop-web', ...ec2, approverEmail }); };
      },
    },
    'L2': {
      files: ['bench/variants/ec2-in-place.l2.ts'],
      load: async () => {
        const { Ec2InPlaceL2Stack } = await import('./variants/ec2-in-place.l2');
        return (app, n) => { new Ec2InPlaceL2Stack(app, `L2${n}`, { env, connectionArn, repository: 'my-org/shop-web', ...ec2, approverEmail }); };
      },
    },
  },
};
