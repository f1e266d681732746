import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { parse } from 'yaml';
import { BuildStep, DeliveryPipeline, DeliveryPipelineProps } from '../../lib';
import { ENV, githubSource, newApp } from '../util';

function pipelineWith(props: Partial<DeliveryPipelineProps>) {
  const stack = new Stack(newApp(), 'Tools', { env: ENV });
  const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: new BuildStep('Build', { commands: ['npm test'] }), ...props });
  return { stack, pipeline, t: Template.fromStack(stack) };
}

describe('selfUpdate', () => {
  test('a stage right after the source runs cdk deploy of the pipeline\'s stack, exclusively, before the build; the pipeline restarts on update', () => {
    const { t, pipeline } = pipelineWith({ selfUpdate: true });
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      RestartExecutionOnUpdate: true,
      Stages: [Match.objectLike({ Name: 'Source' }), Match.objectLike({ Name: 'UpdatePipeline', Actions: [Match.objectLike({ Name: 'SelfUpdate', ActionTypeId: Match.objectLike({ Provider: 'CodeBuild' }) })] }), Match.objectLike({ Name: 'Build' })],
    });
    const job = Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk deploy'))!;
    const spec = parse(job.Properties.Source.BuildSpec);
    expect(spec.phases.install.commands).toEqual(['npm install --global --no-audit --no-fund --no-update-notifier aws-cdk@2', 'npm ci']);
    expect(spec.phases.build.commands).toEqual(["cdk deploy 'Tools' --exclusively --require-approval never --progress events"]);
    // It reads the source (the commit being released), and runs before any build.
    expect(pipeline.estimate().table).toMatch(/\| UpdatePipeline \| 4 \|/);
    // It only runs Node.js: on ARM, priced as such.
    expect(job.Properties.Environment).toMatchObject({ Type: 'ARM_CONTAINER', ComputeType: 'BUILD_GENERAL1_SMALL', Image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0' });
    expect(pipeline.estimate().buildMinutes).toContain('BUILD_GENERAL1_SMALL (ARM): 4');
  });

  test('an app whose synthesis needs x86 runs the update on an x86 image; a Lambda image is refused', () => {
    const { t } = pipelineWith({ selfUpdate: true, selfUpdateOptions: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 } });
    const job = Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk deploy'))!;
    expect(job.Properties.Environment).toMatchObject({ Type: 'LINUX_CONTAINER', Image: 'aws/codebuild/standard:7.0' });
    expect(() => pipelineWith({ selfUpdate: true, selfUpdateOptions: { buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20 } }))
      .toThrow(/selfUpdateOptions\.buildImage: is not an EC2 Linux or ARM image of CodeBuild \(the update runs cdk deploy, which may outlast Lambda compute's 15 minutes\) \(got "aws\/codebuild\/amazonlinux-x86_64-lambda-standard:nodejs20"\)\. Fix: give e\.g\. codebuild\.LinuxArmBuildImage/);
  });

  test('its role may assume exactly the bootstrap roles cdk deploy uses, and describe exactly the pipeline\'s stack', () => {
    const { t } = pipelineWith({ selfUpdate: true, selfUpdateOptions: { bootstrapQualifier: 'tools1', directory: 'infra', installCommands: ['pnpm install --frozen-lockfile'], cliVersion: '2.1100.0' } });
    const role = Object.keys(t.findResources('AWS::IAM::Role')).find((id) => id.includes('UpdatePipelineSelfUpdateRole'))!;
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role)).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((r) => `arn:aws:iam::111111111111:role/cdk-tools1-${r}-role-111111111111-us-east-1`),
    });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Tools/*' });
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"|AdministratorAccess/);
    const spec = parse(Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk deploy'))!.Properties.Source.BuildSpec);
    // The phases run in one shell: each cd starts from the source's root.
    expect(spec.phases.install.commands).toEqual(['npm install --global --no-audit --no-fund --no-update-notifier aws-cdk@2.1100.0', 'cd "$CODEBUILD_SRC_DIR/infra"', 'pnpm install --frozen-lockfile']);
    expect(spec.phases.build.commands[0]).toBe('cd "$CODEBUILD_SRC_DIR/infra"');
  });

  test('without selfUpdate there is no such stage; bad options fail at synth', () => {
    const { t } = pipelineWith({});
    expect(JSON.stringify(t.toJSON())).not.toContain('UpdatePipeline');
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', { RestartExecutionOnUpdate: false });
    expect(() => pipelineWith({ selfUpdate: true, restartExecutionOnUpdate: false, selfUpdateOptions: { bootstrapQualifier: 'not a qualifier', cliVersion: 'latest', directory: '../up' } })).toThrow(new RegExp([
      'has 4 problems:',
      ' {2}- restartExecutionOnUpdate: is off, but an update of the pipeline by selfUpdate cancels the running execution, which then never runs again \\(got false\\)\\. Fix: remove restartExecutionOnUpdate \\(selfUpdate turns it on\\)',
      ' {2}- selfUpdateOptions\\.bootstrapQualifier: is not a cdk bootstrap qualifier.*',
      ' {2}- selfUpdateOptions\\.cliVersion: is not a major or an exact version of the CDK CLI \\(got "latest"\\).*',
      ' {2}- selfUpdateOptions\\.directory: is not a relative path inside the source \\(got "\\.\\./up"\\)',
    ].join('\n')));
    expect(() => pipelineWith({ selfUpdateOptions: {} })).toThrow(/selfUpdateOptions: are given, but selfUpdate is not on/);
    // The directory goes into a double-quoted cd: no quote, $, backquote or backslash.
    for (const directory of ['infra"; rm -rf /', 'in$HOME', 'in`x`', 'a\\b']) {
      expect(() => pipelineWith({ selfUpdate: true, selfUpdateOptions: { directory } })).toThrow(/selfUpdateOptions\.directory: is not a relative path inside the source/);
    }
  });
});
