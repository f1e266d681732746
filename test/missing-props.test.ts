import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  ArtifactStoreStack, BuildSecret, BuildStep, CodeConnection, DeliveryPipeline, DeploymentAlarms, DeliveryTarget, DeliveryTargetStack, DeploymentStrategy, EcsBlueGreenDeployment, LambdaDeployment,
  ManualApprovalStep, ServerAppSpec, ServerBlueGreenDeployment, ServerDeployment, Source,
} from '../lib';
import { DeliveryValidationError } from '../lib/private/validation';
import { CONNECTION_ARN, newApp, newStack } from './util';

// JavaScript callers (and other jsii languages passing null) can leave out required props: they get
// our error naming the construct, never a TypeError from reading a prop of undefined.
type Make = (stack: Stack) => unknown;
const constructs: Array<[string, Make]> = [
  ['DeliveryPipeline', (s) => new DeliveryPipeline(s, 'X', undefined as never)],
  ['DeliveryTarget', (s) => new DeliveryTarget(s, 'X', undefined as never)],
  ['DeliveryTargetStack', () => new DeliveryTargetStack(newApp(), 'X', undefined as never)],
  ['ServerDeployment', (s) => new ServerDeployment(s, 'X', undefined as never)],
  ['ServerBlueGreenDeployment', (s) => new ServerBlueGreenDeployment(s, 'X', undefined as never)],
  ['EcsBlueGreenDeployment', (s) => new EcsBlueGreenDeployment(s, 'X', undefined as never)],
  ['LambdaDeployment', (s) => new LambdaDeployment(s, 'X', undefined as never)],
  ['CodeConnection', (s) => new CodeConnection(s, 'X', undefined as never)],
  ['BuildStep', () => new BuildStep('X', undefined as never)],
  ['Source.connection', () => Source.connection('my-org/shop', undefined as never)],
];

describe.each(constructs)('%s', (name, make) => {
  test('fails when its props are missing', () => {
    expect(() => make(newStack())).toThrow(new RegExp(`${name}.*has 1 problem:\\n {2}- props: is required \\(got undefined\\)\\. Fix: pass the props object`));
  });
});

test('fails when required props are missing from an empty props object', () => {
  const stack = newStack();
  expect(() => new LambdaDeployment(stack, 'L', {} as never)).toThrow(/function: is required/);
  expect(() => new CodeConnection(stack, 'C', {} as never)).toThrow(/connectionName: is required/);
  expect(() => new DeliveryTarget(stack, 'T', {} as never)).toThrow(/pipelineAccount: is not a 12-digit AWS account id/);
  expect(() => new ArtifactStoreStack(newApp(), 'S')).toThrow(/env: the account and region are unresolved tokens/);
});

// Values of the wrong JavaScript type, nulls, and misspelled props end in our error naming the
// entry point, the prop, the value and the fix (checked against the jsii assembly's shapes).
describe('wrong types and unknown props', () => {
  const fails = (run: () => unknown, message: RegExp) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeliveryValidationError);
    expect((error as Error).message).toMatch(message);
  };

  test.each<[string, () => unknown, RegExp]>([
    ['Source.codeCommit(undefined)', () => Source.codeCommit(undefined as never), /^Source\.codeCommit has 1 problem:\n {2}- props: is required \(got undefined\)\. Fix: pass the props object \(CodeCommitSourceProps\)/],
    ['ServerAppSpec({ files: {} })', () => new ServerAppSpec({ files: {} as never }), /^ServerAppSpec has 1 problem:\n {2}- files: is an object, but a list of AppSpecFile objects is expected \(got \{\}\)/],
    ["BuildSecret.fromSecretNameOrArn('X', 5)", () => BuildSecret.fromSecretNameOrArn('X', 5 as never), /^BuildSecret\.fromSecretNameOrArn has 1 problem:\n {2}- secretNameOrArn: is a number, but a string is expected \(got 5\)\. Fix: give a string/],
    ["ManualApprovalStep('A', { comment: null })", () => new ManualApprovalStep('A', { comment: null as never }), /^ManualApprovalStep 'A' has 1 problem:\n {2}- comment: is null \(got null\)\. Fix: leave it out \(undefined\) for its default/],
    ["BuildStep commands: 'npm test'", () => new BuildStep('Build', { commands: 'npm test' as never }), /- commands: is a string, but a list of strings is expected \(got "npm test"\)/],
    ['DeploymentStrategy.canary({ percent: NaN })', () => DeploymentStrategy.canary({ percent: NaN, interval: Duration.minutes(5) }), /- percent: is NaN, but a number is expected/],
  ])('%s', (_name, run, message) => fails(run, message));

  test.each<[string, () => unknown, RegExp]>([
    ['notifyEmail', () => new ManualApprovalStep('A', { notifyEmail: ['a@example.com'] } as never), /- notifyEmail: is not a prop of ManualApprovalStepProps \(got \["a@example\.com"\]\)\. Fix: did you mean 'notifyEmails'\?/],
    ['outpts', () => new BuildStep('Build', { commands: ['make'], outpts: ['**/*'] } as never), /- outpts: is not a prop of BuildStepProps .*Fix: did you mean 'outputs'\?/],
    ['brach', () => Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN, brach: 'main' } as never), /- brach: is not a prop of ConnectionSourceProps .*Fix: did you mean 'branch'\?/],
  ])('a misspelled prop (%s) is reported with a did-you-mean', (_name, run, message) => fails(run, message));

  test('a props object of the right shape passes, and nested structs are checked too', () => {
    expect(() => new ServerAppSpec({ files: [{ source: '/', destination: '/opt/app' }] })).not.toThrow();
    fails(() => new ServerAppSpec({ hooks: [{ lifecycleEvent: 'ApplicationStart', location: 7 }] } as never), /- hooks\[0\]\.location: is a number, but a string is expected \(got 7\)/);
  });
});

test('methods check their arguments too: addEnvironment, deployStep, addStage', () => {
  const stack = newStack();
  const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN }), buildStep: new BuildStep('Build', { commands: ['make'] }) });
  expect(() => pipeline.addStage('Checks', { step: [] } as never)).toThrow(/DeliveryPipeline\.addStage has 1 problem:\n {2}- step: is not a prop of DeliveryStageOptions \(got \[\]\)\. Fix: did you mean 'steps'\?/);
  expect(() => pipeline.addEnvironment('Dev', null as never)).toThrow(/DeliveryPipeline\.addEnvironment has 1 problem:\n {2}- options: is required \(got null\)\. Fix: pass the options object \(EnvironmentOptions\)/);
});

test('an empty construct id and an alarm period CloudWatch does not take end in our error', () => {
  expect(() => new DeliveryPipeline(newStack(), '', { source: Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN }), buildStep: new BuildStep('Build', { commands: ['make'] }) }))
    .toThrow(/DeliveryPipeline '' has 1 problem:\n {2}- id: is empty \(got ""\)\. Fix: give the construct an id, unique among its siblings/);
  const stack = newStack();
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
  expect(() => DeploymentAlarms.functionErrors(stack, 'Errors', fn, { period: Duration.seconds(90) }))
    .toThrow(/DeploymentAlarms 'Errors' has 1 problem:\n {2}- period: is not a period CloudWatch alarms take \(got "90 seconds"\)\. Fix: use 1, 5, 10 or 30 seconds, or a whole number of minutes/);
});

test('a subclass of a library class is checked against the props its parent receives', () => {
  class LintStep extends BuildStep {
    constructor(name: string, extraCommand: string) {
      super(name, { commands: ['npm run lint', extraCommand] });
    }
  }
  expect(new LintStep('Lint', 'npm run format:check').stepName).toBe('Lint');
  expect(() => new LintStep('Lint', 7 as never)).toThrow(/LintStep 'Lint' has 1 problem:\n {2}- commands\[1\]: is a number, but a string is expected \(got 7\)/);
});
