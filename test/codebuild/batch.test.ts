import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { parse } from 'yaml';
import { BatchBuild, BuildStep, BuildStepProps, DeliveryPipeline } from '../../lib';
import { githubSource, newStack } from '../util';

function synth(props: BuildStepProps) {
  const stack = newStack();
  const step = new BuildStep('Build', props);
  new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: step });
  const t = Template.fromStack(stack);
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0];
  return { t, spec: parse(step.buildSpecYaml()), action: pipeline.Properties.Stages[1].Actions[0] };
}

describe('batch builds', () => {
  test('a matrix runs one build per combination, limited to that many builds', () => {
    const { t, spec, action } = synth({
      commands: ['npm test'],
      outputs: ['dist/**'],
      batch: BatchBuild.matrix({ variables: [{ name: 'NODE_VERSION', values: ['20', '22'] }, { name: 'DB', values: ['pg', 'mysql'] }], timeout: Duration.minutes(90) }),
    });
    expect(spec.batch).toEqual({ 'fast-fail': true, 'build-matrix': { dynamic: { env: { variables: { NODE_VERSION: ['20', '22'], DB: ['pg', 'mysql'] } } } } });
    t.hasResourceProperties('AWS::CodeBuild::Project', {
      BuildBatchConfig: { ServiceRole: Match.anyValue(), Restrictions: { MaximumBuildsAllowed: 4 }, TimeoutInMins: 90 },
    });
    expect(action.Configuration).toMatchObject({ BatchEnabled: 'true', CombineArtifacts: 'true' });
  });

  test('the batch role may start, stop and retry builds of exactly this project, and the action starts batches', () => {
    const { t } = synth({ commands: ['make'], batch: BatchBuild.matrix({ variables: [{ name: 'V', values: ['1'] }] }) });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['codebuild:RetryBuild', 'codebuild:StartBuild', 'codebuild:StopBuild'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('StagesBuildProject'), 'Arn'] } }] },
    });
  });

  test('a graph renders builds with dependencies, variables, compute and buildspecs', () => {
    const { spec, t } = synth({
      commands: ['make'],
      batch: BatchBuild.graph({
        builds: [
          { identifier: 'compile' },
          { identifier: 'unit', dependsOn: ['compile'], environmentVariables: [{ name: 'SUITE', value: 'unit' }], computeType: codebuild.ComputeType.MEDIUM },
          { identifier: 'docs', buildSpecFile: 'docs/buildspec.yml', ignoreFailure: true },
        ],
        fastFail: false,
        maximumBuilds: 5,
      }),
    });
    expect(spec.batch).toEqual({
      'fast-fail': false,
      'build-graph': [
        { identifier: 'compile' },
        { 'identifier': 'unit', 'env': { 'variables': { SUITE: 'unit' }, 'compute-type': 'BUILD_GENERAL1_MEDIUM' }, 'depend-on': ['compile'] },
        { 'identifier': 'docs', 'buildspec': 'docs/buildspec.yml', 'ignore-failure': true },
      ],
    });
    t.hasResourceProperties('AWS::CodeBuild::Project', { BuildBatchConfig: Match.objectLike({ Restrictions: { MaximumBuildsAllowed: 5 } }) });
  });

  test('without outputs the artifacts are not combined', () => {
    const { action } = synth({ commands: ['make'], batch: BatchBuild.matrix({ variables: [{ name: 'V', values: ['1', '2'] }] }) });
    expect(action.Configuration.CombineArtifacts).toBeUndefined();
  });
});

describe('batch errors', () => {
  const fails = (batch: BatchBuild, message: RegExp) => expect(() => new BuildStep('Build', { commands: ['make'], batch })).toThrow(message);

  test('fails when the matrix is empty or a variable has no values or is repeated', () => {
    fails(BatchBuild.matrix({ variables: [] }), /batch\.variables: is empty/);
    fails(BatchBuild.matrix({ variables: [{ name: 'V', values: [] }] }), /batch\.variables\[0\]\.values: is empty/);
    fails(BatchBuild.matrix({ variables: [{ name: 'V', values: ['1'] }, { name: 'V', values: ['2'] }] }), /batch\.variables\[1\]\.name: is given twice/);
    fails(BatchBuild.matrix({ variables: [{ name: 'V-1', values: ['1'] }] }), /batch\.variables\[0\]\.name: is not a valid environment variable name/);
  });

  test('fails when the limit is below the builds defined', () => {
    fails(BatchBuild.matrix({ variables: [{ name: 'A', values: ['1', '2', '3'] }], maximumBuilds: 2 }), /batch\.maximumBuilds: is less than the 3 builds the batch defines, so the batch would fail \(got 2\)/);
    fails(BatchBuild.matrix({ variables: [{ name: 'A', values: ['1'] }], maximumBuilds: 0 }), /batch\.maximumBuilds: must be a whole number of at least 1/);
  });

  test('fails when graph builds are repeated, unknown, self-dependent or cyclic', () => {
    fails(BatchBuild.graph({ builds: [] }), /batch\.builds: is empty/);
    fails(BatchBuild.graph({ builds: [{ identifier: 'a' }, { identifier: 'a' }] }), /batch\.builds\[1\]\.identifier: is used twice/);
    fails(BatchBuild.graph({ builds: [{ identifier: 'a', dependsOn: ['b'] }] }), /batch\.builds\[0\]\.dependsOn: names no build of the graph \(got "b"\)/);
    fails(BatchBuild.graph({ builds: [{ identifier: 'a', dependsOn: ['a'] }] }), /batch\.builds\[0\]\.dependsOn: is the build itself/);
    fails(BatchBuild.graph({ builds: [{ identifier: 'a', dependsOn: ['b'] }, { identifier: 'b', dependsOn: ['a'] }] }), /batch\.builds: the dependencies form a cycle \(got "a -> b -> a"\)/);
    fails(BatchBuild.graph({ builds: [{ identifier: 'a-b' }] }), /batch\.builds\[0\]\.identifier: is not a valid build identifier/);
  });

  test('fails when the batch timeout is not whole minutes', () => {
    fails(BatchBuild.matrix({ variables: [{ name: 'A', values: ['1'] }], timeout: Duration.seconds(90) }), /batch\.timeout: must be a whole number of minutes, at least 1/);
  });

  test('fails when a batch has secondary outputs or does not combine its outputs', () => {
    expect(() => new BuildStep('Build', { commands: ['make'], outputs: ['x'], secondaryOutputs: [{ name: 'Docs', files: ['d'] }], batch: BatchBuild.matrix({ variables: [{ name: 'A', values: ['1'] }] }) }))
      .toThrow(/secondaryOutputs: cannot be combined with a batch build/);
    expect(() => new BuildStep('Build', { commands: ['make'], outputs: ['x'], batch: BatchBuild.matrix({ variables: [{ name: 'A', values: ['1'] }], combineArtifacts: false }) }))
      .toThrow(/batch\.combineArtifacts: a batch with outputs must combine them/);
  });

  test('fails when a graph build variable looks like a credential', () => {
    fails(BatchBuild.graph({ builds: [{ identifier: 'a', environmentVariables: [{ name: 'DB_PASSWORD', value: 'x' }] }] }), /batch\.builds\[0\]\.environmentVariables\[0\]\.name: looks like a credential/);
  });
});
