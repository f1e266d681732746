import { App, Aspects, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BuildStep, DeliveryChecks, DeliveryPipeline, IStep, RuleLevel } from '../../lib';
import { ENV, githubSource, newApp } from '../util';
import { allowContractViolations } from '../contracts';

// Each rule is shown to catch a pipeline we did not build: the non-compliant stacks are written with
// raw aws-cdk-lib L2 constructs, or L1 where the L2 itself would refuse the mistake.

/** The Delivery findings of a stack, as `RuleId[finding]`. */
function findings(stack: Stack): string[] {
  Aspects.of(stack).add(new DeliveryChecks());
  const all = [...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('^Delivery-')), ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('^Delivery-'))];
  return all.map((f) => String(f.entry.data)).map((d) => d.slice(0, d.indexOf(']: ') + 1));
}

const stack = () => new Stack(newApp(), 'Raw', { env: ENV });
const source = { Category: 'Source', Owner: 'AWS', Provider: 'CodeCommit', Version: '1' };
const approval = { Category: 'Approval', Owner: 'AWS', Provider: 'Manual', Version: '1' };
const sourceAction = (name = 'Source', output = 'Src') => ({ Name: name, ActionTypeId: source, Configuration: { RepositoryName: 'shop', BranchName: 'main' }, OutputArtifacts: [{ Name: output }] });
const approve = (name = 'Approve', extra: object = {}) => ({ Name: name, ActionTypeId: approval, ...extra });

/** An L1 pipeline with the given stages (and other properties). */
function l1(stages: object[], extra: object = {}): Stack {
  const s = stack();
  const bucket = new s3.CfnBucket(s, 'Artifacts');
  new codepipeline.CfnPipeline(s, 'Pipeline', {
    roleArn: 'arn:aws:iam::111111111111:role/pipeline',
    pipelineType: 'V2',
    artifactStore: { type: 'S3', location: bucket.ref, encryptionKey: { id: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab', type: 'KMS' } },
    stages: stages as codepipeline.CfnPipeline.StageDeclarationProperty[],
    ...extra,
  });
  return s;
}
/** `l1` takes CloudFormation (PascalCase) stage declarations: written as the template holds them. */
function raw(stages: object[], extra: Record<string, unknown> = {}): Stack {
  const s = l1([]);
  const cfn = s.node.findChild('Pipeline') as codepipeline.CfnPipeline;
  cfn.addPropertyOverride('Stages', stages);
  for (const [k, v] of Object.entries(extra)) cfn.addPropertyOverride(k, v);
  return s;
}

/** A pipeline written with the L2s as a careful engineer would: V2, variables, a build, an approval with a timeout. */
function compliantStack(): Stack {
  const s = stack();
  const repo = codecommit.Repository.fromRepositoryName(s, 'Repo', 'shop');
  const src = new codepipeline.Artifact('Src');
  const built = new codepipeline.Artifact('Built');
  const project = new codebuild.PipelineProject(s, 'Build', { environmentVariables: { STAGE: { value: 'prod' } } });
  const version = new codepipeline.Variable({ variableName: 'version', defaultValue: '1' });
  const server = new codedeploy.ServerDeploymentGroup(s, 'Servers', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), deploymentConfig: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME });
  const fn = new lambda.Function(s, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
  new codedeploy.LambdaDeploymentGroup(s, 'Release', {
    alias: new lambda.Alias(s, 'Live', { aliasName: 'live', version: fn.currentVersion }),
    deploymentConfig: new codedeploy.LambdaDeploymentConfig(s, 'Linear', { trafficRouting: new codedeploy.TimeBasedLinearTrafficRouting({ interval: Duration.minutes(1), percentage: 10 }) }),
  });
  new codepipeline.Pipeline(s, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    executionMode: codepipeline.ExecutionMode.QUEUED,
    variables: [version],
    stages: [
      { stageName: 'Source', actions: [new actions.CodeCommitSourceAction({ actionName: 'Source', repository: repo, output: src, variablesNamespace: 'SourceVars' })] },
      { stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Build', project, input: src, outputs: [built], variablesNamespace: 'BuildVars', environmentVariables: { COMMIT: { value: '#{SourceVars.CommitId}' }, VERSION: { value: version.reference() } } })] },
      { stageName: 'Approve', actions: [new actions.ManualApprovalAction({ actionName: 'Approve', additionalInformation: 'Release #{SourceVars.CommitId}?', timeout: Duration.days(2) })] },
      { stageName: 'Deploy', actions: [new actions.CodeDeployServerDeployAction({ actionName: 'Deploy', input: built, deploymentGroup: server })] },
    ],
  });
  return s;
}

const compliant = findings(compliantStack());

const cases: Array<[string, () => Stack, string]> = [
  ['CodePipelineNames', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'Deploy to prod', Actions: [approve()] }]), 'Stage::Deploy to prod'],
  ['CodePipelineArtifactNames', () => raw([{ Name: 'Source', Actions: [sourceAction('Source', 'build.out')] }, { Name: 'B', Actions: [approve()] }]), 'Artifact::build.out'],
  ['CodePipelineUniqueNames', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: [approve()] }, { Name: 'B', Actions: [approve()] }]), 'Stage::B'],
  ['CodePipelineStageCount', () => raw([{ Name: 'Source', Actions: [sourceAction()] }]), 'Stages::1'],
  ['CodePipelineActionCount', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: Array.from({ length: 51 }, (_, i) => approve(`A${i}`)) }]), 'Stage::B::51'],
  ['CodePipelineSourceStage', () => raw([{ Name: 'Source', Actions: [sourceAction(), approve()] }, { Name: 'B', Actions: [sourceAction('Late', 'Late')] }]), 'Action::Source/Approve'],
  ['CodePipelineInputArtifacts', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: [{ Name: 'Build', ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' }, Configuration: { ProjectName: 'p' }, InputArtifacts: [{ Name: 'Missing' }] }] }]), 'Artifact::B/Build::Missing'],
  ['CodePipelineRunOrder', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: [approve('A', { RunOrder: 1000 })] }]), 'Action::B/A::1000'],
  ['CodePipelineActionConfiguration', () => {
    const s = compliantStack();
    const p = s.node.findChild('Pipeline') as codepipeline.Pipeline;
    p.addStage({ stageName: 'Late', actions: [new actions.ManualApprovalAction({ actionName: 'Long', additionalInformation: 'x'.repeat(1001) })] });
    return s;
  }, 'Configuration::Late/Long::CustomData'],
  ['CodePipelineVariableNamespaces', () => {
    const s = compliantStack();
    const p = s.node.findChild('Pipeline') as codepipeline.Pipeline;
    const project = new codebuild.PipelineProject(s, 'Other');
    p.addStage({ stageName: 'Again', actions: [new actions.CodeBuildAction({ actionName: 'Again', project, input: new codepipeline.Artifact('Src'), variablesNamespace: 'BuildVars' })] });
    return s;
  }, 'Namespace::Again/Again::BuildVars'],
  ['CodePipelineVariableReferences', () => {
    const s = compliantStack();
    (s.node.findChild('Pipeline') as codepipeline.Pipeline).addStage({ stageName: 'Late', actions: [new actions.ManualApprovalAction({ actionName: 'Check', additionalInformation: 'Version #{Nope.Version}' })] });
    return s;
  }, 'Reference::Late/Check::#{Nope.Version}'],
  ['CodePipelineV2Features', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: [approve()], OnFailure: { Result: 'ROLLBACK' } }], { PipelineType: 'V1', ExecutionMode: 'QUEUED' }), 'Feature::ExecutionMode::QUEUED'],
  ['CodePipelineTriggerFilters', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: [approve()] }], {
    Triggers: [{ ProviderType: 'CodeStarSourceConnection', GitConfiguration: { SourceActionName: 'Source', Push: [{ Branches: { Includes: [] } }] } }],
  }), 'Trigger::Source::NotAConnectionSource'],
  ['CodePipelineCrossRegionArtifactStores', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: [approve('A', { Region: 'eu-west-1' })] }]), 'Region::B/A::eu-west-1'],
  ['CodePipelineCrossAccountKey', () => {
    const s = raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: [approve('A', { RoleArn: 'arn:aws:iam::222222222222:role/deploy' })] }]);
    // The store keeps the AWS-managed key: no EncryptionKey.
    (s.node.findChild('Pipeline') as codepipeline.CfnPipeline).addPropertyDeletionOverride('ArtifactStore.EncryptionKey');
    return s;
  }, 'Action::B/A::222222222222'],
  ['CodePipelineApprovalTimeout', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: [approve('A', { TimeoutInMinutes: 3 })] }]), 'Timeout::B/A::3'],
  ['CodePipelineStageConditions', () => raw([{ Name: 'Source', Actions: [sourceAction()] }, {
    Name: 'B', Actions: [approve()],
    // The form this library wrote before: minutes first, which AWS reads as seconds '0', minutes '8-16', hours '?'.
    BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: [{ Name: 'Window', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' }, Configuration: { Cron: '0 8-16 ? * MON-FRI *' } }] }] },
  }]), 'Cron::B/Window::0 8-16 ? * MON-FRI *'],
  ['CodeBuildPrivilegedMode', () => {
    const s = stack();
    new codebuild.PipelineProject(s, 'Build', { environment: { privileged: true } });
    return s;
  }, 'PrivilegedMode'],
  ['CodeBuildPlaintextCredentials', () => {
    const s = stack();
    new codebuild.PipelineProject(s, 'Build', { environmentVariables: { DB_PASSWORD: { value: 'hunter2' } } });
    return s;
  }, 'Variable::DB_PASSWORD'],
  ['CodeBuildLogging', () => {
    const s = stack();
    new codebuild.PipelineProject(s, 'Build', { logging: { cloudWatch: { enabled: false } } });
    return s;
  }, 'Logs::Disabled'],
  ['CodeBuildArtifactEncryption', () => {
    const s = stack();
    new codebuild.Project(s, 'Build', { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }), artifacts: codebuild.Artifacts.s3({ bucket: new s3.Bucket(s, 'Out'), encryption: false }) });
    return s;
  }, 'Artifact::primary'],
  ['CodeBuildTimeouts', () => {
    const s = stack();
    (new codebuild.PipelineProject(s, 'Build').node.defaultChild as codebuild.CfnProject).addPropertyOverride('TimeoutInMinutes', 3000);
    return s;
  }, 'Timeout::3000'],
  ['CodeDeployConfigRanges', () => {
    const s = stack();
    new codedeploy.CfnDeploymentConfig(s, 'Config', { deploymentConfigName: 'CodeDeployDefault.Mine', minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 100 } });
    return s;
  }, 'Name::CodeDeployDefault.Mine'],
  ['CodeDeployAlarms', () => {
    const s = stack();
    const alarms = Array.from({ length: 11 }, (_, i) => new cloudwatch.Alarm(s, `A${i}`, { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: `m${i}` }), threshold: 1, evaluationPeriods: 1 }));
    new codedeploy.ServerDeploymentGroup(s, 'Servers', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), alarms });
    return s;
  }, 'Alarms::11'],
  ['CodeDeployTerminationWait', () => {
    const s = stack();
    new codedeploy.CfnDeploymentGroup(s, 'Group', {
      applicationName: 'shop', serviceRoleArn: 'arn:aws:iam::111111111111:role/codedeploy',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 3000 } },
    });
    return s;
  }, 'TerminationWait::3000'],
  ['CodeDeployStrategyPlatform', () => {
    const s = stack();
    const app = new codedeploy.CfnApplication(s, 'App', { computePlatform: 'Lambda' });
    new codedeploy.CfnDeploymentGroup(s, 'Group', { applicationName: app.ref, serviceRoleArn: 'arn:aws:iam::111111111111:role/codedeploy', deploymentConfigName: 'CodeDeployDefault.OneAtATime' });
    return s;
  }, 'Config::CodeDeployDefault.OneAtATime::Lambda'],
];

test('every rule has a case here', () => {
  expect(cases.map(([id]) => id).sort()).toEqual([...DeliveryChecks.ruleNames].sort());
});

test('a pipeline, project and deployment groups written carefully with the L2s have no finding', () => {
  expect(compliant).toEqual([]);
});

describe.each(cases)('%s', (id, make, finding) => {
  test('passes on the compliant L2 stack', () => {
    expect(compliant.filter((f) => f.startsWith(`Delivery-${id}[`))).toEqual([]);
  });

  test('fails on a stack that breaks it', () => {
    allowContractViolations('the stack breaks the rule on purpose, and with it what AWS accepts');
    expect(findings(make())).toContain(`Delivery-${id}[${finding}]`);
  });
});

describe('DeliveryPipeline validation', () => {
  test('fails synthesis when an action of a custom step breaks a rule', () => {
    const s = stack();
    const pipeline = new DeliveryPipeline(s, 'Pipeline', { source: githubSource(), buildStep: new BuildStep('Build', { commands: ['make'] }) });
    const step: IStep = {
      stepName: 'Huge',
      bind: (_scope, context) => ({ actions: [new actions.ManualApprovalAction({ actionName: 'Huge', additionalInformation: 'x'.repeat(1001), runOrder: context.runOrder })] }),
    };
    pipeline.addStage('Check', { steps: [step] });
    expect(() => (s.node.root as App).synth())
      .toThrow(/DeliveryPipeline 'Raw\/Pipeline': Raw\/Pipeline\/Pipeline\/Resource: breaks rule Delivery-CodePipelineActionConfiguration: .*\(got "Configuration::Check\/Huge::CustomData"\)\. Fix: shorten the value/);
  });

  test('findProblems lists findings without cdk-nag, warnings included', () => {
    const s = stack();
    new codebuild.PipelineProject(s, 'Build', { environment: { privileged: true } });
    expect(DeliveryChecks.findProblems(s)).toEqual([expect.objectContaining({ ruleId: 'CodeBuildPrivilegedMode', level: RuleLevel.WARNING, path: 'Raw/Build/Resource', finding: 'PrivilegedMode' })]);
  });
});

describe('rules do not judge what they cannot see or what AWS accepts', () => {
  test('conditional actions and artifact lists are skipped, not crashed on', () => {
    const s = raw([
      { Name: 'Source', Actions: [sourceAction(), { 'Fn::If': ['HasSecond', sourceAction('Second', 'Src2'), { Ref: 'AWS::NoValue' }] }] },
      { Name: 'B', Actions: [{ Name: 'Build', ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' }, Configuration: { ProjectName: 'p' }, InputArtifacts: { 'Fn::If': ['HasSecond', [{ Name: 'Src2' }], [{ Name: 'Src' }]] } }] },
    ], { Triggers: [{ ProviderType: 'CodeStarSourceConnection', GitConfiguration: { SourceActionName: 'Second' } }] });
    expect(findings(s)).toEqual([]);
  });

  test('stage conditions: a seconds-first window complies; a SKIP on an alarm, an unknown time zone and six rules do not', () => {
    allowContractViolations('the pipeline breaks the stage-condition rules on purpose');
    const rule = (Name: string, Provider: string, Configuration: object) => ({ Name, RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider, Version: '1' }, Configuration });
    const window = rule('Window', 'DeploymentWindow', { Cron: '* * 8-16 ? * MON-FRI *', TimeZone: 'Europe/Paris' });
    expect(findings(raw([{ Name: 'Source', Actions: [sourceAction()] }, { Name: 'B', Actions: [approve()], BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: [window] }] } }]))
      .filter((f) => f.startsWith('Delivery-CodePipelineStageConditions'))).toEqual([]);
    const alarms = [1, 2, 3, 4, 5, 6].map((i) => rule(`A${i}`, 'CloudWatchAlarm', { AlarmName: 'a' }));
    expect(findings(raw([{ Name: 'Source', Actions: [sourceAction()] }, {
      Name: 'B', Actions: [approve()],
      BeforeEntry: { Conditions: [{ Result: 'SKIP', Rules: [rule('Window', 'DeploymentWindow', { Cron: '* * 8-16 ? * MON-FRI *', TimeZone: 'Europe/Pariss' })] }] },
      OnSuccess: { Conditions: [{ Result: 'ROLLBACK', Rules: alarms }] },
    }])).filter((f) => f.startsWith('Delivery-CodePipelineStageConditions')).sort()).toEqual([
      'Delivery-CodePipelineStageConditions[Rules::B/OnSuccess::6]',
      'Delivery-CodePipelineStageConditions[Skip::B/Window::DeploymentWindow]',
      'Delivery-CodePipelineStageConditions[TimeZone::B/Window::Europe/Pariss]',
    ]);
  });

  test('an ECS group behind a Network Load Balancer is recognized from its listener ARN when its target groups are imported', () => {
    allowContractViolations('the deployment group breaks the rule on purpose');
    const s = stack();
    const app = new codedeploy.CfnApplication(s, 'App', { computePlatform: 'ECS' });
    new codedeploy.CfnDeploymentGroup(s, 'Group', {
      applicationName: app.ref, serviceRoleArn: 'arn:aws:iam::111111111111:role/codedeploy', deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      ecsServices: [{ clusterName: 'c', serviceName: 's' }],
      loadBalancerInfo: { targetGroupPairInfoList: [{
        targetGroups: [{ name: 'blue' }, { name: 'green' }],
        prodTrafficRoute: { listenerArns: ['arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/net/shop/0123456789abcdef/0123456789abcdef'] },
      }] },
    });
    expect(findings(s)).toContain('Delivery-CodeDeployStrategyPlatform[Config::CodeDeployDefault.ECSCanary10Percent5Minutes::NetworkLoadBalancer]');
  });

  test('a group that ignores its alarms, and an ECS group behind an NLB with the default configuration, comply', () => {
    const s = stack();
    const alarm = new cloudwatch.Alarm(s, 'A', { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'm' }), threshold: 1, evaluationPeriods: 1 });
    new codedeploy.ServerDeploymentGroup(s, 'Servers', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), alarms: [alarm], ignoreAlarmConfiguration: true });
    const app = new codedeploy.CfnApplication(s, 'App', { computePlatform: 'ECS' });
    const tg = new elbv2.CfnTargetGroup(s, 'Tg', { protocol: 'TCP', port: 80, vpcId: 'vpc-1', targetType: 'ip' });
    new codedeploy.CfnDeploymentGroup(s, 'Ecs', {
      applicationName: app.ref, serviceRoleArn: 'arn:aws:iam::111111111111:role/codedeploy',
      ecsServices: [{ clusterName: 'c', serviceName: 's' }],
      loadBalancerInfo: { targetGroupPairInfoList: [{ targetGroups: [{ name: tg.attrTargetGroupName }, { name: tg.attrTargetGroupName }], prodTrafficRoute: { listenerArns: ['arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/net/x/1/2'] } }] },
    });
    expect(findings(s)).toEqual([]);
  });

  test('best-practice rules are warnings: they never fail a synthesis AWS would accept', () => {
    const s = stack();
    new codebuild.PipelineProject(s, 'Build', { logging: { cloudWatch: { enabled: false } } });
    expect(DeliveryChecks.findProblems(s).map((f) => [f.ruleId, f.level])).toEqual([['CodeBuildLogging', RuleLevel.WARNING]]);
  });

  test('plaintext credentials are errors (Security Hub CodeBuild.2 is critical), and so are secret references CloudFormation resolves into the project', () => {
    allowContractViolations('the projects hold credentials on purpose');
    const s = stack();
    new codebuild.PipelineProject(s, 'Named', { environmentVariables: { DB_SECRET: { value: 'name-of-the-secret' } } });
    const secret = SecretValue.secretsManager('arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf', { jsonField: 'password' });
    new codebuild.PipelineProject(s, 'Resolved', {
      environmentVariables: { DB: { value: secret.unsafeUnwrap() } },
      buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: [`mysql -p${secret.unsafeUnwrap()}`] } } }),
    });
    expect(DeliveryChecks.findProblems(s).map((f) => [f.ruleId, f.level, f.finding])).toEqual([
      ['CodeBuildPlaintextCredentials', RuleLevel.ERROR, 'Variable::DB_SECRET'],
      ['CodeBuildPlaintextCredentials', RuleLevel.ERROR, 'Variable::DB'],
      ['CodeBuildPlaintextCredentials', RuleLevel.ERROR, 'BuildSpec::SecretReference'],
    ]);
  });
});
