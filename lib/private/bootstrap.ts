import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acceptNagFindings } from './nag';

/**
 * Lets a CloudFormation action's role read the CDK bootstrap version parameter
 * (`/cdk-bootstrap/<qualifier>/version`) of an account and region: CloudFormation resolves a CDK
 * template's SSM parameters with the caller's role, which the L2 actions do not grant. The
 * parameter is added to templates at synthesis, after the role is made, so it is named by its
 * pattern (any qualifier), and that finding is accepted for cdk-nag.
 */
export function allowBootstrapVersionRead(role: iam.IRole, account: string, region: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ssm:GetParameters'],
    resources: [Stack.of(role).formatArn({ service: 'ssm', account, region, resource: 'parameter', resourceName: 'cdk-bootstrap/*/version' })],
  }));
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    acceptNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The CDK bootstrap version parameter, /cdk-bootstrap/<qualifier>/version, for any bootstrap qualifier.',
      appliesTo: [{ regex: '/^Resource::arn:(<AWS::Partition>|[^:]+):ssm:[^:]+:[^:]+:parameter\\/cdk-bootstrap\\/\\*\\/version$/' }],
    }]);
  }
}
