import { App, Aws, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as fc from 'fast-check';
import * as lib from '../lib';
import { API_SHAPES } from '../lib/private/api-shapes';
import { DeliveryValidationError } from '../lib/private/validation';
import { CONNECTION_ARN, ENV } from './util';

// Every public constructor, static factory and pipeline method, called with values of any
// JavaScript type in every position (nulls, NaN, functions, objects for lists, lists for strings),
// tokens of every kind, and values of the declared type: the result is a value or our error
// (DeliveryValidationError), never a TypeError or an error from inside aws-cdk-lib. Seeded and bounded.
const SEED = 20261203;
const RUNS = 5200;

type Shape = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the generated shapes

const tokens = fc.constantFrom<unknown>(
  Aws.ACCOUNT_ID, Token.asString({ Ref: 'Param' }), Lazy.string({ produce: () => 'lazy' }), Lazy.number({ produce: () => 5 }),
  Token.asList({ Ref: 'ListParam' }), Lazy.list({ produce: () => ['a'] }), Token.asNumber({ Ref: 'NumberParam' }),
);
const wild = fc.oneof(
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
  tokens,
  fc.constantFrom<unknown>(null, undefined, NaN, Infinity, -1, 0, '', ' ', [], {}, () => 1, true, 'x'.repeat(2000), [null], [undefined]),
);

/** Real objects for class and interface types, made once in a fixture stack. */
const fixture = new Stack(new App(), 'Fixture', { env: ENV });
const pool: { [fqn: string]: unknown[] } = {
  'aws-cdk-lib.Duration': [Duration.minutes(5), Duration.seconds(90), Duration.hours(100)],
  'aws-cdk-lib.aws_iam.IRole': [new iam.Role(fixture, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') })],
  'aws-cdk-lib.aws_s3.IBucket': [new s3.Bucket(fixture, 'Bucket')],
  'aws-cdk-lib.aws_sns.ITopic': [new sns.Topic(fixture, 'Topic')],
  'aws-cdk-lib.aws_kms.IKey': [new kms.Key(fixture, 'Key')],
  'aws-cdk-lib.aws_ec2.IVpc': [ec2.Vpc.fromVpcAttributes(fixture, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-1'] })],
  'aws-cdk-lib.aws_codepipeline.Artifact': [new codepipeline.Artifact('Out')],
  'aws-cdk-lib.aws_cloudwatch.IAlarm': [new cloudwatch.Alarm(fixture, 'Alarm', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'm' }), threshold: 1, evaluationPeriods: 1 })],
  'aws-cdk-lib.aws_lambda.IFunction': [new lambda.Function(fixture, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') })],
  'cdk-delivery.ISource': [lib.Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN })],
  'cdk-delivery.IStep': [new lib.BuildStep('Step', { commands: ['make'] })],
};

function arb(shape: Shape, depth = 0): fc.Arbitrary<unknown> {
  let typed: fc.Arbitrary<unknown>;
  if (shape === 's') typed = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('main', 'my-org/shop', 'a@example.com', 'https://x.example.com', '#{Source.CommitId}'), tokens);
  else if (shape === 'n') typed = fc.oneof(fc.integer({ min: -10, max: 5000 }), fc.double(), tokens);
  else if (shape === 'b') typed = fc.boolean();
  else if (shape === 'a') typed = wild;
  else if (depth > 2) typed = fc.constant(undefined);
  else if ('l' in shape) typed = fc.array(arb(shape.l, depth + 1), { maxLength: 3 });
  else if ('m' in shape) typed = fc.dictionary(fc.string({ maxLength: 6 }), arb(shape.m, depth + 1), { maxKeys: 3 });
  else if ('e' in shape) typed = fc.constantFrom(...shape.e);
  else if ('u' in shape) typed = fc.oneof(...shape.u.map((u: Shape) => arb(u, depth + 1)));
  else if ('s' in shape) {
    const props = API_SHAPES.structs[shape.s]?.p ?? {};
    typed = fc.record(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, arb((p as { t: Shape }).t, depth + 1)])), { requiredKeys: [] });
  } else typed = pool[shape.o] ? fc.constantFrom(...pool[shape.o]) : fc.constant(undefined);
  return fc.oneof({ weight: 4, arbitrary: typed }, { weight: 1, arbitrary: wild });
}

/** What a call may end in: a value or our error, never a crash or an error from deeper down. */
function call(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof DeliveryValidationError)) {
      throw new Error(`not our error: ${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack?.split('\n').slice(1, 4).join('\n')}`, { cause: e });
    }
  }
}

// The entry points: class (or static factory) to call, by the shapes' key.
const entries = Object.entries(API_SHAPES.methods as { [key: string]: Array<{ n: string; t: Shape }> })
  .filter(([key]) => !/#(bind|visit|sid|extraProjectVariables)$/.test(key) && !key.startsWith('cdk-delivery.DeliveryChecks'));

function target(key: string): ((args: unknown[]) => unknown) | undefined {
  const [, cls, sep, member] = /^cdk-delivery\.([A-Za-z0-9]+)([.#])(.+)$/.exec(key)!;
  const Class = (lib as unknown as { [name: string]: any })[cls]; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!Class) return undefined;
  if (member === 'new') return (args) => new Class(...args);
  if (sep === '.') return (args) => Class[member](...args);
  if (cls === 'DeliveryPipeline') {
    return (args) => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      const pipeline = new lib.DeliveryPipeline(stack, 'P', { source: lib.Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN }), buildStep: new lib.BuildStep('Build', { commands: ['make'] }) });
      return (pipeline as unknown as { [m: string]: (...a: unknown[]) => unknown })[member](...args);
    };
  }
  return undefined;
}

describe('any value in any position ends in our error or a result, never a crash', () => {
  const callable = entries.map(([key, params]) => ({ key, params, fn: target(key) })).filter((e) => e.fn);
  // A DeliveryPipeline method needs a fresh pipeline per call (~30 ms): those get fewer runs, the
  // rest share what is left of RUNS, so the total stays RUNS or more.
  const heavy = (key: string) => key.startsWith('cdk-delivery.DeliveryPipeline#') && !key.endsWith('#new');
  const HEAVY_RUNS = 25;
  const heavyCount = callable.filter((e) => heavy(e.key)).length;
  const lightRuns = Math.ceil((RUNS - heavyCount * HEAVY_RUNS) / (callable.length - heavyCount));
  const runsOf = (key: string) => (heavy(key) ? HEAVY_RUNS : lightRuns);

  test.each(callable.map((e) => [e.key, e] as const))('%s', (_key, { params, fn }) => {
    const args = fc.tuple(...params.map((p) => (p.n === 'scope' ? fc.constant(undefined) : arb(p.t))));
    fc.assert(fc.property(args, (values) => {
      // A fresh scope for constructs, so ids never clash between runs.
      const scoped = params.map((p, i) => (p.n === 'scope' ? new Stack(new App(), 'Fuzz', { env: ENV }) : values[i]));
      call(() => fn!(scoped));
    }), { seed: SEED, numRuns: runsOf(_key) });
  });

  test('covers the public entry points, 5,000 calls or more', () => {
    expect(callable.reduce((sum, e) => sum + runsOf(e.key), 0)).toBeGreaterThanOrEqual(5000);
    expect(callable.length).toBeGreaterThanOrEqual(60);
  });
});
