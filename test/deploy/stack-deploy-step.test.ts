import { App, CfnCapabilities, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BuildStep, ChangeSetDeployStep, DeliveryPipeline, DeliveryTarget, StackDeployStep } from '../../lib';
import { githubSource, newApp } from '../util';
import { addAwsSolutions, awsSolutionsErrors } from '../util/nag';

const TOOLS = { account: '111111111111', region: 'us-east-1' };
const DEV = { account: '222222222222', region: 'us-east-1' };

function setup(app: App = newApp(), withTarget = true) {
  const devStack = new Stack(app, 'Dev', { env: DEV });
  // A target no pipeline uses fails synthesis: only tests that deploy to it create it.
  const target = withTarget ? new DeliveryTarget(devStack, 'Target', {
    pipelineAccount: TOOLS.account,
    cloudFormationExecutionStatements: [new iam.PolicyStatement({ actions: ['sqs:CreateQueue'], resources: ['arn:aws:sqs:us-east-1:222222222222:shop'] })],
  }) : undefined;
  const stack = new Stack(app, 'Tools', { env: TOOLS });
  const build = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'] });
  const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: build });
  return { app, stack, devStack, target, build, pipeline };
}

const stageOf = (stack: Stack, name: string) => Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages
  .find((s: { Name: string }) => s.Name === name);

describe('StackDeployStep', () => {
  test('deploys in one CREATE_UPDATE action with the target\'s roles; outputs are variables of its namespace', () => {
    const { app, stack, devStack, target, build, pipeline } = setup();
    addAwsSolutions(app);
    const deploy = new StackDeployStep('Deploy', {
      stackName: 'shop',
      template: build.output!.atPath('shop.json'),
      parameters: [{ name: 'Version', value: '#{Source.CommitId}' }],
    });
    pipeline.addEnvironment('Dev', {
      target: target!,
      deploy: [deploy],
      after: [new BuildStep('Smoke', { environmentVariables: [{ name: 'URL', value: deploy.stackOutput('Url') }], commands: ['curl -f "$URL"'] })],
    });
    expect(deploy.stackOutput('Url')).toBe('#{Deploy.Url}');
    const actions = stageOf(stack, 'Dev').Actions;
    expect(actions.map((a: { Name: string; RunOrder: number }) => [a.Name, a.RunOrder])).toEqual([['Deploy', 1], ['Smoke', 2]]);
    expect(actions[0]).toMatchObject({
      Namespace: 'Deploy',
      RoleArn: 'arn:aws:iam::222222222222:role/cdk-delivery-deploy-us-east-1',
      Configuration: {
        ActionMode: 'CREATE_UPDATE',
        StackName: 'shop',
        TemplatePath: 'Build_Output::shop.json',
        // What cdk deploy passes: a CDK template with IAM resources deploys.
        Capabilities: 'CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND',
        ParameterOverrides: '{"Version":"#{Source.CommitId}"}',
        RoleArn: 'arn:aws:iam::222222222222:role/cdk-delivery-cfn-exec-us-east-1',
      },
    });
    // The deploy role: this stack only, and passing only the execution role.
    const statements = Object.values(Template.fromStack(devStack).findResources('AWS::IAM::Policy'))
      .filter((r) => JSON.stringify(r.Properties.Roles).includes('TargetDeployRole'))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    const cfn = statements.filter((st: { Action: string | string[]; Resource: unknown }) => st.Resource !== '*' && [st.Action].flat().some((a) => a.startsWith('cloudformation:')));
    expect(cfn).toEqual([expect.objectContaining({
      Action: expect.arrayContaining(['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DescribeStack*']),
      Resource: 'arn:aws:cloudformation:us-east-1:222222222222:stack/shop/*',
    })]);
    expect(JSON.stringify(cfn)).not.toContain('DeleteStack');
    // ValidateTemplate has no resource-level permissions: on "*", in a statement of its own.
    expect(statements.filter((st: { Action: string }) => st.Action === 'cloudformation:ValidateTemplate')).toEqual([expect.objectContaining({ Resource: '*' })]);
    expect(statements.filter((st: { Action: string }) => st.Action === 'iam:PassRole')).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TargetCloudFormationExecutionRole/), 'Arn'] } }),
    ]);
    for (const s of [stack, devStack]) expect(awsSolutionsErrors(s).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  });

  test('capabilities [] refuses IAM resources; the estimate and diagram show one action', () => {
    const { stack, build, pipeline } = setup(newApp(), false);
    const deploy = new StackDeployStep('Deploy', { stackName: 'shop', template: build.output!.atPath('t.json'), capabilities: [], executionRole: iam.Role.fromRoleName(stack, 'Exec', 'exec') });
    pipeline.addStage('Release', { steps: [deploy] });
    const [action] = stageOf(stack, 'Release').Actions;
    expect(action.Configuration.Capabilities).toBeUndefined();
    expect(action.Configuration.RoleArn).toBe('arn:aws:iam::111111111111:role/exec');
    expect(pipeline.diagram()).toContain('CloudFormation deploy of shop (create or update, no change set review)');
    expect(pipeline.estimate().table).toContain(`| Release | ${deploy.estimate!.minutes} |`);
  });

  test('is one action where a change set is two, and both name the same capabilities by default', () => {
    const one = setup();
    one.pipeline.addEnvironment('Dev', { target: one.target!, deploy: [new StackDeployStep('Deploy', { stackName: 'shop', template: one.build.output!.atPath('t.json') })] });
    const two = setup();
    two.pipeline.addEnvironment('Dev', { target: two.target!, deploy: [new ChangeSetDeployStep('Deploy', { stackName: 'shop', template: two.build.output!.atPath('t.json') })] });
    expect(stageOf(one.stack, 'Dev').Actions).toHaveLength(1);
    const changeSet = stageOf(two.stack, 'Dev').Actions;
    expect(changeSet).toHaveLength(2);
    expect(changeSet[0].Configuration.Capabilities).toBe('CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND');
    expect(new ChangeSetDeployStep('D', { stackName: 'shop', template: one.build.output!.atPath('t.json'), capabilities: [CfnCapabilities.ANONYMOUS_IAM] })).toBeDefined();
  });

  test('fails when its props break CloudFormation or CodePipeline rules, or no execution role is known', () => {
    const { stack, build, pipeline } = setup();
    const template = build.output!.atPath('t.json');
    expect(() => new StackDeployStep('D', { stackName: '1shop', template, variablesNamespace: 'a b' }))
      .toThrow(/StackDeployStep 'D' has 2 problems:[\s\S]*stackName: is not a valid CloudFormation stack name \(got "1shop"\)[\s\S]*variablesNamespace:/);
    expect(() => new StackDeployStep('D', { stackName: 'shop', template, parameters: [{ name: 'A', value: 'x' }, { name: 'A', value: 'y' }] })).toThrow(/parameters\[1\]\.name: is given twice/);
    expect(() => new StackDeployStep('D', { stackName: 'shop', template, parameters: [{ name: 'Big', value: 'x'.repeat(1000) }] }))
      .toThrow(/parameters: CodePipeline holds at most 1000 bytes of parameter overrides \(got "1010 bytes"\)/);
    expect(() => new StackDeployStep('D', { stackName: 'shop' } as never)).toThrow(/template: is required/);
    expect(() => pipeline.addStage('Release', { steps: [new StackDeployStep('Deploy', { stackName: 'shop', template })] }))
      .toThrow(/StackDeployStep 'Deploy' has 1 problem:\n {2}- executionRole: no role for CloudFormation to deploy stack 'shop' with \(got undefined\)\. Fix: pass executionRole/);
    void stack;
  });
});
