import { Duration, SecretValue } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { parse } from 'yaml';
import { BuildCache, BuildSecret, BuildStep, BuildStepProps, DeliveryPipeline, PhaseFailure, Source, TestReport } from '../../lib';
import { CONNECTION_ARN, githubSource, newStack } from '../util';

function synth(props: BuildStepProps, stack = newStack()) {
  const step = new BuildStep('Build', props);
  const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: step });
  const t = Template.fromStack(stack);
  const project = Object.values(t.findResources('AWS::CodeBuild::Project'))[0];
  return { step, pipeline, stack, t, project, spec: parse(step.buildSpecYaml()) };
}

function buildRolePolicy(t: Template) {
  return Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('StagesBuildRole') }] } }))[0].Properties.PolicyDocument.Statement;
}

function buildAction(t: Template) {
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0];
  return pipeline.Properties.Stages[1].Actions[0];
}

describe('buildspec phases', () => {
  test('phases with finally, on-failure and runtime versions', () => {
    const { spec } = synth({
      runtimeVersions: [{ runtime: 'nodejs', version: '22' }, { runtime: 'python', version: '3.12' }],
      installPhase: { commands: ['npm ci'] },
      preBuildPhase: { commands: ['npm run lint'], onFailure: PhaseFailure.CONTINUE },
      buildPhase: { commands: ['npm test'], finallyCommands: ['cat npm-debug.log || true'], onFailure: PhaseFailure.ABORT },
      postBuildCommands: ['echo done'],
    });
    expect(spec.phases).toEqual({
      install: { 'runtime-versions': { nodejs: '22', python: '3.12' }, 'commands': ['npm ci'] },
      pre_build: { 'on-failure': 'CONTINUE', 'commands': ['npm run lint'] },
      build: { 'on-failure': 'ABORT', 'commands': ['npm test'], 'finally': ['cat npm-debug.log || true'] },
      post_build: { commands: ['echo done'] },
    });
  });

  test('runtime versions alone make an install phase', () => {
    const { spec } = synth({ runtimeVersions: [{ runtime: 'java', version: 'corretto21' }], commands: ['mvn test'] });
    expect(spec.phases.install).toEqual({ 'runtime-versions': { java: 'corretto21' } });
  });

  test('buildSpecYaml is exactly the project buildspec', () => {
    const { step, project } = synth({ commands: ['make'], exportedVariables: ['VERSION'] });
    expect(step.buildSpecYaml()).toBe(project.Properties.Source.BuildSpec);
    expect(parse(step.buildSpecYaml())).toEqual({ version: '0.2', env: { 'shell': 'bash', 'exported-variables': ['VERSION'] }, phases: { build: { commands: ['make'] } } });
  });

  test('buildSpecYaml names deploy-time values the way Fn::Sub does', () => {
    const { step } = synth({ commands: ['make'], reports: [TestReport.junit(['reports/*.xml'])] });
    expect(step.buildSpecYaml()).toMatch(/reports:\n {2}"\$\{PipelineStagesBuildReportjunit[0-9A-F]+\.Arn\}":\n {4}files:/);
  });
});

describe('build variables', () => {
  test('constants go into the buildspec, tokens onto the project, references into the action', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Site');
    const { spec, t, project } = synth({
      commands: ['make'],
      environmentVariables: [
        { name: 'STAGE', value: 'prod' },
        { name: 'BUCKET', value: bucket.bucketName },
        { name: 'COMMIT', value: '#{Source.CommitId}' },
      ],
    }, stack);
    expect(spec.env.variables).toEqual({ STAGE: 'prod' });
    expect(project.Properties.Environment.EnvironmentVariables).toEqual([{ Name: 'BUCKET', Type: 'PLAINTEXT', Value: { Ref: Match.stringLikeRegexp('Site') === undefined ? '' : expect.stringMatching(/^Site/) } }]);
    expect(JSON.parse(buildAction(t).Configuration.EnvironmentVariables)).toEqual([{ name: 'COMMIT', type: 'PLAINTEXT', value: '#{Source.CommitId}' }]);
  });

  test('secrets from Parameter Store and Secrets Manager are referenced, never inlined, and granted exactly', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'SecretKey');
    const secret = new secretsmanager.Secret(stack, 'NpmToken', { encryptionKey: key });
    const parameter = ssm.StringParameter.fromStringParameterName(stack, 'Param', '/shop/sentry-dsn');
    const { spec, t } = synth({
      commands: ['make'],
      secrets: [
        BuildSecret.fromSecret('NPM_TOKEN', secret, { jsonKey: 'token' }),
        BuildSecret.fromParameter('SENTRY_DSN', parameter),
        BuildSecret.fromParameterName('SIGNING_KEY', '/shop/signing-key', { encryptionKey: key }),
        BuildSecret.fromSecretNameOrArn('DB_PASSWORD', 'shop/db', { jsonKey: 'password', versionStage: 'AWSPREVIOUS' }),
      ],
    }, stack);
    expect(spec.env['parameter-store']).toEqual({ SENTRY_DSN: '/shop/sentry-dsn', SIGNING_KEY: '/shop/signing-key' });
    expect(spec.env['secrets-manager'].DB_PASSWORD).toBe('shop/db:password:AWSPREVIOUS');
    expect(spec.env['secrets-manager'].NPM_TOKEN).toMatch(/^\$\{NpmToken[0-9A-F]+\}:token$/);
    const statements = buildRolePolicy(t);
    expect(statements).toEqual(expect.arrayContaining([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: ['arn:aws:secretsmanager:us-east-1:111111111111:secret:shop/db-??????', { Ref: expect.stringMatching(/^NpmToken/) }] },
      { Action: 'ssm:GetParameters', Effect: 'Allow', Resource: ['arn:aws:ssm:us-east-1:111111111111:parameter/shop/sentry-dsn', 'arn:aws:ssm:us-east-1:111111111111:parameter/shop/signing-key'] },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecretKey/), 'Arn'] } },
    ]));
  });

  test('exported variables get a namespace and typed references', () => {
    const { step, spec, t } = synth({ commands: ['make'], exportedVariables: ['VERSION', 'IMAGE_TAG'] });
    expect(spec.env['exported-variables']).toEqual(['VERSION', 'IMAGE_TAG']);
    expect(step.variablesNamespace).toBe('Build');
    expect(step.exportedVariable('IMAGE_TAG')).toBe('#{Build.IMAGE_TAG}');
    expect(buildAction(t).Namespace).toBe('Build');
  });

  test('a step without exported variables has no namespace', () => {
    const { step, t } = synth({ commands: ['make'] });
    expect(step.variablesNamespace).toBeUndefined();
    expect(buildAction(t).Namespace).toBeUndefined();
  });

  test('variablesNamespace names the namespace', () => {
    const { step } = synth({ commands: ['make'], exportedVariables: ['V'], variablesNamespace: 'Compile' });
    expect(step.exportedVariable('V')).toBe('#{Compile.V}');
  });
});

describe('build artifacts', () => {
  test('primary and secondary outputs with base directories and discard paths', () => {
    const { step, spec, t } = synth({
      commands: ['make'],
      outputs: ['**/*'], outputBaseDirectory: 'dist', discardPaths: true,
      secondaryOutputs: [{ name: 'Docs', files: ['**/*'], baseDirectory: 'site' }, { name: 'Sbom', files: ['sbom.json'], discardPaths: true }],
    });
    expect(spec.artifacts).toEqual({
      // The buildspec requires artifacts/files even when every output is a secondary artifact.
      'files': ['**/*'], 'base-directory': 'dist', 'discard-paths': 'yes',
      'secondary-artifacts': {
        Build_Output: { 'files': ['**/*'], 'base-directory': 'dist', 'discard-paths': 'yes' },
        Docs: { 'files': ['**/*'], 'base-directory': 'site' },
        Sbom: { 'files': ['sbom.json'], 'discard-paths': 'yes' },
      },
    });
    expect(buildAction(t).OutputArtifacts).toEqual([{ Name: 'Build_Output' }, { Name: 'Docs' }, { Name: 'Sbom' }]);
    expect(step.secondaryOutput('Docs').artifactName).toBe('Docs');
  });

  test('additional inputs are passed to the action', () => {
    const stack = newStack();
    const config = Source.connection('my-org/config', { connectionArn: CONNECTION_ARN, actionName: 'Config' });
    const step = new BuildStep('Build', { commands: ['ls $CODEBUILD_SRC_DIR_Config_Source'], additionalInputs: [config.output] });
    new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), additionalSources: [config], buildStep: step });
    const t = Template.fromStack(stack);
    expect(buildAction(t).InputArtifacts).toEqual([{ Name: 'Source_Source' }, { Name: 'Config_Source' }]);
    expect(buildAction(t).Configuration.PrimarySource).toBe('Source_Source');
  });
});

describe('build cache', () => {
  test('the local cache keeps custom paths when given, and the source only when asked', () => {
    const { t, spec } = synth({ commands: ['npm ci'], cachePaths: ['/root/.npm/**/*'] });
    t.hasResourceProperties('AWS::CodeBuild::Project', { Cache: { Type: 'LOCAL', Modes: ['LOCAL_CUSTOM_CACHE'] } });
    expect(spec.cache).toEqual({ paths: ['/root/.npm/**/*'] });
    synth({ commands: ['make'], cache: BuildCache.local({ source: true }) }).t.hasResourceProperties('AWS::CodeBuild::Project', { Cache: { Type: 'LOCAL', Modes: ['LOCAL_SOURCE_CACHE'] } });
    synth({ commands: ['make'] }).t.hasResourceProperties('AWS::CodeBuild::Project', { Cache: { Type: 'NO_CACHE' } });
  });

  test('an S3 cache is granted on its prefix only', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Cache');
    const { t } = synth({ commands: ['make'], cache: BuildCache.s3(bucket, 'shop'), cachePaths: ['/root/.m2/**/*'] }, stack);
    t.hasResourceProperties('AWS::CodeBuild::Project', { Cache: { Type: 'S3', Location: { 'Fn::Join': ['/', [{ Ref: expect.stringMatching(/^Cache/) === undefined ? '' : Match.stringLikeRegexp('^Cache') }, 'shop']] } } });
    expect(buildRolePolicy(t)).toEqual(expect.arrayContaining([{
      Sid: 'ReadWriteCache', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Cache/), 'Arn'] }, '/shop/*']] },
    }]));
  });

  test('BuildCache.none() turns caching off', () => {
    synth({ commands: ['make'], cache: BuildCache.none() }).t.hasResourceProperties('AWS::CodeBuild::Project', { Cache: { Type: 'NO_CACHE' } });
  });

  test('Lambda compute has no cache by default', () => {
    const { t } = synth({ commands: ['make'], computeType: codebuild.ComputeType.LAMBDA_1GB, buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 });
    t.hasResourceProperties('AWS::CodeBuild::Project', { Cache: { Type: 'NO_CACHE' }, Environment: Match.objectLike({ ComputeType: 'BUILD_LAMBDA_1GB' }) });
  });
});

describe('test reports', () => {
  test('each report gets its own report group, written exactly', () => {
    const { t, spec, step } = synth({
      commands: ['npm test'],
      reports: [TestReport.junit(['reports/*.xml'], { baseDirectory: 'build', name: 'unit' }), TestReport.cobertura(['coverage/cobertura.xml'])],
    });
    t.resourceCountIs('AWS::CodeBuild::ReportGroup', 2);
    t.hasResource('AWS::CodeBuild::ReportGroup', { Properties: Match.objectLike({ Type: 'TEST' }), DeletionPolicy: 'Retain' });
    t.hasResourceProperties('AWS::CodeBuild::ReportGroup', { Type: 'CODE_COVERAGE' });
    expect(Object.values(spec.reports)).toEqual([
      { 'files': ['reports/*.xml'], 'file-format': 'JUNITXML', 'base-directory': 'build' },
      { 'files': ['coverage/cobertura.xml'], 'file-format': 'COBERTURAXML' },
    ]);
    const statements = buildRolePolicy(t).filter((s: { Sid?: string }) => s.Sid === 'WriteReports');
    expect(statements).toEqual([{
      Sid: 'WriteReports', Effect: 'Allow',
      Action: ['codebuild:BatchPutCodeCoverages', 'codebuild:BatchPutTestCases', 'codebuild:CreateReport', 'codebuild:UpdateReport'],
      Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^PipelineStagesBuildReportcobertura[0-9A-F]+$/), 'Arn'] }, { 'Fn::GetAtt': [expect.stringMatching(/^PipelineStagesBuildReportunit[0-9A-F]+$/), 'Arn'] }],
    }]);
    expect(step.reportGroups).toHaveLength(2);
  });

  test.each([
    ['junit', 'JUNITXML'], ['cucumber', 'CUCUMBERJSON'], ['testng', 'TESTNGXML'], ['nunit', 'NUNITXML'], ['nunit3', 'NUNIT3XML'], ['trx', 'VISUALSTUDIOTRX'],
    ['clover', 'CLOVERXML'], ['cobertura', 'COBERTURAXML'], ['jacoco', 'JACOCOXML'], ['simplecov', 'SIMPLECOV'],
  ])('TestReport.%s writes file-format %s', (factory, format) => {
    const report = (TestReport as unknown as Record<string, (f: string[]) => TestReport>)[factory](['out/*']);
    expect(report.fileFormat).toBe(format);
    expect(report.name).toBe(factory);
  });
});

describe('compute, network and logs', () => {
  test('queued timeout, project name and S3 logs', () => {
    const stack = newStack();
    const logs = new s3.Bucket(stack, 'BuildLogs');
    const { t } = synth({ commands: ['make'], queuedTimeout: Duration.minutes(30), projectName: 'shop-build', s3Logs: { bucket: logs } }, stack);
    t.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: 'shop-build',
      QueuedTimeoutInMinutes: 30,
      LogsConfig: Match.objectLike({ S3Logs: { Status: 'ENABLED', EncryptionDisabled: false, Location: Match.anyValue() } }),
    });
    expect(buildRolePolicy(t)).toEqual(expect.arrayContaining([{ Sid: 'WriteS3Logs', Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^BuildLogs/), 'Arn'] }, '/codebuild-logs/*']] } }]));
  });

  test('a build in a VPC gets a security group and the network permissions scoped to its subnets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const { t } = synth({ commands: ['make'], vpc }, stack);
    t.hasResourceProperties('AWS::CodeBuild::Project', { VpcConfig: { VpcId: Match.anyValue(), Subnets: Match.anyValue(), SecurityGroupIds: [Match.anyValue()] } });
    const statements = buildRolePolicy(t);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Sid: 'AttachBuildInterfaces', Action: 'ec2:CreateNetworkInterfacePermission', Condition: expect.objectContaining({ StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' } }) }),
      expect.objectContaining({ Sid: 'BuildInVpc', Resource: '*' }),
    ]));
  });

  test('privileged mode without a Docker step is allowed with a warning', () => {
    const { t, stack } = synth({ commands: ['make'], privileged: true });
    t.hasResourceProperties('AWS::CodeBuild::Project', { Environment: Match.objectLike({ PrivilegedMode: true }) });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('privileged is true, but the step builds no Docker image'));
  });
});

describe('build errors', () => {
  const fails = (props: BuildStepProps, message: RegExp) => expect(() => new BuildStep('Build', props)).toThrow(message);

  test('fails when a plain variable is named like a credential', () => {
    for (const name of ['DB_PASSWORD', 'GITHUB_TOKEN', 'API_KEY', 'AWS_SECRET_ACCESS_KEY', 'CLIENT_SECRET']) {
      fails({ commands: ['make'], environmentVariables: [{ name, value: 'x' }] }, new RegExp(`environmentVariables\\[0\\]\\.name: looks like a credential.*Fix: put it in secrets: BuildSecret\\.fromSecret\\('${name}'`));
    }
  });

  test('fails when a command or plain value holds a {{resolve:...}} secret reference (CloudFormation would write the secret into the project), without echoing it', () => {
    const reference = '{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf:SecretString:password::}}';
    fails({ commands: [`mysql -p${reference}`] }, /commands\[0\]: resolves a secret with a CloudFormation dynamic reference, which CloudFormation writes into the CodeBuild project in plaintext \(got "\(hidden: holds a \{\{resolve:\.\.\.\}\} secret reference\)"\)\. Fix: read it at build time with secrets: BuildSecret\.fromSecret/);
    fails({ commands: ['make'], environmentVariables: [{ name: 'DB', value: '{{resolve:ssm-secure:/shop/db}}' }] }, /environmentVariables\[0\]\.value: resolves a secret with a CloudFormation dynamic reference[\s\S]*Fix: read it at build time with secrets: BuildSecret\.fromSecret\('DB', secret\)/);
    expect(() => new BuildStep('Build', { commands: [`mysql -p${reference}`] })).not.toThrow(/secretsmanager:arn/);
  });

  test('fails at synth when a deploy-time value resolves to a secret reference (SecretValue.unsafeUnwrap in a command or plain variable)', () => {
    const secret = SecretValue.secretsManager('db', { jsonField: 'password' });
    for (const props of [{ commands: [`mysql -p${secret.unsafeUnwrap()}`] }, { commands: ['make'], environmentVariables: [{ name: 'DB', value: secret.unsafeUnwrap() }] }]) {
      const stack = newStack();
      expect(() => new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: new BuildStep('Build', props) }))
        .toThrow(/(commands\[0\]|environmentVariables\[0\]\.value): resolves a secret with a CloudFormation dynamic reference, which CloudFormation writes into the CodeBuild project in plaintext \(got "\(hidden: resolves to a \{\{resolve:\.\.\.\}\} secret reference\)"\)/);
    }
  });

  test('fails when a plain value looks like an AWS access key, without echoing it', () => {
    expect(() => new BuildStep('Build', { commands: ['make'], environmentVariables: [{ name: 'KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' }] }))
      .toThrow(/environmentVariables\[0\]\.value: looks like an AWS access key or a private key \(Security Hub CodeBuild\.2\) \(got "\(hidden: looks like a credential\)"\)/);
  });

  test('fails when a phase is empty or given twice', () => {
    fails({ commands: ['make'], preBuildPhase: { commands: [] } }, /preBuildPhase\.commands: must list at least one command \(CodeBuild rejects empty phases\)/);
    fails({ commands: ['make'], buildPhase: { commands: ['x'] } }, /commands: is given together with buildPhase/);
    fails({ commands: ['make'], postBuildPhase: { commands: ['x'], finallyCommands: [] } }, /postBuildPhase\.finallyCommands: is an empty list/);
  });

  test('fails when a runtime is unknown for the image, repeated, or used on a custom image', () => {
    fails({ commands: ['make'], runtimeVersions: [{ runtime: 'node', version: '22' }] }, /runtimeVersions\[0\]\.runtime: is not a runtime of aws\/codebuild\/standard:7\.0 \(got "node"\)\. Fix: use one of dotnet, golang, java, nodejs/);
    fails({ commands: ['make'], runtimeVersions: [{ runtime: 'nodejs', version: '20' }, { runtime: 'nodejs', version: '22' }] }, /runtimeVersions\[1\]\.runtime: is given twice/);
    fails({ commands: ['make'], runtimeVersions: [{ runtime: 'nodejs', version: '' }] }, /runtimeVersions\[0\]\.version: is empty/);
    fails({ commands: ['make'], buildImage: codebuild.LinuxBuildImage.fromDockerRegistry('node:22'), runtimeVersions: [{ runtime: 'nodejs', version: '22' }] }, /runtimeVersions: can only be used with CodeBuild's standard Linux images \(got image node:22\)/);
  });

  test('fails when exported variables are invalid, repeated or empty, or an unknown one is referenced', () => {
    fails({ commands: ['make'], exportedVariables: ['IMAGE-TAG'] }, /exportedVariables\[0\]: is not a valid variable name/);
    fails({ commands: ['make'], exportedVariables: ['A', 'A'] }, /exportedVariables\[1\]: is exported twice/);
    fails({ commands: ['make'], exportedVariables: [] }, /exportedVariables: is an empty list/);
    fails({ commands: ['make'], exportedVariables: ['AWS_THING'] }, /exportedVariables\[0\]: starts with AWS_, which CodeBuild does not export/);
    fails({ commands: ['make'], secrets: [BuildSecret.fromParameterName('TOKEN_VALUE', '/t')], exportedVariables: ['TOKEN_VALUE'] }, /exportedVariables\[0\]: is a secret, and CodeBuild does not export secrets/);
    expect(() => new BuildStep('Build', { commands: ['make'], exportedVariables: ['A'] }).exportedVariable('B')).toThrow(/exportedVariable: 'B' is not exported by this step.*exported: A/);
  });

  test('fails when the namespace is invalid', () => {
    fails({ commands: ['make'], exportedVariables: ['A'], variablesNamespace: 'a.b' }, /variablesNamespace: is not a valid variables namespace name/);
  });

  test('fails when a secret variable clashes with a plain one or has both version options', () => {
    fails({ commands: ['make'], environmentVariables: [{ name: 'X', value: '1' }], secrets: [BuildSecret.fromParameterName('X', '/x')] }, /secrets\[0\]\.variableName: is also given as environmentVariables\[0\]\.name/);
    fails({ commands: ['make'], secrets: [BuildSecret.fromSecretNameOrArn('X', 'x', { versionStage: 'AWSCURRENT', versionId: 'v1' })] }, /secrets\[0\]\.versionId: is given together with versionStage/);
    fails({ commands: ['make'], secrets: [BuildSecret.fromParameterName('X', 'bad name')] }, /secrets\[0\]\.parameterName: is not a Parameter Store name/);
  });

  test('fails when secondary outputs clash, are empty or too many, or inputs are too many', () => {
    fails({ commands: ['make'], secondaryOutputs: [{ name: 'A', files: ['a'] }, { name: 'A', files: ['b'] }] }, /secondaryOutputs\[1\]\.name: is used twice/);
    fails({ commands: ['make'], secondaryOutputs: [{ name: 'A', files: [] }] }, /secondaryOutputs\[0\]\.files: is empty/);
    fails({ commands: ['make'], secondaryOutputs: [{ name: 'a.b', files: ['x'] }] }, /secondaryOutputs\[0\]\.name: is not a valid artifact name/);
    fails({ commands: ['make'], outputs: ['x'], secondaryOutputs: ['A', 'B', 'C', 'D', 'E'].map((name) => ({ name, files: ['x'] })) }, /secondaryOutputs: a CodeBuild action has at most 5 output artifacts \(got "6 output artifacts"\)/);
    const a = new codepipeline.Artifact('a');
    fails({ commands: ['make'], additionalInputs: [a, a, a, a, a] }, /additionalInputs: a CodeBuild action has at most 5 input artifacts \(got "6 input artifacts"\)/);
    fails({ commands: ['make'], discardPaths: true }, /discardPaths: is given without outputs/);
    expect(() => new BuildStep('Build', { commands: ['make'] }).secondaryOutput('X')).toThrow(/secondaryOutput: no secondary output is named 'X'/);
  });

  test('fails when caches do not fit the compute or the mode', () => {
    const lambda = { computeType: codebuild.ComputeType.LAMBDA_2GB, buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 };
    fails({ commands: ['make'], ...lambda, cache: BuildCache.local() }, /cache: Lambda compute has no cache \(got "a LOCAL cache"\)/);
    fails({ commands: ['make'], ...lambda, cachePaths: ['/x'] }, /cachePaths: Lambda compute has no cache/);
    fails({ commands: ['make'], ...lambda, timeout: Duration.minutes(10) }, /timeout: Lambda compute has no custom timeout \(builds stop after 15 minutes\)/);
    fails({ commands: ['make'], ...lambda, queuedTimeout: Duration.minutes(10) }, /queuedTimeout: Lambda compute has no queued timeout/);
    fails({ commands: ['make'], ...lambda, vpc: ec2.Vpc.fromVpcAttributes(newStack(), 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'] }) }, /vpc: Lambda compute has no VPC connectivity/);
    fails({ commands: ['make'], computeType: codebuild.ComputeType.LAMBDA_1GB }, /buildImage: Lambda compute runs only Lambda images \(got "the default aws\/codebuild\/standard:7\.0"\)/);
    fails({ ...lambda, buildPhase: { commands: ['make'], onFailure: PhaseFailure.RETRY } }, /buildPhase\.onFailure: Lambda compute does not support on-failure/);
    fails({ commands: ['make'], ...lambda, privileged: true }, /privileged: Lambda compute has no privileged mode/);
    fails({ commands: ['make'], cache: BuildCache.local({ dockerLayers: true }) }, /cache: the Docker layer cache needs Docker, which needs privileged mode/);
    fails({ commands: ['make'], cache: BuildCache.none(), cachePaths: ['/x'] }, /cachePaths: is given with BuildCache\.none\(\)/);
  });

  test('fails when report names are invalid or repeated, or a report has no files', () => {
    fails({ commands: ['make'], reports: [TestReport.junit(['a'], { name: 'unit tests' })] }, /reports\[0\]\.name: is not a valid report name/);
    fails({ commands: ['make'], reports: [TestReport.junit(['a']), TestReport.junit(['b'])] }, /reports\[1\]\.name: is used by two reports/);
    fails({ commands: ['make'], reports: [TestReport.jacoco([])] }, /reports\[0\]\.files: is empty/);
    fails({ commands: ['make'], reports: ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => TestReport.junit(['x'], { name })) }, /reports: a CodeBuild project has at most 5 report groups \(got "6 reports"\)/);
  });

  test('fails when the queued timeout or project name is out of range', () => {
    fails({ commands: ['make'], queuedTimeout: Duration.minutes(481) }, /queuedTimeout: must be a whole number of minutes from 5 to 480/);
    fails({ commands: ['make'], projectName: '-shop' }, /projectName: is not a valid CodeBuild project name/);
    fails({ commands: ['make'], projectName: 'p'.repeat(151) }, /projectName: is not a valid CodeBuild project name.*2 to 150 characters/);
  });

  test('fails when network settings are given without a VPC, or a cache path is empty', () => {
    fails({ commands: ['make'], subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, /subnetSelection: is given without vpc/);
    fails({ commands: ['make'], securityGroups: [] }, /securityGroups: are given without vpc/);
    fails({ commands: ['make'], cachePaths: [' '] }, /cachePaths\[0\]: is empty/);
  });

  test('fails when generated files escape the output, repeat, or have no outputs', () => {
    fails({ commands: ['make'], outputs: ['**/*'], generatedFiles: [{ path: '../x', content: 'a' }] }, /generatedFiles\[0\]\.path: must be a relative path inside the output/);
    fails({ commands: ['make'], outputs: ['**/*'], generatedFiles: [{ path: 'a', content: 'a' }, { path: 'a', content: 'b' }] }, /generatedFiles\[1\]\.path: is written twice/);
    fails({ commands: ['make'], generatedFiles: [{ path: 'a', content: 'a' }] }, /generatedFiles: are written into the output, but the step has no outputs/);
  });

  test('a role shared by two steps gets statements without clashing ids', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const a = new BuildStep('A', { commands: ['make'], role });
    new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: a, tests: [new BuildStep('B', { commands: ['make'], role })] });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Shared') }] } }))[0].Properties.PolicyDocument.Statement;
    expect(statements.filter((s: { Sid?: string }) => s.Sid !== undefined)).toEqual([]);
  });
});

describe('reserved capacity and Docker servers', () => {
  const fleetOf = (stack: ReturnType<typeof newStack>, environmentType = codebuild.EnvironmentType.LINUX_CONTAINER) => new codebuild.Fleet(stack, 'Fleet', {
    baseCapacity: 1, computeType: codebuild.FleetComputeType.MEDIUM, environmentType,
  });

  test('a build on a fleet takes its compute type, starts without provisioning, and leaves the cost of a run', () => {
    const stack = newStack();
    const fleet = fleetOf(stack);
    const step = new BuildStep('Build', { commands: ['make'], fleet, expectedMinutes: 4 });
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: step });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_MEDIUM', Fleet: { FleetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fleet'), 'Arn'] } } }),
    });
    expect(step.estimate).toMatchObject({ minutes: 4, buildMinutes: 4, computeType: 'BUILD_GENERAL1_MEDIUM', reservedCapacity: true, fleet: 'Test/Fleet', fleetBaseCapacity: 1 });
    const estimate = pipeline.estimate();
    expect(estimate.buildMinutes).toEqual([]);
    expect(estimate.table).toContain('Builds on reserved-capacity fleets: 4 min, not in the cost (a fleet is paid per minute it is up, building or not) and with no provisioning wait.');
    // The fleet's own cost: its instances, per minute provisioned, whatever the runs.
    expect(estimate.fleetInstanceMinutesPerMonth).toBe(43200);
    expect(estimate.table).toContain('The fleets keep Test/Fleet: 1 instance provisioned, 43,200 instance-minutes a month billed at the fleet\'s reserved-capacity price per instance-minute');
  });

  test('a fleet two steps build on is counted once; an imported fleet\'s capacity is unknown', () => {
    const stack = newStack();
    const fleet = new codebuild.Fleet(stack, 'Fleet', { baseCapacity: 3, computeType: codebuild.FleetComputeType.SMALL, environmentType: codebuild.EnvironmentType.LINUX_CONTAINER });
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: new BuildStep('Build', { commands: ['make'], fleet }) });
    const imported = codebuild.Fleet.fromFleetArn(stack, 'Shared', 'arn:aws:codebuild:us-east-1:111111111111:fleet/shared:0b1c2d3e');
    // An imported fleet's compute type cannot be read: the step gives it.
    expect(() => new BuildStep('E2e', { commands: ['make e2e'], fleet: imported })).toThrow(/computeType: is needed with an imported fleet, whose compute type cannot be read \(got undefined\)\. Fix: give the fleet's compute type/);
    pipeline.addStage('Test', { steps: [new BuildStep('Unit', { commands: ['make test'], fleet }), new BuildStep('E2e', { commands: ['make e2e'], fleet: imported, computeType: codebuild.ComputeType.SMALL })] });
    const estimate = pipeline.estimate();
    expect(estimate.fleetInstanceMinutesPerMonth).toBe(3 * 43200);
    expect(estimate.buildMinutes).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', { Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_SMALL', Fleet: { FleetArn: 'arn:aws:codebuild:us-east-1:111111111111:fleet/shared:0b1c2d3e' } }) });
    expect(estimate.table).toContain('The fleets keep Test/Fleet: 3 instances; shared: an unknown number of instances (imported, or set at deploy time) provisioned');
  });

  test('a fleet\'s compute type, environment type and network are its own', () => {
    const stack = newStack();
    const fleet = fleetOf(stack, codebuild.EnvironmentType.ARM_CONTAINER);
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    expect(() => new BuildStep('Build', { commands: ['make'], fleet, computeType: codebuild.ComputeType.LARGE, vpc })).toThrow(new RegExp([
      "BuildStep 'Build' has 3 problems:",
      ' {2}- computeType: differs from the compute type of the fleet \\(BUILD_GENERAL1_MEDIUM\\), which the builds run on \\(got "BUILD_GENERAL1_LARGE"\\)\\. Fix: remove computeType: a build on a fleet takes the fleet\'s',
      ' {2}- buildImage: is a LINUX_CONTAINER image, but the fleet runs ARM_CONTAINER \\(got "the default aws/codebuild/standard:7.0"\\)\\. Fix: use an image of the fleet\'s environment type \\(ARM_CONTAINER\\), or a fleet of LINUX_CONTAINER',
      ' {2}- vpc: does nothing on a build that runs on a fleet',
    ].join('\n')));
  });

  test('a Docker server serves the Docker builds of a step, and runs (and is paid) while they do', () => {
    const stack = newStack();
    const step = new BuildStep('Image', { commands: ['docker build .'], privileged: true, dockerServer: { computeType: codebuild.DockerServerComputeType.MEDIUM }, expectedMinutes: 6 });
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: step });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ PrivilegedMode: true, DockerServer: { ComputeType: 'BUILD_GENERAL1_MEDIUM' } }),
    });
    expect(pipeline.estimate().table).toContain('Docker servers: 7 min BUILD_GENERAL1_MEDIUM, paid per minute on top of the builds and not in the cost (no price in the table).');
    expect(() => new BuildStep('Test', { commands: ['npm test'], dockerServer: { computeType: codebuild.DockerServerComputeType.SMALL } }))
      .toThrow(/dockerServer: serves Docker builds, but the step builds no Docker image \(got "BUILD_GENERAL1_SMALL"\)/);
  });
});
