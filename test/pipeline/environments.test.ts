import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { BuildStep, EntryResult, FailureBehavior, ManualApprovalStep, StageRule } from '../../lib';
import { newStack, pipelineWith } from '../util';

const step = (name: string) => new BuildStep(name, { commands: ['make'] });
const stageOf = (t: Template, name: string) => Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages.find((s: { Name: string }) => s.Name === name);
const orders = (stage: { Actions: Array<{ Name: string; RunOrder: number }> }) => stage.Actions.map((a) => [a.Name, a.RunOrder]);

function alarm(stack: Stack, id = 'Errors') {
  return new cloudwatch.Alarm(stack, id, { metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: id }), threshold: 1, evaluationPeriods: 1 });
}

describe('addEnvironment', () => {
  test('approval, then before-steps, deployments and after-steps, each group in parallel; rolls back on failure', () => {
    const { pipeline, template } = pipelineWith();
    pipeline.addEnvironment('Production', {
      production: true,
      approval: new ManualApprovalStep('Approve'),
      before: [step('Migrate')],
      deploy: [step('DeployApi'), step('DeployWeb')],
      after: [step('SmokeTest'), step('IntegrationTest')],
    });
    const stage = stageOf(template(), 'Production');
    expect(orders(stage)).toEqual([['Approve', 1], ['Migrate', 2], ['DeployApi', 3], ['DeployWeb', 3], ['SmokeTest', 4], ['IntegrationTest', 4]]);
    expect(stage.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('a non-production environment needs no approval', () => {
    const { pipeline, template } = pipelineWith();
    pipeline.addEnvironment('Staging', { deploy: [step('Deploy')], after: [step('Smoke')] });
    expect(orders(stageOf(template(), 'Staging'))).toEqual([['Deploy', 1], ['Smoke', 2]]);
  });

  test('entry gates on an alarm and a deployment window, bake rules, and retries', () => {
    const stack = newStack();
    const { pipeline, template } = pipelineWith({}, stack);
    pipeline.addEnvironment('Production', {
      production: true,
      waiveApproval: true,
      deploy: [step('Deploy')],
      entryGates: [StageRule.alarm(alarm(stack, 'ProdHealth')), StageRule.deploymentWindow('* * 9-16 ? * MON-THU *', { timeZone: 'Europe/Paris' })],
      bakeRules: [StageRule.alarm(alarm(stack, 'Errors5xx'), { waitTime: Duration.minutes(20) })],
      onFailure: FailureBehavior.RETRY_FAILED_ACTIONS,
    });
    const t = template();
    expect(stageOf(t, 'Production')).toMatchObject({
      BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: [
        { Name: 'Gate1-alarm', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' }, Configuration: { AlarmName: { Ref: expect.stringMatching(/^ProdHealth/) } } },
        { Name: 'Gate2-window', RuleTypeId: expect.objectContaining({ Provider: 'DeploymentWindow' }), Configuration: { Cron: '* * 9-16 ? * MON-THU *', TimeZone: 'Europe/Paris' } },
      ] }] },
      OnSuccess: { Conditions: [{ Result: 'ROLLBACK', Rules: [expect.objectContaining({ Name: 'Bake1-alarm', Configuration: { AlarmName: { Ref: expect.stringMatching(/^Errors5xx/) }, WaitTime: '20' } })] }] },
      OnFailure: { Result: 'RETRY', RetryConfiguration: { RetryMode: 'FAILED_ACTIONS' } },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('PipelineRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'cloudwatch:DescribeAlarms' })]) },
    });
  });

  test('FailureBehavior.FAIL leaves the stage without conditions', () => {
    const { pipeline, template } = pipelineWith();
    pipeline.addEnvironment('Dev', { deploy: [step('Deploy')], onFailure: FailureBehavior.FAIL });
    expect(stageOf(template(), 'Dev').OnFailure).toBeUndefined();
  });

  test('addStage takes conditions too', () => {
    const { pipeline, template } = pipelineWith();
    pipeline.addStage('Checks', { steps: [step('Lint')], conditions: { onFailure: FailureBehavior.RETRY_ALL_ACTIONS } });
    expect(stageOf(template(), 'Checks').OnFailure).toEqual({ Result: 'RETRY', RetryConfiguration: { RetryMode: 'ALL_ACTIONS' } });
  });
});

describe('addWave', () => {
  test('environments deploy in parallel: approvals first, then deployments, then tests', () => {
    const { pipeline, template } = pipelineWith();
    pipeline.addWave('Production', {
      environments: [
        { name: 'us-east-1', production: true, approval: new ManualApprovalStep('Approve'), deploy: [step('DeployUs')], after: [step('SmokeUs')] },
        { name: 'eu-west-1', production: true, waiveApproval: true, deploy: [step('DeployEu')], after: [step('SmokeEu')] },
      ],
    });
    const stage = stageOf(template(), 'Production');
    expect(orders(stage)).toEqual([['Approve', 1], ['DeployUs', 2], ['DeployEu', 2], ['SmokeUs', 3], ['SmokeEu', 3]]);
    expect(stage.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('one approval for the whole wave runs first; its production environments need none of their own', () => {
    const { pipeline, template } = pipelineWith();
    pipeline.addWave('Production', {
      approval: new ManualApprovalStep('Approve'),
      environments: [
        { name: 'us-east-1', production: true, deploy: [step('DeployUs')] },
        { name: 'eu-west-1', production: true, before: [step('MigrateEu')], deploy: [step('DeployEu')] },
      ],
    });
    expect(orders(stageOf(template(), 'Production'))).toEqual([['Approve', 1], ['MigrateEu', 2], ['DeployUs', 3], ['DeployEu', 3]]);
  });

  test('the wave\'s approval is the same as an approval on its first environment', () => {
    const onWave = pipelineWith();
    onWave.pipeline.addWave('P', { approval: new ManualApprovalStep('Approve'), environments: [{ name: 'a', production: true, deploy: [step('A')] }, { name: 'b', production: true, deploy: [step('B')] }] });
    const onFirst = pipelineWith();
    onFirst.pipeline.addWave('P', { environments: [{ name: 'a', production: true, approval: new ManualApprovalStep('Approve'), deploy: [step('A')] }, { name: 'b', production: true, waiveApproval: true, deploy: [step('B')] }] });
    expect(onWave.template().toJSON()).toEqual(onFirst.template().toJSON());
  });
});

describe('environment errors', () => {
  test('fails when a production environment has no approval and none is waived', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addEnvironment('Production', { production: true, deploy: [step('Deploy')] }))
      .toThrow(/environment 'Production' has 1 problem:\n {2}- approval: is missing before a production environment.*Fix: add approval: new ManualApprovalStep/);
  });

  test('fails when an approval is both given and waived, or there is nothing to deploy', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addEnvironment('P', { production: true, approval: new ManualApprovalStep('A'), waiveApproval: true, deploy: [step('D')] })).toThrow(/waiveApproval: is set together with an approval/);
    expect(() => pipeline.addEnvironment('Q', { deploy: [] })).toThrow(/deploy: is empty/);
  });

  test('fails when the environment is in another account without a target, in a region without a store, or is a token', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addEnvironment('Prod', { env: { account: '222222222222', region: 'us-east-1' }, deploy: [step('D')] }))
      .toThrow(/target: is required: environment 'Prod' is in account 222222222222, not the pipeline's \(111111111111\).*Fix: create new DeliveryTargetStack\(app, 'ProdTarget', \{ env: \{ account: '222222222222', region: 'us-east-1' \}, pipelineAccount: '111111111111' \}\)/);
    // An aws-cdk-lib whose CodePipeline L2 no longer keeps its replication buckets where the pipeline adds one.
    delete (pipeline.pipeline as unknown as Record<string, unknown>)._crossRegionSupport;
    expect(() => pipeline.addEnvironment('Prod', { env: { region: 'eu-west-1' }, deploy: [step('D')] }))
      .toThrow(/env\.region: has no artifact store; CodePipeline needs one in every region an action runs in, and this pipeline cannot create one now \(got "eu-west-1"\). Fix: add 'eu-west-1' to the pipeline's deployRegions/);
    expect(() => pipeline.addEnvironment('Prod', { env: { account: Aws.ACCOUNT_ID }, deploy: [step('D')] }))
      .toThrow(/env\.account: is an unresolved token, but the environment must be known at synth/);
    expect(() => pipeline.addEnvironment('Same', { env: { account: '111111111111', region: 'us-east-1' }, deploy: [step('D')] })).not.toThrow();
  });

  test('fails when an environment waives an approval the wave gives', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addWave('W', { approval: new ManualApprovalStep('Approve'), environments: [{ name: 'a', production: true, waiveApproval: true, deploy: [step('X')] }] }))
      .toThrow(/environments\[0\]\.waiveApproval: is set, but the wave's approval runs before this environment \(got true\)\. Fix: remove waiveApproval/);
  });

  test('fails when a wave repeats an environment or step names clash across it', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addWave('W', { environments: [{ name: 'a', deploy: [step('X')] }, { name: 'a', deploy: [step('Y')] }] })).toThrow(/environments: the environment name 'a' is used twice/);
    expect(() => pipeline.addWave('V', { environments: [{ name: 'a', deploy: [step('Deploy')] }, { name: 'b', deploy: [step('Deploy')] }] })).toThrow(/steps: the step name 'Deploy' is used twice \(got "Deploy"\)\. Fix: give each step of the stage a unique name \(a wave's environments share one stage\).*deployStep\(\{ \.\.\., stepName: 'DeployEu' \}\)/);
    expect(() => pipeline.addWave('U', { environments: [] })).toThrow(/environments: is empty/);
  });

  test('fails when conditions are used on a V1 pipeline', () => {
    const { pipeline } = pipelineWith({ pipelineType: codepipeline.PipelineType.V1 });
    expect(() => pipeline.addStage('S', { steps: [step('A')], conditions: { onFailure: FailureBehavior.ROLLBACK } })).toThrow(/conditions: stage conditions .* need a V2 pipeline/);
    expect(() => pipeline.addEnvironment('Dev', { deploy: [step('D')] })).not.toThrow();
  });

  test('fails when a deployment window is written minutes first (as EventBridge or Unix cron), showing the expression AWS reads as meant', () => {
    const { pipeline } = pipelineWith();
    // The form this library wrote before: AWS reads '0' as seconds, '8-16' as minutes and '?' as hours.
    expect(() => pipeline.addEnvironment('A', { deploy: [step('D')], entryGates: [StageRule.deploymentWindow('0 8-16 ? * MON-FRI *')] }))
      .toThrow(/entryGates\[0\]\.cron: seconds is '0', and the deployment window accepts only '\*' there; hours is '\?', which only day-of-month and day-of-week accept;.*Fix: AWS reads the fields seconds first: write '\* 0 8-16 \? \* MON-FRI \*'/);
  });

  test.each([
    ['* * 9-16 ? * MON-FRI *', true], ['* 0/15 9-16 ? * MON-FRI', true], ['* * * L * ?', true], ['* * * 15W * ?', true], ['* * * ? * 6#3', true],
    ['* * * ? JAN-MAR 6L 2027', true], ['* 0 9 ? * mon-fri', true], ['* 60 9 ? * MON', false], ['* * 24 ? * MON', false], ['* * * 32 * ?', false],
    ['* * * ? * 8', false], ['* * * ? * 6#6', false], ['* * * 1 * MON', false], ['* * * ? * ?', false], ['* * * ? * MON 1969', false], ['* * 9 ? * W', false],
  ])('deployment window cron %s is valid: %s', (cron, valid) => {
    const problems = (StageRule.deploymentWindow(cron) as unknown as { _problems(): string[][] })._problems();
    expect(problems.length === 0).toBe(valid);
  });

  test('a Unix cron gets a correction with its days of the week counted from 1 (Sunday), and increments stay in range', () => {
    const problems = (cron: string) => (StageRule.deploymentWindow(cron) as unknown as { _problems(): string[][] })._problems();
    // Unix 1-5 is Monday to Friday; the window counts Sunday as 1, so Monday to Friday is 2-6.
    expect(problems('0 9 * * 1-5')[0][3]).toBe("AWS reads the fields seconds first: write '* 0 9 ? * 2-6'");
    expect(problems('0 9 * * 0')[0][3]).toBe("AWS reads the fields seconds first: write '* 0 9 ? * 1'");
    expect(problems('* */0 * ? * *')[0][2]).toMatch(/minutes '\*\/0': the increment after '\/' must be a number from 1 to 59/);
    expect(problems('* 0/99 * ? * *')).toHaveLength(1);
    expect(problems('* 0/15 * ? * *')).toEqual([]);
  });

  test('fails when the deployment window time zone is not one AWS accepts', () => {
    const { pipeline } = pipelineWith();
    for (const zone of ['Europe/Paris', 'America/Argentina/Buenos_Aires', 'UTC', 'UTC+05:30', 'PST']) {
      expect((StageRule.deploymentWindow('* * 9-16 ? * MON-FRI', { timeZone: zone }) as unknown as { _problems(): string[][] })._problems()).toEqual([]);
    }
    expect(() => pipeline.addEnvironment('A', { deploy: [step('D')], entryGates: [StageRule.deploymentWindow('* * 9-16 ? * MON-FRI', { timeZone: 'Europe/Parisx' })] }))
      .toThrow(/entryGates\[0\]\.timeZone: is not an IANA time zone name \(got "Europe\/Parisx"\)/);
    expect(() => pipeline.addEnvironment('B', { deploy: [step('E')], entryGates: [StageRule.deploymentWindow('* * 9-16 ? * MON-FRI', { timeZone: 'UTC+5' })] }))
      .toThrow(/entryGates\[0\]\.timeZone: is not a time zone the deployment window accepts/);
  });

  test('fails when alarm or deployment-window gates would skip the stage (CodePipeline skips only on LambdaInvoke and VariableCheck rules)', () => {
    const stack = newStack();
    const { pipeline } = pipelineWith({}, stack);
    expect(() => pipeline.addEnvironment('A', { deploy: [step('D')], entryGates: [StageRule.alarm(alarm(stack))], entryResult: EntryResult.SKIP }))
      .toThrow(/entryResult: skips the stage only with LambdaInvoke or VariableCheck rules, and the gates are CloudWatchAlarm \(got "SKIP"\)\. Fix: use EntryResult\.FAIL/);
  });

  test('fails when a condition has more than 5 rules', () => {
    const stack = newStack();
    const { pipeline } = pipelineWith({}, stack);
    const gates = [1, 2, 3, 4, 5, 6].map((i) => StageRule.alarm(alarm(stack, `A${i}`)));
    expect(() => pipeline.addEnvironment('A', { deploy: [step('D')], entryGates: gates })).toThrow(/entryGates: has 6 rules; a stage condition takes at most 5/);
  });

  test('fails when rules are malformed or lists are empty', () => {
    const stack = newStack();
    const { pipeline } = pipelineWith({}, stack);
    expect(() => pipeline.addEnvironment('A', { deploy: [step('D')], entryGates: [StageRule.deploymentWindow('0 9 * * *')] }))
      .toThrow(/entryGates\[0\]\.cron: has 5 fields; the deployment window takes 6 or 7 \(seconds minutes hours day-of-month month day-of-week \[year\]\) \(got "0 9 \* \* \*"\)\. Fix: AWS reads the fields seconds first: write '\* 0 9 \* \* \?'/);
    expect(() => pipeline.addEnvironment('B', { deploy: [step('E')], bakeRules: [StageRule.alarm(alarm(stack), { waitTime: Duration.seconds(90) })] })).toThrow(/bakeRules\[0\]\.waitTime: must be a whole number of minutes/);
    expect(() => pipeline.addEnvironment('C', { deploy: [step('F')], entryGates: [] })).toThrow(/entryGates: is an empty list/);
  });
});
