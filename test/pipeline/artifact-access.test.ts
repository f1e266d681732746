import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ArtifactAccess, ArtifactObjects, BatchBuild, BuildStep, DeliveryPipeline, DeliveryPipelineProps, DockerImageStep, Source } from '../../lib';
import { CONNECTION_ARN, githubSource, newStack } from '../util';

// Per-step artifact scopes, checked by evaluating the synthesized policies with an IAM policy
// simulator (@cloud-copilot/iam-simulate) on the object keys CodePipeline writes:
// <pipeline name, 20 characters>/<artifact name, 10 characters>/<object id>.

const BUCKET = 'arn:aws:s3:::shop-artifacts';

interface Statement { readonly Sid?: string; readonly Resource: unknown }
interface Policy { readonly Version: string; readonly Statement: Statement[] }
const ACCOUNT = '111111111111';

function importedStore(stack: Stack): s3.IBucket {
  return s3.Bucket.fromBucketAttributes(stack, 'Artifacts', {
    bucketArn: BUCKET,
    encryptionKey: kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
  });
}

/** A pipeline 'shop': Build writes Build_Output; tests UnitTests (no output) and Report (writes Report_Output); Publish reads both. */
function shopPipeline(props: Partial<DeliveryPipelineProps> = {}) {
  const stack = newStack();
  const build = new BuildStep('Build', { commands: ['make'], outputs: ['dist/**'] });
  const pipeline = new DeliveryPipeline(stack, 'Pipeline', {
    pipelineName: 'shop',
    source: githubSource(),
    artifactBucket: importedStore(stack),
    buildStep: build,
    tests: [
      new BuildStep('UnitTests', { commands: ['make test'] }),
      new BuildStep('Report', { commands: ['make report'], outputs: ['report/**'] }),
    ],
    ...props,
  });
  pipeline.addStage('Release', {
    steps: [new BuildStep('Publish', { commands: ['make publish'], input: build.output, additionalInputs: [pipeline.primaryOutput] })],
  });
  return Template.fromStack(stack);
}

/** The statements of a step role's policies whose resources are literal ARNs (the artifact and key statements). */
function policyOf(t: Template, stage: string, step: string): Policy {
  const roles = Object.keys(t.findResources('AWS::IAM::Role', { Properties: { Description: `CodeBuild role of step ${step} in stage ${stage}` } }));
  expect(roles).toHaveLength(1);
  const policies = Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roles[0]));
  expect(policies).toHaveLength(1);
  const literal = (r: unknown) => typeof r === 'string';
  return {
    Version: '2012-10-17',
    Statement: (policies[0].Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => [s.Resource].flat().every(literal)),
  };
}

async function allowed(policy: object, action: string, key: string): Promise<boolean> {
  const result = await runSimulation({
    request: { principal: `arn:aws:iam::${ACCOUNT}:role/step`, action, resource: { resource: `${BUCKET}/${key}`, accountId: ACCOUNT }, contextVariables: {} },
    identityPolicies: [{ name: 'step', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult === 'Allowed';
}

/** What each role may do with an object of each artifact folder: R(ead), W(rite), or nothing. */
async function accessMatrix(t: Template, folder: string, roles: Array<[string, string]>) {
  const artifacts = ['Source_Sou', 'Build_Outp', 'Report_Out'];
  const rows: Record<string, string> = {};
  for (const [stage, step] of roles) {
    const policy = policyOf(t, stage, step);
    const cells: string[] = [];
    for (const artifact of artifacts) {
      const key = `${folder}/${artifact}/Ab3dE9x`;
      const read = await allowed(policy, 's3:GetObject', key);
      const write = await allowed(policy, 's3:PutObject', key);
      cells.push(`${artifact}:${read ? 'R' : '-'}${write ? 'W' : '-'}`);
    }
    rows[step] = cells.join(' ');
  }
  return rows;
}

const ROLES: Array<[string, string]> = [['Build', 'Build'], ['Test', 'UnitTests'], ['Test', 'Report'], ['Release', 'Publish']];

describe('ArtifactAccess.OWN_ARTIFACTS (the default)', () => {
  const t = shopPipeline();

  test('each step reads only its inputs and writes only its outputs', async () => {
    expect(await accessMatrix(t, 'shop', ROLES)).toEqual({
      Build: 'Source_Sou:R- Build_Outp:-W Report_Out:--',
      UnitTests: 'Source_Sou:-- Build_Outp:R- Report_Out:--',
      Report: 'Source_Sou:-- Build_Outp:R- Report_Out:-W',
      Publish: 'Source_Sou:R- Build_Outp:R- Report_Out:--',
    });
  });

  test('a test step cannot replace the build output that a later stage deploys', async () => {
    const report = policyOf(t, 'Test', 'Report');
    expect(await allowed(report, 's3:PutObject', 'shop/Build_Outp/Ab3dE9x')).toBe(false);
    expect(await allowed(report, 's3:PutObject', 'shop/Report_Out/Ab3dE9x')).toBe(true);
  });

  test('no step reaches the folders of another pipeline sharing the bucket', async () => {
    const build = policyOf(t, 'Build', 'Build');
    expect(await allowed(build, 's3:PutObject', 'shop-admin/Build_Outp/Ab3dE9x')).toBe(false);
    expect(await allowed(build, 's3:GetObject', 'shop2/Source_Sou/Ab3dE9x')).toBe(false);
  });

  test('a long pipeline name is matched by its first 20 characters', async () => {
    const stack = newStack();
    new DeliveryPipeline(stack, 'Pipeline', {
      pipelineName: 'shop-web-blue-green-release',
      source: githubSource(),
      artifactBucket: importedStore(stack),
      buildStep: new BuildStep('Build', { commands: ['make'], outputs: ['dist/**'] }),
    });
    const build = policyOf(Template.fromStack(stack), 'Build', 'Build');
    expect(build.Statement.find((s) => s.Sid === 'WriteOutputArtifacts')?.Resource).toBe(`${BUCKET}/shop-web-blue-green-*/Build_Outp*/*`);
    expect(await allowed(build, 's3:PutObject', 'shop-web-blue-green-/Build_Outp/Ab3dE9x')).toBe(true);
    expect(await allowed(build, 's3:PutObject', 'shop-web-blue-green-/Source_Sou/Ab3dE9x')).toBe(false);
  });

  test('without a literal pipeline name, the artifact folder is matched under any pipeline folder', async () => {
    const stack = newStack();
    new DeliveryPipeline(stack, 'Pipeline', {
      source: githubSource(),
      artifactBucket: importedStore(stack),
      buildStep: new BuildStep('Build', { commands: ['make'], outputs: ['dist/**'] }),
    });
    const build = policyOf(Template.fromStack(stack), 'Build', 'Build');
    expect(await allowed(build, 's3:PutObject', 'Test-Pipeline9850B4/Build_Outp/Ab3dE9x')).toBe(true);
    expect(await allowed(build, 's3:PutObject', 'Test-Pipeline9850B4/Source_Sou/Ab3dE9x')).toBe(false);
  });

  test('a batch step keeps the whole bucket: CodeBuild does not document where the builds of a batch keep their artifacts', async () => {
    const stack = newStack();
    new DeliveryPipeline(stack, 'Pipeline', {
      pipelineName: 'shop',
      source: githubSource(),
      artifactBucket: importedStore(stack),
      buildStep: new BuildStep('Build', {
        commands: ['make'],
        outputs: ['dist/**'],
        batch: BatchBuild.matrix({ variables: [{ name: 'NODE', values: ['20', '22'] }], combineArtifacts: true }),
      }),
    });
    const build = policyOf(Template.fromStack(stack), 'Build', 'Build');
    expect(await allowed(build, 's3:PutObject', 'shop/Anything/Ab3dE9x')).toBe(true);
  });

  test('secondary outputs, Docker steps and the steps of an environment get their own folders too', async () => {
    const stack = newStack();
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['dist/**'], secondaryOutputs: [{ name: 'Reports123', files: ['reports/**'] }] });
    const pipeline = new DeliveryPipeline(stack, 'Pipeline', {
      pipelineName: 'shop-web-blue-green1', // exactly 20 characters: matched exactly
      source: githubSource(),
      artifactBucket: importedStore(stack),
      buildStep: build,
    });
    pipeline.addStage('Images', { steps: [new DockerImageStep('Image')] });
    pipeline.addEnvironment('Staging', {
      deploy: [new BuildStep('Deploy', { commands: ['make deploy'], input: build.output })],
      after: [new BuildStep('Smoke', { commands: ['make smoke'], additionalInputs: [build.secondaryOutput('Reports123')] })],
    });
    const t = Template.fromStack(stack);
    const can = async (stage: string, step: string, action: string, key: string) => allowed(policyOf(t, stage, step), action, `shop-web-blue-green1/${key}/Ab3dE9x`);
    expect(await can('Build', 'Build', 's3:PutObject', 'Reports123')).toBe(true);
    expect(await can('Build', 'Build', 's3:PutObject', 'Reports1234')).toBe(false); // 10 characters: no wildcard
    expect(await can('Images', 'Image', 's3:PutObject', 'Image_Outp')).toBe(true);
    expect(await can('Images', 'Image', 's3:PutObject', 'Build_Outp')).toBe(false);
    expect(await can('Images', 'Image', 's3:GetObject', 'Source_Sou')).toBe(true);
    expect(await can('Staging', 'Deploy', 's3:GetObject', 'Build_Outp')).toBe(true);
    expect(await can('Staging', 'Deploy', 's3:PutObject', 'Build_Outp')).toBe(false);
    expect(await can('Staging', 'Smoke', 's3:GetObject', 'Reports123')).toBe(true);
    expect(await can('Staging', 'Smoke', 's3:GetObject', 'Build_Outp')).toBe(false);
    expect(await allowed(policyOf(t, 'Build', 'Build'), 's3:PutObject', 'shop-web-blue-green12/Build_Outp/Ab3dE9x')).toBe(false);
  });

  test('a role given to two steps holds the grants of both, so synth warns', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    new DeliveryPipeline(stack, 'Pipeline', {
      pipelineName: 'shop',
      source: githubSource(),
      buildStep: new BuildStep('Build', { commands: ['make'], outputs: ['dist/**'], role }),
      tests: [new BuildStep('UnitTests', { commands: ['make test'], role })],
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp("BuildStep 'UnitTests': its role is also the role of step 'Build', so each step can read and write the other's artifacts")))
      .toHaveLength(1);
  });

  test('ArtifactObjects.arnFor gives steps of your own the same patterns', () => {
    const stack = newStack();
    const bucket = importedStore(stack);
    const build = new BuildStep('Build', { commands: ['make'], outputs: ['dist/**'] });
    const context = { pipelineFolder: 'shop', artifactBucket: bucket } as Parameters<typeof ArtifactObjects.arnFor>[0];
    expect(ArtifactObjects.arnFor(context, build.output!)).toBe(`${BUCKET}/shop/Build_Outp*/*`);
    expect(ArtifactObjects.arnFor({ ...context, pipelineFolder: undefined }, build.output!)).toBe(`${BUCKET}/*`);
  });

  test('fails when outputs share their first 10 characters: they would share a folder', () => {
    expect(() => shopPipeline({
      tests: [
        new BuildStep('Integration1', { commands: ['make it'], outputs: ['a/**'] }),
        new BuildStep('Integration2', { commands: ['make it'], outputs: ['b/**'] }),
      ],
    })).toThrow(/action 'Integration2' output: shares the artifact folder 'Integratio' with 'Integration1_Output' \(output of action 'Integration1'\)[\s\S]*\(got "Integration2_Output"\)\. Fix: name the two outputs so that their first 10 characters differ/);
  });

  test('fails when a step output shares a source output\'s folder', () => {
    expect(() => shopPipeline({
      tests: [new BuildStep('Source_Sou', { commands: ['make'], outputs: ['a/**'] })],
    })).toThrow(/action 'Source_Sou' output: shares the artifact folder 'Source_Sou' with 'Source_Source' \(output of action 'Source'\)/);
  });
});

test('fails when two sources\' outputs share a folder, reported with the pipeline\'s other problems', () => {
  expect(() => new DeliveryPipeline(newStack(), 'Pipeline', {
    source: githubSource(),
    additionalSources: [Source.connection('my-org/lib', { connectionArn: CONNECTION_ARN, actionName: 'Lib', outputArtifactName: 'Source_SourceLib' })],
    buildStep: new BuildStep('Build', { commands: ['make'] }),
    artifactRetentionDays: 0,
  })).toThrow(/has 2 problems:[\s\S]*artifactRetentionDays[\s\S]*source 'Lib' output: shares the artifact folder 'Source_Sou' with 'Source_Source'/);
});

describe('ArtifactAccess.WHOLE_BUCKET', () => {
  test('every step reads every object; steps with outputs write every object', async () => {
    const t = shopPipeline({ artifactAccess: ArtifactAccess.WHOLE_BUCKET });
    expect(await accessMatrix(t, 'shop', ROLES)).toEqual({
      Build: 'Source_Sou:RW Build_Outp:RW Report_Out:RW',
      UnitTests: 'Source_Sou:R- Build_Outp:R- Report_Out:R-',
      Report: 'Source_Sou:RW Build_Outp:RW Report_Out:RW',
      Publish: 'Source_Sou:R- Build_Outp:R- Report_Out:R-',
    });
  });

  test('allows outputs that share a folder', () => {
    expect(() => shopPipeline({
      artifactAccess: ArtifactAccess.WHOLE_BUCKET,
      tests: [
        new BuildStep('Integration1', { commands: ['make it'], outputs: ['a/**'] }),
        new BuildStep('Integration2', { commands: ['make it'], outputs: ['b/**'] }),
      ],
    })).not.toThrow();
  });
});

test('fails when artifactAccess is not an ArtifactAccess', () => {
  expect(() => shopPipeline({ artifactAccess: 'own' as unknown as ArtifactAccess })).toThrow(/artifactAccess: is a string, but one of "own-artifacts", "whole-bucket" is expected \(got "own"\)/);
});
