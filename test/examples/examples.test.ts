import { Aspects, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { parse } from 'yaml';
import { addExamples } from '../../examples';
import {
  ArtifactStoreStack, CodeConnection, DeliveryChecks, DeliveryPipeline, DeliveryTarget, EcsBlueGreenDeployment, EcsNativeDeployment, LambdaDeployment, ServerBlueGreenDeployment, ServerDeployment,
} from '../../lib';
import { newApp } from '../util';
import { inlineCodeOf, inlineHandler } from '../util/inline-handler';

// Every example, synthesized once as `npx cdk synth` does (same feature flags, cdk-nag on).
const app = newApp();
addExamples(app);
Aspects.of(app).add(new AwsSolutionsChecks());
Aspects.of(app).add(new DeliveryChecks());
// The compliance packs regulated teams run.
Aspects.of(app).add(new NIST80053R5Checks());
Aspects.of(app).add(new HIPAASecurityChecks());
Aspects.of(app).add(new PCIDSS321Checks());
const stacks = app.node.children.filter((c): c is Stack => c instanceof Stack);
// One synthesis for every assertion (Template.fromStack and Annotations.fromStack synthesize the app each time).
const assembly = app.synth();
const templates = new Map(stacks.map((s) => [s.stackName, Template.fromJSON(assembly.getStackByName(s.stackName).template)]));
const messages = (stack: Stack, level: string) => assembly.getStackArtifact(stack.artifactId).messages.filter((m) => m.level === level);

/** Paths of what the library creates: its constructs, aws-cdk-lib's custom-resource function it uses, and its alarms. */
const LIBRARY = [DeliveryPipeline, DeliveryTarget, ArtifactStoreStack, ServerDeployment, ServerBlueGreenDeployment, EcsBlueGreenDeployment, EcsNativeDeployment, LambdaDeployment, CodeConnection];
const libraryPaths = app.node.findAll().filter((c: IConstruct) => LIBRARY.some((k) => c instanceof k) || c.node.id.startsWith('AWS679f53fac002430cb0da5b7982bd2287')
  || (c instanceof cloudwatch.CfnAlarm && String(c.alarmDescription).startsWith('Rolls back deployments:'))).map((c) => `/${c.node.path}`);
const PACKS = /^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-/;
const packFindings = (stack: Stack) => messages(stack, 'error').filter((m) => PACKS.test(String(m.entry.data)))
  .map((m) => ({ path: m.id, rule: String(m.entry.data).split(':')[0], library: libraryPaths.some((p) => m.id === p || m.id.startsWith(`${p}/`)) }));

// Each example's template is golden-filed once, by its integration test's snapshot (npm run integ);
// the tests here assert what each example is about.
describe.each(stacks.map((s) => [s.stackName, s] as const))('example %s', (_name, stack) => {
  test('has no unsuppressed cdk-nag AwsSolutions or Delivery finding', () => {
    const findings = messages(stack, 'error').filter((m) => /^(AwsSolutions|Delivery)-/.test(String(m.entry.data)));
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
  });

  test('has no unsuppressed NIST 800-53 R5, HIPAA Security or PCI DSS 3.2.1 finding on what the library creates', () => {
    expect(packFindings(stack).filter((f) => f.library).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  test('has no warning (the compliance packs cannot read some rules of the examples\' own security groups: not ours)', () => {
    const packCannotRead = (m: { id: string; entry: { data?: unknown } }) => /CdkNagValidationFailure\[(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-/.test(String(m.entry.data))
      && !libraryPaths.some((p) => m.id.startsWith(`${p}/`));
    expect(messages(stack, 'warning').filter((m) => !packCannotRead(m)).map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`)).toEqual([]);
  });
});

describe('github-build-approve', () => {
  const t = templates.get('GithubBuildApprove')!;

  test('is a V2 pipeline in QUEUED mode triggered on main except docs', () => {
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Name: 'shop-release',
      PipelineType: 'V2',
      ExecutionMode: 'QUEUED',
      Triggers: [{
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: { SourceActionName: 'Source', Push: [{ Branches: { Includes: ['main'] }, FilePaths: { Excludes: ['docs/**', '**/*.md'] } }] },
      }],
      Stages: [
        Match.objectLike({ Name: 'Source' }),
        Match.objectLike({ Name: 'Build' }),
        Match.objectLike({ Name: 'Release', Actions: [Match.objectLike({ Name: 'Approve', Configuration: Match.objectLike({ NotificationArn: Match.anyValue() }) })] }),
      ],
    });
  });

  test('keeps artifacts in a KMS-encrypted bucket and emails the approver through an encrypted topic', () => {
    t.hasResourceProperties('AWS::S3::Bucket', { BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] } });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'release-managers@example.com' });
  });
});

describe('container-build', () => {
  const t = templates.get('ContainerBuild')!;
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;

  test('builds the image, then lints, tests and audits the source and scans the image in parallel, then asks for approval', () => {
    expect(pipeline.Stages.map((s: { Name: string }) => s.Name)).toEqual(['Source', 'Build', 'Test', 'Promote']);
    const tests = pipeline.Stages[2].Actions;
    expect(tests.map((a: { Name: string; RunOrder: number; InputArtifacts: unknown }) => [a.Name, a.RunOrder, a.InputArtifacts]))
      .toEqual([['Lint', 1, [{ Name: 'Source_Source' }]], ['UnitTests', 1, [{ Name: 'Source_Source' }]], ['DependencyAudit', 1, [{ Name: 'Source_Source' }]], ['ScanImage', 1, undefined]]);
    expect(tests[3]).toMatchObject({ ActionTypeId: { Provider: 'InspectorScan' }, Configuration: { InspectorRunMode: 'ECRImageScan', ImageTag: '#{Image.IMAGE_TAG}', CriticalThreshold: '0', HighThreshold: '0' } });
  });

  test('only the image build is privileged; each test step reports JUnit results', () => {
    const projects = Object.values(t.findResources('AWS::CodeBuild::Project')).map((p) => p.Properties);
    expect(projects.filter((p) => p.Environment.PrivilegedMode)).toHaveLength(1);
    t.resourceCountIs('AWS::CodeBuild::ReportGroup', 4);
    t.resourceCountIs('AWS::ECR::Repository', 1);
  });

  test('the approval shows the image tag the build exported', () => {
    expect(pipeline.Stages[1].Actions[0].Namespace).toBe('Image');
    expect(pipeline.Stages[3].Actions[0].Configuration.CustomData).toBe('Promote image #{Image.IMAGE_TAG} of commit #{Source.CommitId} to production?');
  });
});

describe('ec2-in-place', () => {
  const t = templates.get('Ec2InPlace')!;
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;

  test('deploys to staging, then after approval to production, with CodeDeploy, in a window, with bake monitoring and rollback', () => {
    expect(pipeline.Stages.map((s: { Name: string }) => s.Name)).toEqual(['Source', 'Build', 'Staging', 'Production']);
    expect(pipeline.Stages[2].OnFailure).toEqual({ Result: 'ROLLBACK' });
    // A hotfix run started with SKIP_STAGING=true skips staging.
    expect(pipeline.Variables).toEqual([{ Name: 'SKIP_STAGING', DefaultValue: 'false', Description: 'true skips staging (hotfixes)' }]);
    expect(pipeline.Stages[2].BeforeEntry).toEqual({ Conditions: [{ Result: 'SKIP', Rules: [expect.objectContaining({
      RuleTypeId: expect.objectContaining({ Provider: 'VariableCheck' }), Configuration: { Variable: '#{variables.SKIP_STAGING}', Operator: 'EQ', Value: 'false' },
    })] }] });
    expect(pipeline.Stages[3]).toMatchObject({
      OnFailure: { Result: 'ROLLBACK' },
      BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: [expect.objectContaining({ RuleTypeId: expect.objectContaining({ Provider: 'DeploymentWindow' }) })] }] },
      OnSuccess: { Conditions: [{ Result: 'ROLLBACK', Rules: [expect.objectContaining({ RuleTypeId: expect.objectContaining({ Provider: 'CloudWatchAlarm' }) })] }] },
    });
    expect(pipeline.Stages[3].Actions.map((a: { Name: string; RunOrder: number; ActionTypeId: { Provider: string } }) => [a.Name, a.RunOrder, a.ActionTypeId.Provider]))
      .toEqual([['Approve', 1, 'Manual'], ['Deploy', 2, 'CodeDeploy']]);
  });

  test('staging all at once; production one at a time behind the load balancer, rolled back on 5xx', () => {
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: 'CodeDeployDefault.AllAtOnce' });
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      AlarmConfiguration: Match.objectLike({ Enabled: true }),
    });
  });

  test('the build writes the appspec into the revision', () => {
    const build = parse(Object.values(t.findResources('AWS::CodeBuild::Project'))[0].Properties.Source.BuildSpec as string);
    expect(build.phases.build.commands[2]).toMatch(/^printf '%s\\n' 'version: 0\.0' 'os: linux' 'files:'/);
    expect(build.artifacts.files).toEqual(['**/*', 'appspec.yml']);
  });
});

describe('ecs-canary', () => {
  const t = templates.get('EcsCanary')!;
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;

  test('builds the image, writes the deployment files, and deploys blue/green with CodeDeploy', () => {
    expect(pipeline.Stages.map((s: { Name: string }) => s.Name)).toEqual(['Source', 'Build', 'Production']);
    expect(pipeline.Stages[2].Actions.map((a: { Name: string; ActionTypeId: { Provider: string } }) => [a.Name, a.ActionTypeId.Provider]))
      .toEqual([['DeployFiles', 'CodeBuild'], ['Deploy', 'CodeDeployToECS']]);
  });

  test('shifts 10% for 5 minutes, rolls back on 5xx, checks the replacement tasks on test traffic', () => {
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      AlarmConfiguration: Match.objectLike({ Enabled: true }),
    });
    t.hasResourceProperties('AWS::ECS::Service', { DeploymentController: { Type: 'CODE_DEPLOY' } });
    const files = Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('CDK_DELIVERY_FILE_1'));
    expect(files).toBeDefined();
    const appspec = JSON.stringify(files!.Properties.Environment.EnvironmentVariables);
    expect(appspec).toContain('AfterAllowTestTraffic');
    expect(appspec).toContain('<TASK_DEFINITION>');
  });
});

test('every CodeDeploy service role trusts only CodeDeploy acting for its own account (confused-deputy protection)', () => {
  const trusts = [...templates.values()].flatMap((t) => Object.values(t.findResources('AWS::IAM::Role')))
    .map((r) => r.Properties.AssumeRolePolicyDocument.Statement)
    .filter((st: Array<{ Principal?: { Service?: string } }>) => st.some((x) => x.Principal?.Service === 'codedeploy.amazonaws.com'));
  expect(trusts).toHaveLength(5);
  for (const statements of trusts) {
    expect(statements).toEqual([expect.objectContaining({ Principal: { Service: 'codedeploy.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } })]);
  }
});

describe('ecs-canary health-check hook', () => {
  const code = inlineCodeOf(templates.get('EcsCanary')!, /replacement task is healthy/);
  const event = { DeploymentId: 'd-2', LifecycleEventHookExecutionId: 'hook-1' };
  // The second release: CodeDeploy swapped the target groups, so the replacement (green) task set
  // now sits behind the group named "blue", and the old tasks, still healthy, behind "green".
  const secondRelease = (replacementHealth: string) => (command: string, input: { Names: string[]; TargetGroupArn: string }) => {
    switch (command) {
      case 'ListDeploymentTargetsCommand': return { targetIds: ['cluster:service'] };
      case 'GetDeploymentTargetCommand': return { deploymentTarget: { ecsTarget: { taskSetsInfo: [
        { taskSetLabel: 'Blue', targetGroup: { name: 'shop-green' } },
        { taskSetLabel: 'Green', targetGroup: { name: 'shop-blue' } },
      ] } } };
      case 'DescribeTargetGroupsCommand': return { TargetGroups: [{ TargetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/${input.Names[0]}/1` }] };
      case 'DescribeTargetHealthCommand': return { TargetHealthDescriptions: [{ TargetHealth: { State: input.TargetGroupArn.includes('shop-blue') ? replacementHealth : 'healthy' } }] };
      default: return {};
    }
  };
  const status = (calls: Array<{ command: string; input: { status?: string } }>) => calls.find((c) => c.command === 'PutLifecycleEventHookExecutionStatusCommand')?.input.status;

  test('checks the target group of the replacement tasks in this deployment, not a fixed one', async () => {
    const { handler, calls } = inlineHandler(code, {}, secondRelease('unhealthy'));
    await handler(event);
    expect(calls.find((c) => c.command === 'DescribeTargetGroupsCommand')?.input).toEqual({ Names: ['shop-blue'] });
    expect(status(calls)).toBe('Failed');
  });

  test('succeeds when every replacement task is healthy, and fails when the deployment names none', async () => {
    const healthy = inlineHandler(code, {}, secondRelease('healthy'));
    await healthy.handler(event);
    expect(status(healthy.calls)).toBe('Succeeded');
    const none = inlineHandler(code, {}, (command) => (command === 'ListDeploymentTargetsCommand' ? { targetIds: [] } : {}));
    await none.handler(event);
    expect(status(none.calls)).toBe('Failed');
  });
});

describe('ecs-native-canary', () => {
  const t = templates.get('EcsNativeCanary')!;
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;

  test('builds the image and deploys it with the ECS action alone: no CodeDeploy, no files build', () => {
    expect(pipeline.Stages.map((s: { Name: string }) => s.Name)).toEqual(['Source', 'Build', 'Production']);
    expect(pipeline.Stages[2].Actions.map((a: { Name: string; ActionTypeId: { Provider: string } }) => [a.Name, a.ActionTypeId.Provider])).toEqual([['Deploy', 'ECS']]);
    expect(t.findResources('AWS::CodeDeploy::DeploymentGroup')).toEqual({});
  });

  test('ECS shifts 10% for 5 minutes, bakes 10 minutes, rolls back on 5xx, and checks the new tasks before traffic', () => {
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'CANARY', BakeTimeInMinutes: 10, CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
        Alarms: { AlarmNames: [{ Ref: Match.stringLikeRegexp('^Production5xx') }], Enable: true, Rollback: true },
        LifecycleHooks: [Match.objectLike({ LifecycleStages: ['POST_SCALE_UP'] })],
      }),
      LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.objectLike({ ProductionListenerRule: { Ref: Match.stringLikeRegexp('^ProductionRule') } }) })],
    });
    expect(JSON.stringify(t.toJSON())).not.toContain('AmazonECSInfrastructureRolePolicyForLoadBalancers');
  });
});

describe('ecs-native-canary health-check hook', () => {
  const code = inlineCodeOf(templates.get('EcsNativeCanary')!, /every task of the new service revision is healthy/);
  const revision = 'arn:aws:ecs:us-east-1:111111111111:service-revision/shop/web/2';
  const event = { executionId: 'e-1', lifecycleStage: 'POST_SCALE_UP', resourceArn: 'arn:aws:ecs:us-east-1:111111111111:service-deployment/shop/web/d-2', executionDetails: { targetServiceRevisionArn: revision } };
  // Two old tasks (revision 1) stay healthy; the new ones (revision 2) are in the given states.
  const release = (states: string[], startedAt = new Date()) => (command: string) => {
    switch (command) {
      case 'DescribeServiceRevisionsCommand': return { serviceRevisions: [{ serviceRevisionArn: revision, serviceArn: 'arn:aws:ecs:us-east-1:111111111111:service/shop/web', clusterArn: 'arn:aws:ecs:us-east-1:111111111111:cluster/shop', taskDefinition: 'arn:aws:ecs:us-east-1:111111111111:task-definition/web:2' }] };
      case 'ListTasksCommand': return { taskArns: ['t1', 't2', ...states.map((_, i) => `n${i}`)] };
      case 'DescribeTasksCommand': return { tasks: [
        { taskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/web:1', healthStatus: 'HEALTHY' },
        { taskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/web:1', healthStatus: 'HEALTHY' },
        ...states.map((healthStatus) => ({ taskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/web:2', healthStatus })),
      ] };
      case 'DescribeServiceDeploymentsCommand': return { serviceDeployments: [{ startedAt }] };
      default: return {};
    }
  };

  test('succeeds only when every task of the new revision is healthy, whatever the old tasks are', async () => {
    expect(await inlineHandler(code, {}, release(['HEALTHY', 'HEALTHY'])).handler(event)).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(await inlineHandler(code, {}, release(['HEALTHY', 'UNHEALTHY'])).handler(event)).toEqual({ hookStatus: 'FAILED' });
    // No new task yet: the old, healthy ones do not count.
    expect(await inlineHandler(code, {}, release([])).handler(event)).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30 });
  });

  test('waits while the new tasks start, fails after 10 minutes, and fails on any error', async () => {
    expect(await inlineHandler(code, {}, release(['HEALTHY', 'UNKNOWN'])).handler(event)).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30 });
    expect(await inlineHandler(code, {}, release(['UNKNOWN'], new Date(Date.now() - 11 * 60 * 1000))).handler(event)).toEqual({ hookStatus: 'FAILED' });
    expect(await inlineHandler(code, {}, () => ({})).handler(event)).toEqual({ hookStatus: 'FAILED' });
  });
});

describe('lambda-canary-action', () => {
  const t = templates.get('LambdaCanaryAction')!;
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;

  test('tests and bundles, then the Lambda deploy action shifts the live alias as a canary watching the errors alarm', () => {
    expect(pipeline.Stages.map((s: { Name: string }) => s.Name)).toEqual(['Source', 'Build', 'Production']);
    expect(pipeline.Stages[2].Actions).toEqual([expect.objectContaining({
      ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'Lambda', Version: '1' },
      Configuration: { FunctionName: { Ref: expect.stringMatching(/^Api/) }, FunctionAlias: 'live', DeployStrategy: 'Canary10Percent5Minutes', Alarms: { Ref: expect.stringMatching(/^ApiErrors/) } },
      InputArtifacts: [{ Name: 'Bundle_Output' }],
    })]);
    expect(t.findResources('AWS::CodeDeploy::DeploymentGroup')).toEqual({});
    t.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live' });
  });

  test('a release freeze gate: the pipeline invokes the check before production, and the check fails while the parameter says true', async () => {
    expect(pipeline.Stages[2].BeforeEntry).toEqual({ Conditions: [{ Result: 'FAIL', Rules: [expect.objectContaining({
      RuleTypeId: expect.objectContaining({ Provider: 'LambdaInvoke' }), Configuration: { FunctionName: { Ref: expect.stringMatching(/^ReleaseFreezeCheck/) } },
    })] }] });
    const code = inlineCodeOf(t, /Fails while \/shop\/release-freeze is true/);
    const check = (value: string) => inlineHandler(code, { PARAMETER: '/shop/release-freeze' }, () => ({ Parameter: { Value: value } }));
    await expect(check('false').handler({})).resolves.toBe('no freeze');
    await expect(check('true').handler({})).rejects.toThrow('release freeze: /shop/release-freeze is true');
    await expect(check('yes').handler({})).rejects.toThrow(/release freeze/);
  });
});

describe('lambda-linear pre-traffic hook', () => {
  const code = inlineCodeOf(templates.get('LambdaLinearApp')!, /Invokes the new version/);
  const answer = (functionError?: string) => (command: string) => {
    switch (command) {
      case 'ListDeploymentTargetsCommand': return { targetIds: ['shop-api'] };
      case 'GetDeploymentTargetCommand': return { deploymentTarget: { lambdaTarget: { lambdaFunctionInfo: { functionName: 'shop-api', currentVersion: '6', targetVersion: '7' } } } };
      case 'InvokeCommand': return { FunctionError: functionError };
      default: return {};
    }
  };

  test('invokes the version the deployment shifts traffic to, not $LATEST', async () => {
    const { handler, calls } = inlineHandler(code, { FUNCTION_NAME: 'shop-api' }, answer());
    await handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h' });
    expect(calls.find((c) => c.command === 'InvokeCommand')?.input).toMatchObject({ FunctionName: 'shop-api', Qualifier: '7' });
    expect(calls.find((c) => c.command === 'PutLifecycleEventHookExecutionStatusCommand')?.input.status).toBe('Succeeded');
  });

  test('fails the deployment when the new version errors', async () => {
    const { handler, calls } = inlineHandler(code, { FUNCTION_NAME: 'shop-api' }, answer('Unhandled'));
    await handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h' });
    expect(calls.find((c) => c.command === 'PutLifecycleEventHookExecutionStatusCommand')?.input.status).toBe('Failed');
  });
});

describe('lambda-linear', () => {
  const app = templates.get('LambdaLinearApp')!;
  const delivery = templates.get('LambdaLinearPipeline')!;

  test('the application shifts 10% every minute after a pre-traffic check, rolled back on errors', () => {
    app.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
    app.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ BeforeAllowTrafficHook: Match.anyValue() }) } });
  });

  test('the pipeline deploys the application stack with the built code', () => {
    const pipeline = Object.values(delivery.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
    const deploy = pipeline.Stages[2].Actions[0];
    expect(deploy).toMatchObject({ ActionTypeId: { Provider: 'CloudFormation' }, Configuration: { StackName: 'LambdaLinearApp', TemplatePath: 'Templates::LambdaLinearApp.template.json', Capabilities: 'CAPABILITY_IAM' } });
  });
});

describe('ec2-blue-green', () => {
  const t = templates.get('Ec2BlueGreen')!;

  test('creates the blue/green group through the CodeDeploy API and deploys to it from the pipeline', () => {
    const group = Object.values(t.findResources('Custom::CodeDeployBlueGreenDeploymentGroup'));
    expect(group).toHaveLength(1);
    expect(JSON.stringify(group[0].Properties.Create)).toContain('COPY_AUTO_SCALING_GROUP');
    const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
    expect(pipeline.Stages[2].Actions[0].ActionTypeId.Provider).toBe('CodeDeploy');
  });
});

describe('ec2-deploy-action', () => {
  const t = templates.get('Ec2DeployAction')!;
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;

  test('after the approval, deploys to the tagged web servers a quarter at a time with the EC2 action, and the servers read exactly the revision', () => {
    const production = pipeline.Stages.find((s: { Name: string }) => s.Name === 'Production');
    expect(production.Actions.map((a: { Name: string; RunOrder: number }) => [a.Name, a.RunOrder])).toEqual([['Approve', 1], ['Deploy', 2]]);
    expect(production.Actions[1]).toMatchObject({
      ActionTypeId: { Category: 'Deploy', Provider: 'EC2' },
      Configuration: { InstanceTagKey: 'app', InstanceTagValue: 'shop-web', TargetDirectory: '/opt/shop-web', MaxBatch: '25%', MaxError: '1', PostScript: 'scripts/start.sh' },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: ['shop-web-instances'],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [Match.anyValue(), '/shop-web-ec2/Build_Outp*/*']] } })]) },
    });
  });
});

describe('multi-account-release', () => {
  const t = templates.get('MultiAccountRelease')!;
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
  const actionsOf = (stage: string) => pipeline.Stages.find((s: { Name: string }) => s.Name === stage).Actions as Array<{ Name: string; RunOrder: number; RoleArn?: unknown; Region?: string; Configuration: Record<string, string>; Commands?: string[] }>;

  test('deploys to dev in one action, smoke-tests the URL the stack outputs, then after one approval production in two regions as one wave', () => {
    expect(pipeline.Stages.map((s: { Name: string; OnFailure?: unknown }) => [s.Name, s.OnFailure])).toEqual([
      ['Source', undefined], ['Build', undefined], ['Dev', { Result: 'ROLLBACK' }], ['Production', { Result: 'ROLLBACK' }],
    ]);
    expect(actionsOf('Dev').map((a) => [a.Name, a.RunOrder, a.RoleArn])).toEqual([
      ['Deploy', 1, 'arn:aws:iam::222222222222:role/cdk-delivery-deploy-us-east-1'],
      ['SmokeTest', 2, expect.anything()],
    ]);
    // The smoke test runs on CodePipeline's own compute, with the stack's output in its command.
    expect(actionsOf('Dev')[1]).toMatchObject({ ActionTypeId: { Provider: 'Commands' }, Commands: ['curl --fail --silent --show-error --max-time 10 "#{Deploy.ServiceUrl}health"'] });
    expect(actionsOf('Production').map((a) => [a.Name, a.RunOrder, a.Region])).toEqual([
      ['Approve', 1, undefined], ['Deploy-us-east-1', 2, undefined], ['Deploy-eu-west-1', 2, 'eu-west-1'],
    ]);
    expect(actionsOf('Production')[2].Configuration).toMatchObject({
      ActionMode: 'CREATE_UPDATE', RoleArn: 'arn:aws:iam::333333333333:role/cdk-delivery-cfn-exec-eu-west-1',
      Capabilities: 'CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND', ParameterOverrides: '{"Version":"#{Source.CommitId}"}',
    });
  });

  test('the artifact key and buckets of both regions grant exactly the deploy roles of their region', () => {
    const roles = ['arn:aws:iam::222222222222:role/cdk-delivery-deploy-us-east-1', 'arn:aws:iam::333333333333:role/cdk-delivery-deploy-us-east-1'];
    t.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Principal: { AWS: roles } })]) } });
    const west = templates.get('MultiAccountRelease-artifacts-eu-west-1')!;
    west.hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Principal: { AWS: 'arn:aws:iam::333333333333:role/cdk-delivery-deploy-eu-west-1' } })]) } });
    west.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { AWS: 'arn:aws:iam::333333333333:role/cdk-delivery-deploy-eu-west-1' } })]) } });
    expect(pipeline.ArtifactStores.map((s: { Region: string }) => s.Region)).toEqual(['us-east-1', 'eu-west-1']);
  });

  test('each target trusts exactly the pipeline role and lets CloudFormation do only what the service needs', () => {
    const target = templates.get('ShopApiProductionTarget-eu-west-1')!;
    const pipelineRole = Object.values(t.findResources('AWS::IAM::Role', { Properties: { RoleName: Match.anyValue() } }));
    expect(pipelineRole).toHaveLength(1);
    target.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cdk-delivery-deploy-eu-west-1',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Condition: { ArnEquals: { 'aws:PrincipalArn': [Match.stringLikeRegexp('^arn:aws:iam::111111111111:role/MultiAccountRelease-Pipeline-Role-')] } } })] },
    });
    target.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:shop-api']] } })]) },
    });
  });

  test('notifies failures, approvals and releases by email', () => {
    t.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', { EventTypeIds: Match.arrayWith(['codepipeline-pipeline-pipeline-execution-failed']) });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'release-managers@example.com' });
  });
});

describe('cdk-app-release', () => {
  const t = templates.get('CdkAppRelease')!;
  const stages = (t.toJSON().Resources as Record<string, { Type: string; Properties: { Stages: Array<{ Name: string; Actions: Array<{ Name: string; RunOrder: number; ActionTypeId: { Provider: string }; RoleArn?: unknown }> }> } }>);
  const pipeline = Object.values(stages).find((r) => r.Type === 'AWS::CodePipeline::Pipeline')!.Properties.Stages;

  test('each environment publishes the Stage\'s assets in one job, then deploys its two stacks side by side', () => {
    const shop = (name: string) => pipeline.find((s) => s.Name === name)!.Actions.filter((a) => a.Name.startsWith('Shop.'))
      .map((a, _i, all) => `${a.RunOrder - all[0].RunOrder} ${a.Name} ${a.ActionTypeId.Provider}`);
    // Dev deploys each stack in one action; production through change sets.
    expect(shop('Dev')).toEqual(['0 Shop.Prepare CodeBuild', '1 Shop.Api CloudFormation', '1 Shop.Worker CloudFormation']);
    expect(shop('Production')).toEqual([
      '0 Shop.Prepare CodeBuild',
      '1 Shop.Api.ChangeSet CloudFormation', '2 Shop.Api CloudFormation',
      '1 Shop.Worker.ChangeSet CloudFormation', '2 Shop.Worker CloudFormation',
    ]);
    // Production's job (inert: it copies images and checks the Stage) runs while the approval waits.
    const production = pipeline.find((s) => s.Name === 'Production')!.Actions;
    expect(production.filter((a) => a.RunOrder === 1).map((a) => a.Name)).toEqual(['Approve', 'Shop.Prepare']);
    // The synth, the self-update and one job per environment, against one per asset in CDK Pipelines.
    expect(Object.keys(t.findResources('AWS::CodeBuild::Project'))).toHaveLength(4);
    expect(pipeline.map((s) => s.Name)).toEqual(['Source', 'UpdatePipeline', 'Build', 'Dev', 'Production']);
  });

  test('the targets\' publishing roles trust exactly the publishing jobs, and may write exactly the bootstrap bucket and repository', () => {
    for (const [name, account] of [['ShopDevTarget', '222222222222'], ['ShopProductionTarget', '333333333333']]) {
      const target = templates.get(name)!;
      target.hasResourceProperties('AWS::IAM::Role', {
        RoleName: 'shop-app-publish',
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Condition: { ArnEquals: { 'aws:PrincipalArn': Match.arrayWith([Match.stringLikeRegexp('^arn:aws:iam::111111111111:role/cdkapprelease')]) } } })] },
      });
      // Dev's role also lets production's job read the images it copies.
      const trusted = Object.values(target.findResources('AWS::IAM::Role', { Properties: { RoleName: 'shop-app-publish' } }))[0].Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals['aws:PrincipalArn'];
      expect(trusted).toHaveLength(name === 'ShopDevTarget' ? 2 : 1);
      const text = JSON.stringify(target.findResources('AWS::IAM::Policy'));
      expect(text).toContain(`arn:aws:s3:::cdk-hnb659fds-assets-${account}-us-east-1/*`);
      expect(text).toContain(`repository/cdk-hnb659fds-container-assets-${account}-us-east-1`);
      // No administrator rights anywhere.
      expect(JSON.stringify(target.toJSON())).not.toMatch(/AdministratorAccess|"Action":"\*"/);
    }
  });
});
