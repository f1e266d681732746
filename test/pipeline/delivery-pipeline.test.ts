import { Aws, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { BuildStep, DeliveryPipeline, IStep, ManualApprovalStep, PipelineVariable, Source } from '../../lib';
import { CONNECTION_ARN, build, githubSource, newStack, pipelineWith } from '../util';

describe('DeliveryPipeline defaults', () => {
  const { template, pipeline } = pipelineWith();
  const t = template();

  test('is a V2 pipeline in QUEUED mode with a source and a build stage', () => {
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      ExecutionMode: 'QUEUED',
      RestartExecutionOnUpdate: false,
      Stages: [
        Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ Name: 'Source' })] }),
        Match.objectLike({ Name: 'Build', Actions: [Match.objectLike({ Name: 'Build', RunOrder: 1 })] }),
      ],
    });
  });

  test('stores artifacts encrypted with its own KMS key', () => {
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStore: {
        Type: 'S3',
        EncryptionKey: { Type: 'KMS', Id: { 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactKey'), 'Arn'] } },
        Location: { Ref: Match.stringLikeRegexp('ArtifactBucket') },
      },
    });
  });

  test('creates a key with rotation on, retained with the bucket', () => {
    t.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('creates an artifact bucket: KMS, versioned, public access blocked, logged, expiring after 30 days', () => {
    t.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactKey'), 'Arn'] } },
          }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') }, LogFilePrefix: 'artifact-bucket/' },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ Id: 'ExpireOldArtifacts', Status: 'Enabled', ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })],
        },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('denies non-SSL access to the artifact bucket', () => {
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('ArtifactBucket') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('lets only the S3 logging service for this bucket write access logs', () => {
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('AccessLogs') },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('ArtifactBucket'), 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '111111111111' } },
        })]),
      },
    });
  });

  test('exposes what it creates', () => {
    expect(pipeline.pipeline).toBeInstanceOf(codepipeline.Pipeline);
    expect(pipeline.artifactBucket).toBeInstanceOf(s3.Bucket);
    expect(pipeline.artifactKey).toBeInstanceOf(kms.Key);
    expect(pipeline.accessLogsBucket).toBeInstanceOf(s3.Bucket);
    expect(pipeline.sources).toHaveLength(1);
  });
});

describe('DeliveryPipeline props', () => {
  test('executionMode overrides QUEUED', () => {
    for (const mode of [codepipeline.ExecutionMode.SUPERSEDED, codepipeline.ExecutionMode.PARALLEL]) {
      pipelineWith({ executionMode: mode }).template().hasResourceProperties('AWS::CodePipeline::Pipeline', { ExecutionMode: mode });
    }
  });

  test('pipelineName names the pipeline', () => {
    pipelineWith({ pipelineName: 'shop-release' }).template().hasResourceProperties('AWS::CodePipeline::Pipeline', { Name: 'shop-release' });
  });

  test('restartExecutionOnUpdate is passed through', () => {
    pipelineWith({ restartExecutionOnUpdate: true }).template().hasResourceProperties('AWS::CodePipeline::Pipeline', { RestartExecutionOnUpdate: true });
  });

  test('artifactRetentionDays sets the lifecycle rule', () => {
    pipelineWith({ artifactRetentionDays: 7 }).template().hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7, NoncurrentVersionExpiration: { NoncurrentDays: 7 } })] },
    });
  });

  test('a passed-in key encrypts the created bucket and no key is created', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'MyKey');
    const { template, pipeline } = pipelineWith({ artifactKey: key }, stack);
    const t = template();
    t.resourceCountIs('AWS::KMS::Key', 1);
    expect(pipeline.artifactKey).toBe(key);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', { ArtifactStore: { EncryptionKey: { Id: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyKey'), 'Arn'] } } } });
  });

  test('a passed-in bucket is used with its key, and nothing else is created for it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'MyKey');
    const bucket = new s3.Bucket(stack, 'MyBucket', { encryptionKey: key, enforceSSL: true });
    const { template, pipeline } = pipelineWith({ artifactBucket: bucket }, stack);
    const t = template();
    t.resourceCountIs('AWS::S3::Bucket', 1);
    t.resourceCountIs('AWS::KMS::Key', 1);
    expect(pipeline.artifactBucket).toBe(bucket);
    expect(pipeline.artifactKey).toBe(key);
    expect(pipeline.accessLogsBucket).toBeUndefined();
  });

  test('warns when a passed-in bucket has no customer-managed key', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Imported', 'my-artifacts');
    pipelineWith({ artifactBucket: bucket }, stack);
    Annotations.fromStack(stack).hasWarning('/Test/Pipeline', Match.stringLikeRegexp('no customer-managed KMS key'));
  });

  test('a passed-in access logs bucket receives the logs', () => {
    const stack = newStack();
    const logs = new s3.Bucket(stack, 'Logs');
    pipelineWith({ accessLogsBucket: logs }, stack).template().hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^Logs') } },
    });
  });

  test('variables become pipeline variables with typed references', () => {
    const channel = new PipelineVariable({ name: 'CHANNEL', defaultValue: 'stable', description: 'Release channel' });
    expect(channel.reference).toBe('#{variables.CHANNEL}');
    pipelineWith({ variables: [channel] }).template().hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Variables: [{ Name: 'CHANNEL', DefaultValue: 'stable', Description: 'Release channel' }],
    });
  });

  test('additionalSources join the source stage', () => {
    const second = Source.connection('my-org/config', { connectionArn: CONNECTION_ARN, actionName: 'Config' });
    pipelineWith({ additionalSources: [second] }).template().hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ Name: 'Source' }), Match.objectLike({ Name: 'Config', Namespace: 'Config' })] })]),
    });
  });

  test('stage names can be changed', () => {
    pipelineWith({ sourceStageName: 'Checkout', buildStageName: 'Compile' }).template().hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: [Match.objectLike({ Name: 'Checkout' }), Match.objectLike({ Name: 'Compile' })],
    });
  });

  test('V1 pipelines default to SUPERSEDED', () => {
    pipelineWith({ pipelineType: codepipeline.PipelineType.V1 }).template().hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V1', ExecutionMode: 'SUPERSEDED',
    });
  });
});

describe('addStage', () => {
  test('runs steps in order, one runOrder each', () => {
    const { pipeline, template } = pipelineWith();
    pipeline.addStage('Release', { steps: [new ManualApprovalStep('Approve'), build('Publish')] });
    template().hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Release',
        Actions: [Match.objectLike({ Name: 'Approve', RunOrder: 1 }), Match.objectLike({ Name: 'Publish', RunOrder: 2 })],
      })]),
    });
  });

  test('builds in later stages read the primary source output by default', () => {
    const { pipeline, template } = pipelineWith();
    pipeline.addStage('Test', { steps: [build('Integration')] });
    template().hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Test', Actions: [Match.objectLike({ InputArtifacts: [{ Name: 'Source_Source' }] })] })]),
    });
  });

  test('a pipeline without build gets its stages from addStage', () => {
    const stack = newStack();
    const p = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource() });
    p.addStage('Approve', { steps: [new ManualApprovalStep('Approve')] });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: [Match.objectLike({ Name: 'Source' }), Match.objectLike({ Name: 'Approve' })],
    });
  });
});

describe('DeliveryPipeline errors', () => {
  test('fails when the pipeline name breaks CodePipeline naming rules', () => {
    expect(() => pipelineWith({ pipelineName: 'shop release!' })).toThrow(/pipelineName: is not a valid pipeline name \(got "shop release!"\)\. Fix: use 1 to 100 characters/);
  });

  test('fails when the pipeline name is longer than 100 characters', () => {
    expect(() => pipelineWith({ pipelineName: 'p'.repeat(101) })).toThrow(/DeliveryPipeline 'Test\/Pipeline' has 1 problem:\n {2}- pipelineName: is not a valid pipeline name/);
  });

  test('fails when variables are used on a V1 pipeline', () => {
    expect(() => pipelineWith({ pipelineType: codepipeline.PipelineType.V1, variables: [new PipelineVariable({ name: 'X', defaultValue: '1' })] }))
      .toThrow(/variables: pipeline variables need a V2 pipeline .*Fix: remove pipelineType/);
  });

  test('fails when a V1 pipeline is asked to queue', () => {
    expect(() => pipelineWith({ pipelineType: codepipeline.PipelineType.V1, executionMode: codepipeline.ExecutionMode.QUEUED }))
      .toThrow(/executionMode: V1 pipelines only run in SUPERSEDED mode \(got "QUEUED"\)/);
  });

  test('fails when trigger filters are used on a V1 pipeline', () => {
    const source = Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN, filePaths: { includes: ['src/**'] } });
    expect(() => pipelineWith({ pipelineType: codepipeline.PipelineType.V1, source }))
      .toThrow(/pipelineType: source 'Source' has trigger filters, which need a V2 pipeline/);
  });

  test('fails when a pipeline variable is declared twice', () => {
    const v = () => new PipelineVariable({ name: 'X', defaultValue: '1' });
    expect(() => pipelineWith({ variables: [v(), v()] })).toThrow(/variables\[1\]: is declared twice \(got "X"\)/);
  });

  test('fails when both artifactBucket and artifactKey are given', () => {
    const stack = newStack();
    expect(() => pipelineWith({ artifactBucket: new s3.Bucket(stack, 'B'), artifactKey: new kms.Key(stack, 'K') }, stack))
      .toThrow(/artifactKey: is given together with artifactBucket/);
  });

  test('fails when artifactRetentionDays is given with artifactBucket', () => {
    const stack = newStack();
    expect(() => pipelineWith({ artifactBucket: new s3.Bucket(stack, 'B'), artifactRetentionDays: 5 }, stack))
      .toThrow(/artifactRetentionDays: applies only to the bucket the pipeline creates \(got 5\)/);
  });

  test('fails when accessLogsBucket is given with artifactBucket', () => {
    const stack = newStack();
    expect(() => pipelineWith({ artifactBucket: new s3.Bucket(stack, 'B'), accessLogsBucket: new s3.Bucket(stack, 'L') }, stack))
      .toThrow(/accessLogsBucket: applies only to the bucket the pipeline creates/);
  });

  test.each([0, -1, 3651, 1.5])('fails when artifactRetentionDays is %p', (days) => {
    expect(() => pipelineWith({ artifactRetentionDays: days })).toThrow(new RegExp(`artifactRetentionDays: must be a whole number of days from 1 to 3650 \\(got ${days}\\)`));
  });

  test('fails when two sources have the same action name, namespace and artifact', () => {
    expect(() => pipelineWith({ additionalSources: [githubSource()] }))
      .toThrow(/has 3 problems:\n {2}- actionName: the action name 'Source' is used twice[\s\S]*variablesNamespace: the variables namespace 'Source' is used twice[\s\S]*output: the output artifact name 'Source_Source' is used twice/);
  });

  test('fails when a stage name is used twice', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addStage('Build', { steps: [build('Other')] })).toThrow(/stage 'Build' has 1 problem:\n {2}- stageName: is already a stage of this pipeline \(got "Build"\)/);
  });

  test('fails when a stage name breaks the naming rules', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addStage('Deploy to prod', { steps: [build('Other')] })).toThrow(/stageName: is not a valid stage name \(got "Deploy to prod"\)/);
  });

  test('fails when two steps in a stage have the same name', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addStage('Test', { steps: [build('Unit'), build('Unit')] })).toThrow(/steps: the step name 'Unit' is used twice/);
  });

  test('fails when no source is given', () => {
    expect(() => new DeliveryPipeline(newStack(), 'Pipeline', {} as never)).toThrow(/source: is required/);
  });

  test('fails when a custom step returns no action', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addStage('Custom', { steps: [{ stepName: 'Nothing', bind: () => ({ actions: [] }) }] }))
      .toThrow(/steps: step 'Nothing' produced no action \(got "Nothing"\)\. Fix: a step must return at least one action from bind\(\)/);
  });

  test('fails when a stage has no steps', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addStage('Empty', { steps: [] })).toThrow(/steps: is empty; CodePipeline needs at least one action per stage/);
  });

  test('fails when a step is placed twice', () => {
    const { pipeline } = pipelineWith();
    const step = build('Again');
    pipeline.addStage('One', { steps: [step] });
    expect(() => pipeline.addStage('Two', { steps: [step] })).toThrow(/steps\[0\]: is already placed in stage 'One' of Test\/Pipeline/);
  });

  test('fails when two build steps in different stages would output the same artifact', () => {
    const { pipeline } = pipelineWith({ buildStep: new BuildStep('Build', { commands: ['make'], outputs: ['out/**'] }) });
    expect(() => pipeline.addStage('Again', { steps: [new BuildStep('Build', { commands: ['make'], outputs: ['out/**'] })] }))
      .toThrow(/action 'Build' output: another action of the pipeline already outputs an artifact with this name \(got "Build_Output"\)/);
  });

  test('fails when a custom step returns actions with the same name or a bad runOrder', () => {
    const { pipeline } = pipelineWith();
    const custom: IStep = {
      stepName: 'Custom',
      bind: (_scope, ctx) => ({
        actions: [
          new actions.ManualApprovalAction({ actionName: 'Same', runOrder: ctx.runOrder }),
          new actions.ManualApprovalAction({ actionName: 'Same', runOrder: 1000 }),
        ],
      }),
    };
    expect(() => pipeline.addStage('Custom', { steps: [custom] }))
      .toThrow(/action 'Same': two actions of the stage have this name[\s\S]*action 'Same' runOrder: must be a whole number from 1 to 999 \(got 1000\)/);
  });

  test('fails when a custom step name breaks the naming rules', () => {
    const { pipeline } = pipelineWith();
    const custom: IStep = { stepName: 'a/b', bind: () => ({ actions: [] }) };
    expect(() => pipeline.addStage('Custom', { steps: [custom] })).toThrow(/steps\[0\]\.stepName: is not a valid action name \(got "a\/b"\)/);
  });

  test('fails when a stage would have more than 50 actions', () => {
    const { pipeline } = pipelineWith();
    const many = Array.from({ length: 51 }, (_, i) => new ManualApprovalStep(`Approve${i}`));
    expect(() => pipeline.addStage('Many', { steps: many })).toThrow(/steps: CodePipeline allows at most 50 actions per stage \(got "51 actions"\)/);
  });

  test('fails when the pipeline would have more than 50 stages', () => {
    const { pipeline } = pipelineWith();
    for (let i = 3; i <= 50; i++) pipeline.addStage(`S${i}`, { steps: [new ManualApprovalStep('Approve')] });
    expect(() => pipeline.addStage('S51', { steps: [new ManualApprovalStep('Approve')] })).toThrow(/stageName: would be stage 51; CodePipeline allows at most 50 stages per pipeline/);
  });

  test('fails at synth when the pipeline has only the source stage', () => {
    const stack = newStack();
    new DeliveryPipeline(stack, 'Pipeline', { source: githubSource() });
    expect(() => Template.fromStack(stack)).toThrow(/stages: CodePipeline needs at least 2 stages \(got only the 'Source' stage\)\. Fix: pass buildStep, or call addStage/);
  });

  test('tokens are not validated', () => {
    const stack = newStack();
    expect(() => pipelineWith({ pipelineName: Stack.of(stack).stackName }, stack)).not.toThrow();
  });

  test('reports every problem at once', () => {
    expect(() => pipelineWith({ pipelineName: 'a b', artifactRetentionDays: 0, sourceStageName: '' })).toThrow(/has 3 problems/);
  });
});

describe('parallel stages and tests', () => {
  test('tests run in parallel after the build, reading its output; a dependent test runs after its dependency', () => {
    const stack = newStack();
    const compile = new BuildStep('Compile', { commands: ['make'], outputs: ['**/*'] });
    const lint = new BuildStep('Lint', { commands: ['make lint'] });
    const unit = new BuildStep('Unit', { commands: ['make test'] });
    const e2e = new BuildStep('E2E', { commands: ['make e2e'], dependsOn: [unit] });
    new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: compile, tests: [lint, e2e, unit] });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Test',
        Actions: Match.arrayWith([
          Match.objectLike({ Name: 'Lint', RunOrder: 1, InputArtifacts: [{ Name: 'Compile_Output' }] }),
          Match.objectLike({ Name: 'Unit', RunOrder: 1, InputArtifacts: [{ Name: 'Compile_Output' }] }),
          Match.objectLike({ Name: 'E2E', RunOrder: 2, InputArtifacts: [{ Name: 'Compile_Output' }] }),
        ]),
      })]),
    });
  });

  test('tests read the source when the build has no output, and the stage name can be changed', () => {
    const stack = newStack();
    new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: build(), tests: [build('Lint')], testStageName: 'Checks' });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Checks', Actions: [Match.objectLike({ Name: 'Lint', InputArtifacts: [{ Name: 'Source_Source' }] })] })]),
    });
  });

  test('a sequential stage honours dependencies listed earlier', () => {
    const { pipeline, template } = pipelineWith();
    const a = build('A');
    pipeline.addStage('Seq', { steps: [a, new BuildStep('B', { commands: ['x'], dependsOn: [a] })] });
    template().hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Seq', Actions: [Match.objectLike({ Name: 'A', RunOrder: 1 }), Match.objectLike({ Name: 'B', RunOrder: 2 })] })]),
    });
  });

  test('fails when a step depends on a step outside its stage', () => {
    const { pipeline } = pipelineWith();
    const other = build('Other');
    expect(() => pipeline.addStage('Test', { steps: [new BuildStep('B', { commands: ['x'], dependsOn: [other] })], parallel: true }))
      .toThrow(/steps\[0\]\.dependsOn: 'B' depends on a step that is not in this stage \(got "Other"\)/);
  });

  test('fails when a sequential stage lists a dependency after its dependent', () => {
    const { pipeline } = pipelineWith();
    const a = build('A');
    expect(() => pipeline.addStage('Seq', { steps: [new BuildStep('B', { commands: ['x'], dependsOn: [a] }), a] }))
      .toThrow(/steps\[0\]\.dependsOn: 'B' depends on a step listed after it in a sequential stage/);
  });

  test('fails when dependencies form a cycle', () => {
    const { pipeline } = pipelineWith();
    const a: IStep = { stepName: 'A', dependsOn: [], bind: () => ({ actions: [] }) };
    const b: IStep = { stepName: 'B', dependsOn: [a], bind: () => ({ actions: [] }) };
    (a.dependsOn as IStep[]).push(b);
    expect(() => pipeline.addStage('Cycle', { steps: [a, b], parallel: true })).toThrow(/steps: the dependencies form a cycle \(got "A -> B -> A"\)/);
  });
});

describe('variable references', () => {
  test('references to earlier namespaces, pipeline variables and codepipeline pass', () => {
    const v = new PipelineVariable({ name: 'CHANNEL', defaultValue: 'stable' });
    const build = new BuildStep('Build', { commands: ['make'], exportedVariables: ['VERSION'], environmentVariables: [{ name: 'C', value: '#{Source.CommitId}' }, { name: 'CH', value: v.reference }, { name: 'E', value: '#{codepipeline.PipelineExecutionId}' }] });
    const { pipeline, template } = pipelineWith({ buildStep: build, variables: [v] });
    pipeline.addStage('Release', { steps: [new ManualApprovalStep('Approve', { comment: `Ship ${build.exportedVariable('VERSION')}?` })] });
    expect(() => template()).not.toThrow();
  });

  test('fails at synth when a reference names no namespace', () => {
    const { template } = pipelineWith({ buildStep: new BuildStep('Build', { commands: ['make'], environmentVariables: [{ name: 'X', value: '#{Nope.CommitId}' }] }) });
    expect(() => template()).toThrow(/action 'Build\/Build': references namespace 'Nope', which no action has \(got "#\{Nope\.CommitId\}"\)\. Fix: reference a namespace of an earlier step/);
  });

  test('fails at synth when a reference names a namespace produced later or in the same runOrder', () => {
    const build = new BuildStep('Build', { commands: ['make'], exportedVariables: ['VERSION'] });
    const { pipeline, template } = pipelineWith({ buildStep: new BuildStep('Early', { commands: ['make'], environmentVariables: [{ name: 'V', value: build.exportedVariable('VERSION') }] }) });
    pipeline.addStage('Later', { steps: [build] });
    expect(() => template()).toThrow(/references namespace 'Build', which is produced later in the pipeline \(or in the same runOrder\) \(got "#\{Build\.VERSION\}"\)/);
  });

  test('fails at synth when a pipeline variable is not declared', () => {
    const { pipeline, template } = pipelineWith();
    pipeline.addStage('Release', { steps: [new ManualApprovalStep('Approve', { comment: 'Channel #{variables.CHANNEL}?' })] });
    expect(() => template()).toThrow(/references a pipeline variable that is not declared \(got "#\{variables\.CHANNEL\}"\)/);
  });
});

describe('names that become construct ids', () => {
  test('fails when a stage or step name is a token', () => {
    const { pipeline } = pipelineWith();
    expect(() => pipeline.addStage(Aws.REGION, { steps: [build('X')] })).toThrow(/stageName: must be known at synth: it names the stage and the resources created for it/);
    expect(() => pipeline.addStage('Ok', { steps: [{ stepName: Aws.REGION, bind: () => ({ actions: [] }) }] })).toThrow(/steps\[0\]\.stepName: must be known at synth/);
  });
});
