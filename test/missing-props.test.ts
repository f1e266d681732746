import { Stack } from 'aws-cdk-lib';
import {
  ArtifactStoreStack, BuildStep, CodeConnection, DeliveryPipeline, DeliveryTarget, DeliveryTargetStack, EcsBlueGreenDeployment, LambdaDeployment,
  ServerBlueGreenDeployment, ServerDeployment, Source,
} from '../lib';
import { newApp, newStack } from './util';

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
  ['ConnectionSource', () => Source.connection('my-org/shop', undefined as never)],
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
