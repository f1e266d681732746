import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acceptNagFindings } from './nag';

/**
 * What a CloudFormation create/update action's role needs, granted exactly where aws-cdk-lib's
 * action would grant a statement that cannot work: its L2 puts `cloudformation:ValidateTemplate`
 * on the stack's ARN, but that action has no resource-level permissions (Service Authorization
 * Reference, AWS CloudFormation), so the statement grants nothing. The L2 is given an immutable
 * view of the role and this grants the same access: the stack's actions on its ARN,
 * ValidateTemplate on `*`, passing the deployment role, and reading the artifacts.
 */
export function grantStackCreateUpdate(role: iam.Role, options: { stackName: string; region?: string; deploymentRole: iam.IRole; artifactBucket: s3.IBucket }): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['cloudformation:DescribeStack*', 'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:GetTemplate*', 'cloudformation:GetStackPolicy', 'cloudformation:SetStackPolicy'],
    resources: [Stack.of(role).formatArn({ region: options.region, service: 'cloudformation', resource: 'stack', resourceName: `${options.stackName}/*` })],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:ValidateTemplate'], resources: ['*'] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [options.deploymentRole.roleArn] }));
  options.artifactBucket.grantRead(role);
  acceptNagFindings(role.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'cloudformation:ValidateTemplate has no resource-level permissions (Service Authorization Reference, AWS CloudFormation): it is granted on "*" or not at all.',
    appliesTo: ['Resource::*'],
  }]);
}
