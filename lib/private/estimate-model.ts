import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';

/**
 * The model the estimates rest on (minutes). A model, not a measurement: set `expectedMinutes` on
 * build steps to what your builds take.
 */
export const MODEL = {
  /** A source action. */
  source: 0.5,
  /** CodeBuild provisioning on EC2 compute. */
  provisioning: 1,
  /** CodeBuild provisioning on Lambda compute. */
  lambdaProvisioning: 0.1,
  /** A build whose step declares nothing. */
  build: 5,
  /** Installing a revision on EC2 instances, per deployment. */
  serverInstall: 5,
  /** Starting the replacement ECS task set and passing health checks. */
  ecsReplacement: 3,
  /** Launching a copy of an Auto Scaling group. */
  asgCopy: 10,
  /** A CloudFormation stack update. */
  stackUpdate: 2,
};

/** A reserved-capacity fleet as the estimate counts it: once, with the instances it keeps provisioned. */
export function fleetEstimate(fleet: codebuild.IFleet): { fleet: string; fleetBaseCapacity?: number } {
  const resource = fleet.node.defaultChild;
  const capacity = resource instanceof codebuild.CfnFleet ? resource.baseCapacity : undefined;
  return {
    fleet: resource instanceof codebuild.CfnFleet || Token.isUnresolved(fleet.fleetName) ? fleet.node.path : fleet.fleetName,
    fleetBaseCapacity: typeof capacity === 'number' ? capacity : undefined,
  };
}
