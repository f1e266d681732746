import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * What a team replaces before deploying the examples: accounts, region, the CodeConnections
 * connection and who approves releases. The values here synthesize offline; the tests, the
 * integration tests and the benchmark use the same ones.
 */

/** An account and region that synthesize offline; a team puts its own here. */
export const EXAMPLE_ENV = { account: '111111111111', region: 'us-east-1' };

/** The accounts of the multi-account example: tools (the pipeline), development and production. */
export const MULTI_ACCOUNT = { tools: '111111111111', dev: '222222222222', production: '333333333333' };

/** A CodeConnections connection to GitHub (create one in the console and complete its handshake). */
export const EXAMPLE_CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

/** Who approves releases. */
export const APPROVER_EMAIL = 'release-managers@example.com';

/** The network of the CDK application example in each account (a VPC the platform team runs there). */
export const SHOP_NETWORKS = {
  dev: { vpcId: 'vpc-0a1b2c3d4e5f60718', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60712'], privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60711', 'rtb-0a1b2c3d4e5f60712'] },
  production: { vpcId: 'vpc-0f1e2d3c4b5a69788', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-0f1e2d3c4b5a69781', 'subnet-0f1e2d3c4b5a69782'], privateSubnetRouteTableIds: ['rtb-0f1e2d3c4b5a69781', 'rtb-0f1e2d3c4b5a69782'] },
};

/**
 * The newest Node.js runtime of the aws-cdk-lib installed: cdk-nag's AwsSolutions-L1 asks every
 * function for it, and a newer aws-cdk-lib knows newer runtimes.
 */
export const NODE_RUNTIME: lambda.Runtime = Object.values(lambda.Runtime)
  .filter((r): r is lambda.Runtime => r instanceof lambda.Runtime && /^nodejs\d+\.x$/.test(r.name))
  .sort((a, b) => parseInt(b.name.slice(6), 10) - parseInt(a.name.slice(6), 10))[0];
