import { CfnParameter } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { BuildStep, CommandsCompute, CommandsStep } from '../../lib';
import { newStack, pipelineWith } from '../util';
import { addAwsSolutions, awsSolutionsErrors } from '../util/nag';

const stageOf = (t: Template, name: string) => Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages.find((s: { Name: string }) => s.Name === name);
const roleStatements = (t: Template, roleRef: string) => Object.values(t.findResources('AWS::IAM::Policy'))
  .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleRef }]))
  .flatMap((r) => r.Properties.PolicyDocument.Statement);

describe('CommandsStep', () => {
  test('runs single-line commands on the Commands action, keeps its output files and exports variables', () => {
    const { stack, pipeline, template } = pipelineWith({ pipelineName: 'shop' });
    addAwsSolutions(stack.node.root as never);
    const check = new CommandsStep('Check', {
      commands: ['npm ci', 'npm run lint', 'export VERSION=$(node -p "require(\'./package.json\').version")'],
      outputs: ['reports/**'],
      exportedVariables: ['VERSION'],
      compute: CommandsCompute.MEDIUM,
    });
    pipeline.addStage('Check', { steps: [check, new BuildStep('Tag', { commands: ['echo $V'], environmentVariables: [{ name: 'V', value: check.exportedVariable('VERSION') }] })] });
    const t = template();
    const [action] = stageOf(t, 'Check').Actions;
    expect(action).toMatchObject({
      Name: 'Check',
      ActionTypeId: { Category: 'Compute', Owner: 'AWS', Provider: 'Commands', Version: '1' },
      Configuration: { ComputeType: 'BUILD_GENERAL1_MEDIUM' },
      Commands: check['props'].commands,
      OutputVariables: ['VERSION'],
      Namespace: 'Check',
      InputArtifacts: [{ Name: 'Source_Source' }],
      OutputArtifacts: [{ Name: 'Check_Output', Files: ['reports/**'] }],
    });
    expect(check.exportedVariable('VERSION')).toBe('#{Check.VERSION}');
    // The action's role: its log group, its own artifact folders, the artifact key.
    const statements = roleStatements(t, action.RoleArn['Fn::GetAtt'][0]);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: ['arn:aws:logs:us-east-1:111111111111:log-group:/aws/codepipeline/shop', 'arn:aws:logs:us-east-1:111111111111:log-group:/aws/codepipeline/shop:log-stream:*'] }),
      expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/ArtifactBucket/), 'Arn'] }, '/shop/Source_Sou*/*']] } }),
      expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/ArtifactBucket/), 'Arn'] }, '/shop/Check_Outp*/*']] } }),
    ]));
    expect(JSON.stringify(statements)).not.toMatch(/"s3:\*"|"Resource":"\*"/);
    expect(awsSolutionsErrors(stack).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
    expect(pipeline.estimate().buildMinutes).toEqual(expect.arrayContaining([expect.stringMatching(/BUILD_GENERAL1_MEDIUM/)]));
  });

  test('fails on what the Commands action rejects, and in a V1 pipeline, another account or a pipeline without a name', () => {
    expect(() => new CommandsStep('C', { commands: [] })).toThrow(/commands: the Commands action runs 1 to 50 \(got "0 commands"\)/);
    expect(() => new CommandsStep('C', { commands: ['echo a\necho b', ''] })).toThrow(/commands\[0\]: spans several lines[\s\S]*commands\[1\]: is empty/);
    expect(() => new CommandsStep('C', { commands: ['x'.repeat(1001)] })).toThrow(/commands\[0\]: is longer than the 1000 characters of a command/);
    expect(() => new CommandsStep('C', { commands: ['true'], outputs: [], exportedVariables: [], expectedMinutes: 90 }))
      .toThrow(/outputs: an output artifact takes 1 to 10 file patterns[\s\S]*exportedVariables: the Commands action exports 1 to 15[\s\S]*expectedMinutes: must be more than 0 and at most 55/);
    expect(() => new CommandsStep('C', { commands: ['true'], extraInputs: Array.from({ length: 10 }, (_, i) => new codepipeline.Artifact(`A${i}`)) })).toThrow(/extraInputs: the Commands action reads at most 10 artifacts/);
    expect(() => new CommandsStep('C', { commands: ['true'], exportedVariables: ['A B', 'X', 'X'] })).toThrow(/exportedVariables\[0\][\s\S]*exportedVariables: the variable 'X' is used twice/);
    expect(() => new CommandsStep('C', { commands: ['true'] }).exportedVariable('NOPE')).toThrow(/exportedVariable: 'NOPE' is not exported by this step/);
    expect(() => new CommandsStep('C', { commands: ['true'], exportedVariables: ['SERVICE-URL', '1ST'] }))
      .toThrow(/exportedVariables\[0\]: is not a shell variable name[\s\S]*exportedVariables\[1\]: is not a shell variable name/);
    const site = new codepipeline.Artifact('Site');
    expect(() => new CommandsStep('C', { commands: ['true'], input: site, extraInputs: [site] })).toThrow(/extraInputs: repeats input/);
    const twice = pipelineWith({ pipelineName: 'shop' });
    expect(() => twice.pipeline.addStage('Check', { steps: [new CommandsStep('C', { commands: ['true'], extraInputs: [twice.pipeline.primaryOutput] })] }))
      .toThrow(/extraInputs: repeats the stage's default input/);
    const tokenStack = newStack();
    const token = pipelineWith({ pipelineName: new CfnParameter(tokenStack, 'Name').valueAsString }, tokenStack);
    expect(() => token.pipeline.addStage('Check', { steps: [new CommandsStep('C', { commands: ['true'] })] })).toThrow(/pipelineName: must be a literal/);
    const unnamed = pipelineWith();
    expect(() => unnamed.pipeline.addStage('Check', { steps: [new CommandsStep('C', { commands: ['true'] })] }))
      .toThrow(/pipelineName: is required: the commands log to the log group \/aws\/codepipeline\/<pipeline name>/);
    const v1 = pipelineWith({ pipelineName: 'v1', pipelineType: codepipeline.PipelineType.V1 });
    expect(() => v1.pipeline.addStage('Check', { steps: [new CommandsStep('C', { commands: ['true'] })] })).toThrow(/pipelineType: the Commands action runs only in V2 pipelines/);
  });
});
