import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Duration } from 'aws-cdk-lib';
import { BuildStep, DeploymentStrategy, Ec2DeployInstanceType, Ec2DeployLimit, Ec2DeployStep } from '../../lib';
import { pipelineWith } from '../util';
import { addAwsSolutions, awsSolutionsErrors } from '../util/nag';

const stageOf = (t: Template, name: string) => Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages.find((s: { Name: string }) => s.Name === name);
const statementsOf = (t: Template, roleRef: string) => Object.values(t.findResources('AWS::IAM::Policy'))
  .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleRef }]))
  .flatMap((r) => r.Properties.PolicyDocument.Statement);

describe('Ec2DeployStep', () => {
  test('deploys the build to instances by tag in batches, through the target group, with exact grants', () => {
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'] });
    const { stack, pipeline, template } = pipelineWith({ pipelineName: 'shop', buildStep: build });
    addAwsSolutions(stack.node.root as never);
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const web = new elbv2.ApplicationTargetGroup(stack, 'Web', { vpc, port: 80 });
    const instances = new iam.Role(stack, 'Instances', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    pipeline.addStage('Production', {
      steps: [new Ec2DeployStep('Deploy', {
        input: build.output!,
        instanceTagKey: 'app', instanceTagValue: 'shop-web',
        targetDirectory: '/opt/shop', preScript: 'scripts/stop.sh', postScript: 'scripts/start.sh',
        instanceRoles: [instances],
        maxBatch: Ec2DeployLimit.percentage(25), maxErrors: Ec2DeployLimit.count(1),
        targetGroups: [web],
      })],
    });
    const t = template();
    const [action] = stageOf(t, 'Production').Actions;
    expect(action).toMatchObject({
      ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'EC2', Version: '1' },
      Configuration: {
        InstanceTagKey: 'app', InstanceTagValue: 'shop-web', InstanceType: 'EC2', TargetDirectory: '/opt/shop', PreScript: 'scripts/stop.sh', PostScript: 'scripts/start.sh',
        MaxBatch: '25%', MaxError: '1', TargetGroupNameList: { 'Fn::GetAtt': [expect.stringMatching(/^Web/), 'TargetGroupName'] },
      },
      InputArtifacts: [{ Name: 'Build_Output' }],
    });
    const statements = statementsOf(t, action.RoleArn['Fn::GetAtt'][0]);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'ssm:SendCommand', Resource: 'arn:aws:ec2:us-east-1:111111111111:instance/*', Condition: { StringEquals: { 'aws:ResourceTag/app': 'shop-web' } } }),
      expect.objectContaining({ Action: 'ssm:SendCommand', Resource: ['arn:aws:ssm:us-east-1::document/AWS-RunPowerShellScript', 'arn:aws:ssm:us-east-1::document/AWS-RunShellScript'] }),
      expect.objectContaining({ Action: ['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets'], Resource: { Ref: expect.stringMatching(/^Web/) } }),
    ]));
    // The instances read only the revision's folder.
    expect(statementsOf(t, Object.keys(t.findResources('AWS::IAM::Role')).find((k) => k.startsWith('Instances'))!)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/ArtifactBucket/), 'Arn'] }, '/shop/Build_Outp*/*']] } }),
    ]));
    const ours = (id: string) => !id.startsWith('/Test/Vpc/') && !id.startsWith('/Test/Web/') && !id.startsWith('/Test/Instances/');
    expect(awsSolutionsErrors(stack).filter((f) => ours(f.id)).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  });

  test('every instance with the tag key when no value is given, through Systems Manager nodes', () => {
    const { stack, pipeline, template } = pipelineWith({ pipelineName: 'shop' });
    const instances = iam.Role.fromRoleName(stack, 'Instances', 'web-instances');
    pipeline.addStage('Production', { steps: [new Ec2DeployStep('Deploy', { input: pipeline.primaryOutput, instanceTagKey: 'app', instanceType: Ec2DeployInstanceType.SSM_MANAGED_NODE, targetDirectory: '/opt/shop', postScript: 'start.sh', instanceRoles: [instances] })] });
    const t = template();
    const [action] = stageOf(t, 'Production').Actions;
    expect(action.Configuration).toEqual({ InstanceTagKey: 'app', InstanceType: 'SSM_MANAGED_NODE', TargetDirectory: '/opt/shop', PostScript: 'start.sh' });
    expect(statementsOf(t, action.RoleArn['Fn::GetAtt'][0])).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'ssm:SendCommand', Condition: { Null: { 'aws:ResourceTag/app': 'false' } } }),
    ]));
  });

  test('batches from the shared strategy vocabulary', () => {
    const { stack, pipeline, template } = pipelineWith({ pipelineName: 'shop' });
    const instanceRoles = [iam.Role.fromRoleName(stack, 'Instances', 'web-instances')];
    const step = (name: string, strategy: DeploymentStrategy) => new Ec2DeployStep(name, { input: pipeline.primaryOutput, instanceTagKey: 'app', targetDirectory: '/opt/shop', postScript: 'start.sh', instanceRoles, strategy });
    pipeline.addStage('Production', { steps: [
      step('All', DeploymentStrategy.allAtOnce()), step('One', DeploymentStrategy.oneAtATime()),
      step('Half', DeploymentStrategy.halfAtATime()), step('Healthy', DeploymentStrategy.minimumHealthyHostsPercentage(75)),
    ] });
    expect(stageOf(template(), 'Production').Actions.map((a: { Configuration: { MaxBatch: string } }) => a.Configuration.MaxBatch)).toEqual(['100%', '1', '50%', '25%']);
  });

  test('fails on strategies the action has no counterpart for, and on a strategy with maxBatch', () => {
    const { stack, pipeline } = pipelineWith({ pipelineName: 'shop' });
    const props = { input: pipeline.primaryOutput, instanceTagKey: 'app', targetDirectory: '/opt/shop', postScript: 'start.sh', instanceRoles: [iam.Role.fromRoleName(stack, 'Instances', 'web-instances')] };
    expect(() => new Ec2DeployStep('D', { ...props, strategy: DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) }) }))
      .toThrow(/strategy: CodePipeline EC2 deploy action deployments cannot run canary 10% then 100% after 5 minutes.*Fix: use one of DeploymentStrategy.allAtOnce\(\), DeploymentStrategy.oneAtATime\(\), DeploymentStrategy.halfAtATime\(\), DeploymentStrategy.minimumHealthyHostsPercentage\(p\)/);
    expect(() => new Ec2DeployStep('D', { ...props, strategy: DeploymentStrategy.minimumHealthyHostsCount(2) }))
      .toThrow(/strategy: the EC2 deploy action sizes batches, not the number of instances kept healthy.*Fix: use DeploymentStrategy.minimumHealthyHostsPercentage\(p\), or maxBatch: Ec2DeployLimit.count\(n\)/);
    expect(() => new Ec2DeployStep('D', { ...props, strategy: DeploymentStrategy.oneAtATime(), maxBatch: Ec2DeployLimit.count(2) })).toThrow(/strategy: is given together with maxBatch \(got "one at a time"\)/);
  });

  test('fails on what the action rejects, and outside a named V2 pipeline of its account and region', () => {
    const { stack, pipeline } = pipelineWith();
    const roles = [iam.Role.fromRoleName(stack, 'R', 'r')];
    const input = new codepipeline.Artifact('In');
    expect(() => new Ec2DeployStep('D', { input, instanceTagKey: '', targetDirectory: 'opt/shop', postScript: ' ', instanceRoles: [] }))
      .toThrow(/instanceTagKey: must be a literal tag key[\s\S]*targetDirectory: is not an absolute path[\s\S]*postScript: is empty[\s\S]*instanceRoles: is empty/);
    expect(() => Ec2DeployLimit.percentage(0)).toThrow(/percent: must be a whole number from 1 to 100/);
    expect(() => Ec2DeployLimit.count(1.5)).toThrow(/instances: must be a whole number, 1 or more/);
    expect(() => pipeline.addStage('P', { steps: [new Ec2DeployStep('D', { input: pipeline.primaryOutput, instanceTagKey: 'app', targetDirectory: '/opt', postScript: 's.sh', instanceRoles: roles })] }))
      .toThrow(/pipelineName: is required: EC2 deployments log to the log group/);
    const v1 = pipelineWith({ pipelineName: 'v1', pipelineType: codepipeline.PipelineType.V1 });
    expect(() => v1.pipeline.addStage('P', { steps: [new Ec2DeployStep('D', { input: v1.pipeline.primaryOutput, instanceTagKey: 'app', targetDirectory: '/opt', postScript: 's.sh', instanceRoles: roles })] }))
      .toThrow(/pipelineType: the EC2 deploy action runs only in V2 pipelines/);
    const west = pipelineWith({ pipelineName: 'shop', deployRegions: ['eu-west-1'] });
    expect(() => west.pipeline.addEnvironment('West', { env: { region: 'eu-west-1' }, deploy: [new Ec2DeployStep('D', { input: west.pipeline.primaryOutput, instanceTagKey: 'app', targetDirectory: '/opt', postScript: 's.sh', instanceRoles: roles })] }))
      .toThrow(/environment: is in 111111111111\/eu-west-1; this step deploys in the pipeline's account and region only/);
  });
});
