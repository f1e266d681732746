import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BuildStep, DeliveryPipeline, DeploymentStrategy, ServerBlueGreenDeployment, ServerBlueGreenDeploymentProps } from '../../lib';
import { githubSource, newStack } from '../util';

function setup(extra: Partial<ServerBlueGreenDeploymentProps> = {}) {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const asg = new autoscaling.AutoScalingGroup(stack, 'Fleet', { vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
  const tg = new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc, port: 80, targets: [asg] });
  const deployment = new ServerBlueGreenDeployment(stack, 'BlueGreen', { autoScalingGroup: asg, targetGroup: tg, ...extra });
  return { stack, asg, tg, deployment };
}

/** The SDK call a custom resource makes, with deploy-time values shown as the logical ids they come from. */
function sdkCall(t: Template, key: 'Create' | 'Update' | 'Delete') {
  const resource = Object.values(t.findResources('Custom::CodeDeployBlueGreenDeploymentGroup'))[0];
  const value = resource.Properties[key];
  const name = (p: { Ref?: string; 'Fn::GetAtt'?: string[] }) => p.Ref ?? (p['Fn::GetAtt'] ?? []).join('.');
  const text = typeof value === 'string' ? value : value['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : name(p as never))).join('');
  return JSON.parse(text);
}

describe('ServerBlueGreenDeployment instance role', () => {
  const imported = () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], publicSubnetIds: ['subnet-1'] });
    const asg = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'Fleet', 'shop-web');
    const tg = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Tg', { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/web/0123456789abcdef' });
    return { stack, vpc, asg, tg };
  };

  test('the service role passes exactly the fleet\'s instance role, to EC2 only', () => {
    const { stack, asg } = setup();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{
        Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FleetInstanceRole'), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }]) },
    });
    expect(asg.role).toBeDefined();
  });

  test('an imported Auto Scaling group passes the instance role it is given, never "*"', () => {
    const { stack, asg, tg } = imported();
    new ServerBlueGreenDeployment(stack, 'BlueGreen', { autoScalingGroup: asg, targetGroup: tg, instanceRole: iam.Role.fromRoleName(stack, 'FleetRole', 'shop-web-instances') });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }, Effect: 'Allow', Resource: 'arn:aws:iam::111111111111:role/shop-web-instances' }]) },
    });
    const passRoles = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement).filter((st: { Action: unknown }) => st.Action === 'iam:PassRole');
    expect(passRoles.map((st: { Resource: unknown }) => st.Resource)).not.toContain('*');
  });

  test('fails when an imported Auto Scaling group comes without its instance role', () => {
    const { stack, asg, tg } = imported();
    expect(() => new ServerBlueGreenDeployment(stack, 'BlueGreen', { autoScalingGroup: asg, targetGroup: tg }))
      .toThrow(/instanceRole: is required for an imported Auto Scaling group: CodeDeploy passes the fleet's instance role to each copy, and its service role may pass exactly that role \(got undefined\)\. Fix: pass the role of the fleet's instance profile/);
  });
});

describe('ServerBlueGreenDeployment', () => {
  test('creates the deployment group through the CodeDeploy API with a copy of the Auto Scaling group', () => {
    const { stack, deployment } = setup();
    const create = sdkCall(Template.fromStack(stack), 'Create');
    expect(create).toMatchObject({
      service: 'CodeDeploy',
      action: 'createDeploymentGroup',
      physicalResourceId: { id: deployment.deploymentGroupName },
      parameters: {
        deploymentGroupName: deployment.deploymentGroupName,
        deploymentConfigName: 'CodeDeployDefault.OneAtATime',
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        blueGreenDeploymentConfiguration: {
          terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 60 },
          deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
          greenFleetProvisioningOption: { action: 'COPY_AUTO_SCALING_GROUP' },
        },
        autoScalingGroups: [expect.stringMatching(/FleetASG/)],
        loadBalancerInfo: { targetGroupInfoList: [{ name: expect.stringMatching(/TargetGroupName/) }] },
        autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
      },
    });
  });

  test('updates and deletes name the group by the physical id, so they touch only the group this resource created', () => {
    const { stack, deployment } = setup({ manualRerouteWait: Duration.hours(2), terminationWait: Duration.minutes(30) });
    const t = Template.fromStack(stack);
    const update = sdkCall(t, 'Update');
    expect(update).toMatchObject({
      action: 'updateDeploymentGroup',
      physicalResourceId: { id: deployment.deploymentGroupName },
      parameters: {
        currentDeploymentGroupName: 'PHYSICAL:RESOURCEID:',
        newDeploymentGroupName: deployment.deploymentGroupName,
        blueGreenDeploymentConfiguration: expect.objectContaining({
          deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 120 },
          terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 30 },
        }),
      },
    });
    expect(update.parameters.autoScalingGroups).toBeUndefined();
    // After a failed create (a group of that name already existed) the physical id is the provider's
    // log stream: the delete is denied or rejected for that name, and the existing group stays.
    expect(sdkCall(t, 'Delete')).toMatchObject({
      action: 'deleteDeploymentGroup',
      parameters: { deploymentGroupName: 'PHYSICAL:RESOURCEID:' },
      ignoreErrorCodesMatching: '^(AccessDeniedException|InvalidDeploymentGroupNameException)$',
    });
    expect(sdkCall(t, 'Create')).not.toHaveProperty('ignoreErrorCodesMatching');
  });

  test('the custom resource may manage exactly this group and pass exactly the service role', () => {
    const { stack } = setup();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['codedeploy:CreateDeploymentGroup', 'codedeploy:DeleteDeploymentGroup', 'codedeploy:UpdateDeploymentGroup'],
            // arn:aws:codedeploy:REGION:ACCOUNT:deploymentgroup:APP/GROUP, with a colon after the type.
            Resource: { 'Fn::Join': ['', ['arn:aws:codedeploy:us-east-1:111111111111:deploymentgroup:', { Ref: Match.stringLikeRegexp('BlueGreenApplication') }, Match.stringLikeRegexp('^/')]] },
          },
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('BlueGreenServiceRole'), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'codedeploy.amazonaws.com' } } },
        ],
      },
    });
  });

  test('the service role may launch the copy and pass exactly the instance role', () => {
    const { stack } = setup();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('BlueGreenServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FleetInstanceRole'), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }]) },
    });
  });

  test('alarms, rollback and notifications are part of the API call', () => {
    const s = newStack();
    const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const asg = new autoscaling.AutoScalingGroup(s, 'Fleet', { vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    const tg = new elbv2.ApplicationTargetGroup(s, 'Tg', { vpc, port: 80, targets: [asg] });
    const alarm = new cloudwatch.Alarm(s, 'Errors', { metric: new cloudwatch.Metric({ namespace: 'A', metricName: 'B' }), threshold: 1, evaluationPeriods: 1 });
    new ServerBlueGreenDeployment(s, 'BlueGreen', { autoScalingGroup: asg, targetGroup: tg, alarms: [alarm], notificationTopic: new sns.Topic(s, 'Events'), strategy: DeploymentStrategy.halfAtATime() });
    const create = sdkCall(Template.fromStack(s), 'Create');
    expect(create.parameters).toMatchObject({
      deploymentConfigName: 'CodeDeployDefault.HalfAtATime',
      alarmConfiguration: { enabled: true, alarms: [{ name: expect.stringMatching(/Errors/) }] },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      triggerConfigurations: [{ triggerName: 'cdk-delivery-notifications', triggerTargetArn: expect.stringMatching(/Events/), triggerEvents: ['DeploymentFailure', 'DeploymentStop', 'DeploymentRollback'] }],
    });
  });

  test('a pipeline deploys to the group', () => {
    const { stack, deployment } = setup();
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'] });
    new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: build }).addStage('Production', { steps: [deployment.deployStep({ input: build.output! })] });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Production', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'CodeDeploy' }), Configuration: { ApplicationName: Match.anyValue(), DeploymentGroupName: deployment.deploymentGroupName } })] })]),
    });
  });
});

describe('ServerBlueGreenDeployment errors', () => {
  test('fails when the waits are longer than 2880 minutes', () => {
    expect(() => setup({ terminationWait: Duration.minutes(2881) })).toThrow(/terminationWait: must be a whole number of minutes from 0 to 2880/);
    expect(() => setup({ manualRerouteWait: Duration.hours(49) })).toThrow(/manualRerouteWait: must be a whole number of minutes from 0 to 2880/);
  });

  test('fails when the strategy is canary or linear', () => {
    expect(() => setup({ strategy: DeploymentStrategy.linear({ percent: 10, interval: Duration.minutes(1) }) })).toThrow(/strategy: EC2\/on-premises deployments cannot run linear/);
  });

  test('fails when the name is invalid or events have no topic', () => {
    expect(() => setup({ deploymentGroupName: 'a b' })).toThrow(/deploymentGroupName: is not a valid CodeDeploy deployment group name/);
    expect(() => setup({ notifyOn: [] })).toThrow(/notifyOn: is given without notificationTopic/);
  });

  test('fails when the Auto Scaling group or target group is missing', () => {
    expect(() => new ServerBlueGreenDeployment(newStack(), 'X', {} as never)).toThrow(/autoScalingGroup: is required[\s\S]*targetGroup: is required/);
  });
});
