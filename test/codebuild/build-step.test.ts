import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { BuildStep, BuildStepProps, DeliveryPipeline } from '../../lib';
import { githubSource, newStack } from '../util';

function synth(props: BuildStepProps) {
  const stack = newStack();
  const step = new BuildStep('Build', props);
  const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: step });
  return { step, pipeline, t: Template.fromStack(stack) };
}

function buildSpecOf(t: Template): string {
  const project = Object.values(t.findResources('AWS::CodeBuild::Project'))[0];
  return project.Properties.Source.BuildSpec;
}

function buildAction(t: Template) {
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0];
  return pipeline.Properties.Stages[1].Actions[0];
}

describe('BuildStep defaults', () => {
  const { t, step, pipeline } = synth({ commands: ['npm ci', 'npm test'] });

  test('runs on the standard Linux image, small compute, without privileged mode', () => {
    t.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: { ComputeType: 'BUILD_GENERAL1_SMALL', Image: 'aws/codebuild/standard:7.0', PrivilegedMode: false, Type: 'LINUX_CONTAINER' },
      Source: { Type: 'CODEPIPELINE' },
    });
  });

  test('encrypts with the pipeline key', () => {
    t.hasResourceProperties('AWS::CodeBuild::Project', { EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactKey'), 'Arn'] } });
  });

  test('logs to its own log group, kept three months', () => {
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    t.hasResourceProperties('AWS::CodeBuild::Project', {
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('StagesBuildLogs') } } },
    });
  });

  test('writes a bash buildspec with the build phase and no artifacts', () => {
    expect(buildSpecOf(t)).toBe([
      'version: "0.2"',
      'env:',
      '  shell: bash',
      'phases:',
      '  build:',
      '    commands:',
      '      - npm ci',
      '      - npm test',
      '',
    ].join('\n'));
  });

  test('its role has exactly the statements the build needs', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('StagesBuildRole') }],
      PolicyDocument: {
        Statement: [
          { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('StagesBuildLogs'), 'Arn'] } },
          { Sid: 'LocateArtifactBucket', Effect: 'Allow', Action: ['s3:GetBucketAcl', 's3:GetBucketLocation'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactBucket'), 'Arn'] } },
          // The pipeline has no literal name, so its folder is any: '*/' (see test/pipeline/artifact-access.test.ts).
          { Sid: 'ReadInputArtifacts', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactBucket'), 'Arn'] }, '/*/Source_Sou*/*']] } },
          { Sid: 'UseArtifactKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactKey'), 'Arn'] } },
        ],
      },
    });
  });

  test('its role trusts CodeBuild from this account only', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }] },
    });
  });

  test('no role in the stack can write to the /aws/codebuild log groups', () => {
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toContain('/aws/codebuild/');
  });

  test('reads the primary source output and exposes project and role', () => {
    expect(buildAction(t)).toMatchObject({ Name: 'Build', RunOrder: 1, InputArtifacts: [{ Name: 'Source_Source' }] });
    expect(buildAction(t).OutputArtifacts).toBeUndefined();
    expect(step.output).toBeUndefined();
    expect(step.project).toBeInstanceOf(codebuild.PipelineProject);
    expect(step.role.roleArn).toBeDefined();
    expect(pipeline.primaryOutput).toBe(pipeline.sources[0].output);
  });
});

describe('BuildStep props', () => {
  test('phases, outputs and the base directory go into the buildspec', () => {
    const { t, step } = synth({
      installCommands: ['npm ci'],
      preBuildCommands: ['npm run lint'],
      commands: ['npm run build'],
      postBuildCommands: ['echo done'],
      outputs: ['**/*'],
      outputBaseDirectory: 'dist',
    });
    expect(buildSpecOf(t)).toBe([
      'version: "0.2"',
      'env:',
      '  shell: bash',
      'phases:',
      '  install:',
      '    commands:',
      '      - npm ci',
      '  pre_build:',
      '    commands:',
      '      - npm run lint',
      '  build:',
      '    commands:',
      '      - npm run build',
      '  post_build:',
      '    commands:',
      '      - echo done',
      'artifacts:',
      '  files:',
      '    - "**/*"',
      '  base-directory: dist',
      '',
    ].join('\n'));
    expect(step.output).toBeInstanceOf(codepipeline.Artifact);
    expect(buildAction(t).OutputArtifacts).toEqual([{ Name: 'Build_Output' }]);
  });

  test('an output lets the role write its folder', () => {
    synth({ commands: ['make'], outputs: ['out/**'] }).t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'WriteOutputArtifacts',
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactBucket'), 'Arn'] }, '/*/Build_Outp*/*']] },
        })]),
      },
    });
  });

  test('constant variables go into the buildspec, references into the action', () => {
    const { t } = synth({
      commands: ['make'],
      environmentVariables: [{ name: 'STAGE', value: 'prod' }, { name: 'COMMIT', value: '#{Source.CommitId}' }],
    });
    expect(buildSpecOf(t)).toContain('  variables:\n    STAGE: prod\n');
    expect(buildSpecOf(t)).not.toContain('COMMIT');
    expect(JSON.parse(buildAction(t).Configuration.EnvironmentVariables)).toEqual([{ name: 'COMMIT', type: 'PLAINTEXT', value: '#{Source.CommitId}' }]);
  });

  test('compute, image, timeout and log retention are configurable', () => {
    const { t } = synth({
      commands: ['make'],
      computeType: codebuild.ComputeType.LARGE,
      buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0,
      timeout: Duration.minutes(30),
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    t.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_LARGE', Type: 'ARM_CONTAINER' }),
      TimeoutInMinutes: 30,
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('input reads another artifact', () => {
    const stack = newStack();
    const first = new BuildStep('Compile', { commands: ['make'], outputs: ['bin/**'] });
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: first });
    pipeline.addStage('Package', { steps: [new BuildStep('Package', { commands: ['zip -r app.zip bin'], input: first.output })] });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Package', Actions: [Match.objectLike({ InputArtifacts: [{ Name: 'Compile_Output' }] })] })]),
    });
  });
});

describe('BuildStep images and roles', () => {
  test('an ECR image can be pulled by the build role', () => {
    const stack = newStack();
    const repo = new ecr.Repository(stack, 'Images');
    const step = new BuildStep('Build', { commands: ['make'], buildImage: codebuild.LinuxBuildImage.fromEcrRepository(repo, 'builder') });
    new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: step });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('StagesBuildRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ecr:BatchGetImage']), Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Images'), 'Arn'] } })]) },
    });
  });

  test('a Windows image runs its default shell and compute type', () => {
    const { t } = synth({ commands: ['dir'], buildImage: codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE_3_0 });
    expect(buildSpecOf(t)).not.toContain('shell');
    t.hasResourceProperties('AWS::CodeBuild::Project', { Environment: Match.objectLike({ Type: 'WINDOWS_SERVER_2019_CONTAINER', ComputeType: 'BUILD_GENERAL1_MEDIUM' }) });
  });

  test('a passed-in role gets the build statements and is used as is', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'MyBuildRole', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const step = new BuildStep('Build', { commands: ['make'], role });
    new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: step });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodeBuild::Project', { ServiceRole: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyBuildRole'), 'Arn'] } });
    t.hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp('^MyBuildRole') }], PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] })]) } });
    expect(step.role).toBe(role);
    expect(step.logGroup).toBeDefined();
  });
});

describe('BuildStep errors', () => {
  test('fails when referenced variables do not fit in the action configuration', () => {
    const env = Array.from({ length: 30 }, (_, i) => ({ name: `COMMIT_${i}`, value: '#{Source.CommitId}' }));
    expect(() => new BuildStep('Build', { commands: ['make'], environmentVariables: env })).toThrow(/environmentVariables: the variables holding #\{\.\.\.\} references are passed in the action's configuration, which CodePipeline limits to 1000 characters/);
  });

  test('fails when there are no commands', () => {
    expect(() => new BuildStep('Build', { commands: [] })).toThrow(/BuildStep 'Build' has 1 problem:\n {2}- commands: is an empty list \(CodeBuild rejects empty phases\) \(got \[\]\)/);
    expect(() => new BuildStep('Build', {})).toThrow(/commands: the build phase has no commands/);
  });

  test('fails when a command is empty', () => {
    expect(() => new BuildStep('Build', { commands: ['make', ' '], installCommands: [''] })).toThrow(/installCommands\[0\]: is an empty command[\s\S]*commands\[1\]: is an empty command/);
  });

  test('fails when the step name breaks the naming rules', () => {
    expect(() => new BuildStep('Build & test', { commands: ['make'] })).toThrow(/name: is not a valid action name \(got "Build & test"\)/);
  });

  test.each([Duration.minutes(4), Duration.minutes(2161), Duration.seconds(330)])('fails when the timeout is %s', (timeout) => {
    expect(() => new BuildStep('Build', { commands: ['make'], timeout })).toThrow(/timeout: must be a whole number of minutes from 5 to 2160/);
  });

  test('fails when a variable name is invalid, reserved or repeated', () => {
    expect(() => new BuildStep('Build', { commands: ['make'], environmentVariables: [{ name: '1X', value: 'a' }, { name: 'CODEBUILD_X', value: 'b' }, { name: 'A', value: 'c' }, { name: 'A', value: 'd' }] }))
      .toThrow(/environmentVariables\[0\]\.name: is not a valid environment variable name[\s\S]*environmentVariables\[1\]\.name: starts with CODEBUILD_[\s\S]*environmentVariables\[3\]\.name: is also given as environmentVariables\[2\]\.name/);
  });

  test('names the new prop when a renamed one is given (env became environmentVariables)', () => {
    const props = { commands: ['make'], env: [{ name: 'A', value: 'b' }] } as unknown as BuildStepProps;
    expect(() => new BuildStep('Build', props)).toThrow(/env: is not a prop of BuildStepProps .*Fix: it was renamed to 'environmentVariables' in cdk-delivery 0\.x: use environmentVariables/);
  });

  test('fails when outputs is empty or has an empty glob', () => {
    expect(() => new BuildStep('Build', { commands: ['make'], outputs: [] })).toThrow(/outputs: is an empty list/);
    expect(() => new BuildStep('Build', { commands: ['make'], outputs: [''] })).toThrow(/outputs\[0\]: is an empty glob/);
  });

  test('fails when outputBaseDirectory is given without outputs', () => {
    expect(() => new BuildStep('Build', { commands: ['make'], outputBaseDirectory: 'dist' })).toThrow(/outputBaseDirectory: is given without outputs/);
  });

  test('fails when the project is read before the step is in a pipeline', () => {
    const step = new BuildStep('Build', { commands: ['make'] });
    expect(() => step.project).toThrow(/BuildStep 'Build' has 1 problem:\n {2}- project: is created when the step is added to a pipeline \(got not created yet\)\. Fix: read project after adding the step to a pipeline/);
    expect(() => step.role).toThrow(/role: is created when the step is added to a pipeline/);
    expect(() => step.logGroup).toThrow(/logGroup: is created/);
    expect(() => step.reportGroups).toThrow(/reportGroups: is created/);
  });
});
