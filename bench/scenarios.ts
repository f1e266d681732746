import { App, Stack } from 'aws-cdk-lib';
import { ContainerBuildStack } from '../examples/container-build/stack';
import { Ec2InPlaceStack } from '../examples/ec2-in-place/stack';
import { EcsCanaryImagesStack, EcsCanaryStack } from '../examples/ecs-canary/stack';
import { GithubBuildApproveStack } from '../examples/github-build-approve/stack';
import { LambdaLinearAppStack, LambdaLinearPipelineStack } from '../examples/lambda-linear/stack';
import { MultiAccountReleaseStack, ServiceTargetStack } from '../examples/multi-account-release/stack';
import { Ec2InPlaceL2Stack } from './variants/ec2-in-place.l2';
import { EcsCanaryL2Stack } from './variants/ecs-canary.l2';
import { GithubBuildApproveL2Stack } from './variants/github-build-approve.l2';
import { GithubBuildApprovePipelinesStack } from './variants/github-build-approve.pipelines';
import { LambdaLinearL2AppStack, LambdaLinearL2PipelineStack } from './variants/lambda-linear.l2';
import { MultiAccountL2Stack, ServiceTargetL2Stack } from './variants/multi-account.l2';
import { MultiAccountPipelinesStack } from './variants/multi-account.pipelines';
import { EXAMPLE_CONNECTION_ARN } from '../examples/settings';

/** A way of writing a scenario: how it adds its stacks to an app (the n-th copy), and the files of user code. */
export interface Variant {
  readonly build: (app: App, n: number) => void;
  readonly files: string[];
}

const env = { account: '111111111111', region: 'us-east-1' };
const connectionArn = EXAMPLE_CONNECTION_ARN;
const accounts = { dev: '222222222222', production: '333333333333' };

/** The scenarios, each written with cdk-delivery, hand-written aws-cdk-lib L2s and (where it can express it) CDK Pipelines. */
export const SCENARIOS: Record<string, Record<string, Variant>> = {
  'github-build-approve': {
    'cdk-delivery': { files: ['examples/github-build-approve/stack.ts'], build: (app, n) => { new GithubBuildApproveStack(app, `Delivery${n}`, { env, connectionArn, repository: 'my-org/shop', approverEmail: 'release@example.com' }); } },
    'L2': { files: ['bench/variants/github-build-approve.l2.ts'], build: (app, n) => { new GithubBuildApproveL2Stack(app, `L2${n}`, { env, connectionArn, repository: 'my-org/shop', approverEmail: 'release@example.com' }); } },
    'CDK Pipelines': { files: ['bench/variants/github-build-approve.pipelines.ts'], build: (app, n) => { new GithubBuildApprovePipelinesStack(app, `Pipelines${n}`, { env, connectionArn, repository: 'my-org/shop', approverEmail: 'release@example.com' }); } },
  },
  'ecs-canary': {
    'cdk-delivery': { files: ['examples/ecs-canary/stack.ts'], build: (app, n) => { const images = new EcsCanaryImagesStack(app, `DeliveryImages${n}`, { env }); new EcsCanaryStack(app, `Delivery${n}`, { env, connectionArn, repository: 'my-org/shop-web', images: images.repository }); } },
    'L2': { files: ['bench/variants/ecs-canary.l2.ts'], build: (app, n) => { new EcsCanaryL2Stack(app, `L2${n}`, { env, connectionArn, repository: 'my-org/shop-web' }); } },
  },
  'lambda-linear': {
    'cdk-delivery': {
      files: ['examples/lambda-linear/stack.ts'],
      build: (app, n) => { const a = new LambdaLinearAppStack(app, `DeliveryApp${n}`, { env }); new LambdaLinearPipelineStack(app, `Delivery${n}`, { env, connectionArn, repository: 'my-org/shop-api', app: a }); },
    },
    'L2': {
      files: ['bench/variants/lambda-linear.l2.ts'],
      build: (app, n) => { const a = new LambdaLinearL2AppStack(app, `L2App${n}`, { env }); new LambdaLinearL2PipelineStack(app, `L2${n}`, { env, connectionArn, repository: 'my-org/shop-api', app: a }); },
    },
  },
  'multi-account': {
    'cdk-delivery': {
      files: ['examples/multi-account-release/stack.ts'],
      build: (app, n) => {
        const dev = new ServiceTargetStack(app, `DeliveryDev${n}`, { env: { account: accounts.dev, region: 'us-east-1' }, pipelineAccount: env.account, ...(n > 0 ? {} : {}) });
        const prod = ['us-east-1', 'eu-west-1'].map((region) => new ServiceTargetStack(app, `DeliveryProd${n}-${region}`, { env: { account: accounts.production, region }, pipelineAccount: env.account }));
        new MultiAccountReleaseStack(app, `Delivery${n}`, { env, dev: dev.target, production: prod.map((s) => s.target), approverEmail: 'release@example.com' });
      },
    },
    'L2': {
      files: ['bench/variants/multi-account.l2.ts'],
      build: (app, n) => {
        const dev = new ServiceTargetL2Stack(app, `L2Dev${n}`, { env: { account: accounts.dev, region: 'us-east-1' }, pipelineAccount: env.account });
        const prod = ['us-east-1', 'eu-west-1'].map((region) => new ServiceTargetL2Stack(app, `L2Prod${n}-${region}`, { env: { account: accounts.production, region }, pipelineAccount: env.account }));
        new MultiAccountL2Stack(app, `L2${n}`, { env, dev, production: prod, approverEmail: 'release@example.com' });
      },
    },
    'CDK Pipelines': { files: ['bench/variants/multi-account.pipelines.ts'], build: (app, n) => { new MultiAccountPipelinesStack(app, `Pipelines${n}`, { env, devAccount: accounts.dev, productionAccount: accounts.production }); } },
  },
  'ec2-in-place': {
    'cdk-delivery': {
      files: ['examples/ec2-in-place/stack.ts'],
      build: (app, n) => { new Ec2InPlaceStack(app, `Delivery${n}`, { env, connectionArn, repository: 'my-org/shop-web', productionTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/shop-web/0123456789abcdef', productionLoadBalancerName: 'app/shop-web/0123456789abcdef', approverEmail: 'release@example.com' }); },
    },
    'L2': {
      files: ['bench/variants/ec2-in-place.l2.ts'],
      build: (app, n) => { new Ec2InPlaceL2Stack(app, `L2${n}`, { env, connectionArn, repository: 'my-org/shop-web', productionTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/shop-web/0123456789abcdef', productionLoadBalancerName: 'app/shop-web/0123456789abcdef', approverEmail: 'release@example.com' }); },
    },
  },
};

/** Unused imports would fail the type-check; the container-build example is not a scenario of the issue. */
export type Unused = typeof ContainerBuildStack | typeof Stack;
