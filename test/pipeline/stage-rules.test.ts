import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Artifact } from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BuildStep, EntryResult, PipelineVariable, Source, StageRule, VariableOperator } from '../../lib';
import { CONNECTION_ARN, newStack, pipelineWith } from '../util';
import { addAwsSolutions, awsSolutionsErrors } from '../util/nag';

const step = (name: string) => new BuildStep(name, { commands: ['make'] });
const stageOf = (t: Template, name: string) => Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages.find((s: { Name: string }) => s.Name === name);
const fn = (stack: Stack, id = 'Gate') => new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
const statementsOf = (t: Template) => Object.values(t.findResources('AWS::IAM::Policy'))
  .filter((r) => JSON.stringify(r.Properties.Roles).includes('PipelineRole'))
  .flatMap((r) => r.Properties.PolicyDocument.Statement);

describe('typed stage rules', () => {
  test('a variable check skips a stage unless a variable allows it; a pipeline variable freezes releases', () => {
    const freeze = new PipelineVariable({ name: 'RELEASE_FREEZE', defaultValue: 'false' });
    const source = Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN });
    const { pipeline, template } = pipelineWith({ source, variables: [freeze] });
    const message = source.variables.commitMessage;
    pipeline.addEnvironment('Staging', {
      deploy: [step('Deploy')],
      // Staging runs only for commits whose message names it.
      entryGates: [StageRule.variableCheck(message, VariableOperator.CONTAINS, '[staging]')],
      entryResult: EntryResult.SKIP,
    });
    pipeline.addEnvironment('Production', { deploy: [step('Release')], entryGates: [StageRule.variableCheck(freeze.reference, VariableOperator.NOT_EQUALS, 'true')] });
    const t = template();
    expect(stageOf(t, 'Staging').BeforeEntry).toEqual({
      Conditions: [{ Result: 'SKIP', Rules: [{ Name: 'Gate1-variable', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' }, Configuration: { Variable: message, Operator: 'CONTAINS', Value: '[staging]' } }] }],
    });
    expect(stageOf(t, 'Production').BeforeEntry.Conditions[0]).toMatchObject({ Result: 'FAIL', Rules: [{ Configuration: { Variable: '#{variables.RELEASE_FREEZE}', Operator: 'NE', Value: 'true' } }] });
  });

  test('a Lambda rule names the function, passes its parameters, and lets the pipeline role invoke exactly it', () => {
    const stack = newStack();
    const gate = fn(stack);
    const { pipeline, template } = pipelineWith({}, stack);
    pipeline.addEnvironment('Production', { deploy: [step('Release')], entryGates: [StageRule.lambdaInvoke(gate, { userParameters: '{"service":"shop"}' })], entryResult: EntryResult.SKIP });
    const t = template();
    expect(stageOf(t, 'Production').BeforeEntry.Conditions[0].Rules[0]).toMatchObject({
      Name: 'Gate1-lambda', RuleTypeId: { Provider: 'LambdaInvoke' }, Configuration: { FunctionName: { Ref: expect.stringMatching(/^Gate/) }, UserParameters: '{"service":"shop"}' },
    });
    expect(statementsOf(t).filter((s: { Action: string }) => s.Action === 'lambda:InvokeFunction')).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Gate/), 'Arn'] } }),
    ]);
  });

  test('a commands rule runs single-line commands in the source, and the pipeline role writes only its own log group', () => {
    const { pipeline, template, stack } = pipelineWith({ pipelineName: 'shop' });
    addAwsSolutions(stack.node.root as never);
    pipeline.addEnvironment('Production', {
      deploy: [step('Release')],
      bakeRules: [StageRule.commands(['curl --fail --max-time 10 https://shop.example.com/health'], { input: pipeline.primaryOutput })],
    });
    const t = template();
    expect(stageOf(t, 'Production').OnSuccess.Conditions[0]).toEqual({
      Result: 'ROLLBACK',
      Rules: [{
        Name: 'Bake1-commands', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'Commands', Version: '1' }, Configuration: {},
        Commands: ['curl --fail --max-time 10 https://shop.example.com/health'], InputArtifacts: [{ Name: pipeline.primaryOutput.artifactName }],
      }],
    });
    expect(statementsOf(t).filter((s: { Action: string[] }) => [s.Action].flat().includes('logs:PutLogEvents'))).toEqual([expect.objectContaining({
      Resource: ['arn:aws:logs:us-east-1:111111111111:log-group:/aws/codepipeline/shop', 'arn:aws:logs:us-east-1:111111111111:log-group:/aws/codepipeline/shop:log-stream:*'],
    })]);
    expect(awsSolutionsErrors(stack).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  });

  test('fails when rules are malformed: not a variable reference, empty or multi-line commands, too many, a function elsewhere, SKIP on commands', () => {
    const stack = newStack();
    const { pipeline } = pipelineWith({}, stack);
    expect(() => pipeline.addEnvironment('A', { deploy: [step('A1')], entryGates: [StageRule.variableCheck('RELEASE_FREEZE', VariableOperator.EQUALS, '')] }))
      .toThrow(/entryGates\[0\]\.variable: is not a variable reference \(got "RELEASE_FREEZE"\)\. Fix: give a reference such as source\.variables\.commitMessage[\s\S]*entryGates\[0\]\.value: is empty/);
    expect(() => pipeline.addEnvironment('B', { deploy: [step('B1')], bakeRules: [StageRule.commands(['echo a\necho b', ''])] }))
      .toThrow(/bakeRules\[0\]\.commands\[0\]: spans several lines[\s\S]*bakeRules\[0\]\.commands\[1\]: is empty/);
    expect(() => pipeline.addEnvironment('C', { deploy: [step('C1')], bakeRules: [StageRule.commands([])] })).toThrow(/bakeRules\[0\]\.commands: a commands rule runs 1 to 50 \(got "0 commands"\)/);
    expect(() => pipeline.addEnvironment('D', { deploy: [step('D1')], bakeRules: [StageRule.commands(Array(51).fill('true'))] })).toThrow(/runs 1 to 50 \(got "51 commands"\)/);
    expect(() => pipeline.addEnvironment('E', { deploy: [step('E1')], bakeRules: [StageRule.commands(['x'.repeat(1001)])] })).toThrow(/commands\[0\]: is longer than the 1000 characters of a command/);
    const west = new Stack(stack.node.root, 'West', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(() => pipeline.addEnvironment('F', { deploy: [step('F1')], entryGates: [StageRule.lambdaInvoke(fn(west))] }))
      .toThrow(/entryGates\[0\]\.function: is not in the pipeline's account and region \(111111111111\/us-east-1\), where the rule runs/);
    expect(() => pipeline.addEnvironment('G', { deploy: [step('G1')], entryGates: [StageRule.commands(['true'])], entryResult: EntryResult.SKIP }))
      .toThrow(/entryResult: skips the stage only with LambdaInvoke or VariableCheck rules, and the gates are Commands/);
    expect(() => pipeline.addEnvironment('I', { deploy: [step('I1')], entryGates: [StageRule.lambdaInvoke(fn(stack, 'Big'), { userParameters: 'x'.repeat(10001) })] }))
      .toThrow(/entryGates\[0\]\.userParameters: is longer than the 10000 characters/);
    expect(() => pipeline.addEnvironment('J', { deploy: [step('J1')], bakeRules: [StageRule.commands(['true'], { input: new Artifact() })] }))
      .toThrow(/bakeRules\[0\]\.input: has no name/);
    expect(() => pipeline.addEnvironment('H', { deploy: [step('H1')], bakeRules: [StageRule.commands(['true'])] }))
      .toThrow(/pipelineName: is required for commands rules: their logs go to the log group \/aws\/codepipeline\/<pipeline name>.*Fix: give the DeliveryPipeline a pipelineName/);
  });

  test('a rule that references an undeclared pipeline variable, or a namespace the stage has not produced yet, fails synthesis', () => {
    const { pipeline, stack } = pipelineWith();
    const deploy = new BuildStep('Release', { commands: ['make'], exportedVariables: ['VERSION'] });
    pipeline.addEnvironment('Production', {
      deploy: [deploy],
      entryGates: [StageRule.variableCheck('#{variables.RELEASE_FREEZE}', VariableOperator.EQUALS, 'false'), StageRule.variableCheck(deploy.exportedVariable('VERSION'), VariableOperator.NOT_EQUALS, '0')],
      // After the stage ran, its own variables are known.
      bakeRules: [StageRule.variableCheck(deploy.exportedVariable('VERSION'), VariableOperator.NOT_EQUALS, '0')],
    });
    expect(() => Template.fromStack(stack)).toThrow(/stage 'Production' rule Gate1-variable: references a pipeline variable that is not declared[\s\S]*stage 'Production' rule Gate2-variable: references namespace 'Release', which is produced later/);
    expect(() => Template.fromStack(stack)).not.toThrow(/rule Bake1-variable/);
  });
});
