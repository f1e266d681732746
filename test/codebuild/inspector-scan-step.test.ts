import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { DockerImageStep, InspectorScanStep, ManualApprovalStep } from '../../lib';
import { pipelineWith } from '../util';
import { addAwsSolutions, awsSolutionsErrors } from '../util/nag';

const stageOf = (t: Template, name: string) => Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages.find((s: { Name: string }) => s.Name === name);
const policyOf = (t: Template, roleRef: string) => Object.values(t.findResources('AWS::IAM::Policy'))
  .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleRef }]))
  .flatMap((r) => r.Properties.PolicyDocument.Statement);

describe('InspectorScanStep', () => {
  test('scans the image a Docker step pushed, fails on any critical or high finding, keeps the SBOM; the role pulls only that repository', () => {
    const { stack, pipeline, template } = pipelineWith({ pipelineName: 'shop' });
    addAwsSolutions(stack.node.root as never);
    const image = new DockerImageStep('Image');
    const scan = InspectorScanStep.image('ScanImage', { image, thresholds: { medium: 10 } });
    pipeline.addStage('Image', { steps: [image] });
    pipeline.addStage('Scan', { steps: [scan, new ManualApprovalStep('Approve', { comment: `Highest severity: ${scan.highestSeverity}` })] });
    const t = template();
    const [action] = stageOf(t, 'Scan').Actions;
    expect(action).toMatchObject({
      ActionTypeId: { Category: 'Invoke', Owner: 'AWS', Provider: 'InspectorScan', Version: '1' },
      Configuration: { InspectorRunMode: 'ECRImageScan', ECRRepositoryName: { Ref: expect.stringMatching(/Repository/) }, ImageTag: '#{Image.IMAGE_TAG}', CriticalThreshold: '0', HighThreshold: '0', MediumThreshold: '10' },
      OutputArtifacts: [{ Name: 'ScanImage_Sbom' }],
      Namespace: 'ScanImage',
    });
    expect(action.InputArtifacts).toBeUndefined();
    expect(action.Configuration.LowThreshold).toBeUndefined();
    expect(scan.highestSeverity).toBe('#{ScanImage.HighestScannedSeverity}');
    const statements = policyOf(t, action.RoleArn['Fn::GetAtt'][0]);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['ecr:GetAuthorizationToken', 'inspector-scan:ScanSbom'], Resource: '*' }),
      expect.objectContaining({ Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/Repository/), 'Arn'] } }),
      expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/ArtifactBucket/), 'Arn'] }, '/shop/ScanImage_*/*']] } }),
    ]));
    expect(statements.filter((s: { Action: string | string[] }) => [s.Action].flat().includes('s3:GetObject'))).toEqual([]);
    expect(pipeline.diagram()).toContain('Inspector image scan (fails beyond 0 critical, 0 high, 10 medium)');
    expect(awsSolutionsErrors(stack).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  });

  test('follows its image step within one parallel stage', () => {
    const { pipeline, template } = pipelineWith({ pipelineName: 'shop' });
    const image = new DockerImageStep('Image');
    pipeline.addStage('Images', { steps: [image, InspectorScanStep.image('ScanImage', { image, dependsOn: [image] })], parallel: true });
    expect(stageOf(template(), 'Images').Actions.map((a: { Name: string; RunOrder: number }) => [a.Name, a.RunOrder])).toEqual([['Image', 1], ['ScanImage', 2]]);
  });

  test('scans the source code, reading only its folder', () => {
    const { pipeline, template } = pipelineWith({ pipelineName: 'shop' });
    pipeline.addStage('Scan', { steps: [InspectorScanStep.sourceCode('ScanSource', { thresholds: { critical: 0, high: 2, low: 100 } })] });
    const t = template();
    const [action] = stageOf(t, 'Scan').Actions;
    expect(action).toMatchObject({ Configuration: { InspectorRunMode: 'SourceCodeScan', CriticalThreshold: '0', HighThreshold: '2', LowThreshold: '100' }, InputArtifacts: [{ Name: 'Source_Source' }] });
    expect(policyOf(t, action.RoleArn['Fn::GetAtt'][0])).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/ArtifactBucket/), 'Arn'] }, '/shop/Source_Sou*/*']] } }),
    ]));
  });

  test('scans an image of a repository by tag, latest by default', () => {
    const { stack, pipeline, template } = pipelineWith({ pipelineName: 'shop' });
    const repository = ecr.Repository.fromRepositoryName(stack, 'Web', 'shop/web');
    pipeline.addStage('Scan', { steps: [InspectorScanStep.image('Scan', { repository })] });
    expect(stageOf(template(), 'Scan').Actions[0].Configuration).toMatchObject({ ECRRepositoryName: 'shop/web', ImageTag: 'latest' });
  });

  test('fails without an image, with both an image and a repository, on negative or fractional thresholds, a repository elsewhere or an unnamed pipeline', () => {
    expect(() => InspectorScanStep.image('S', {})).toThrow(/image: is required \(or repository\)/);
    const { stack, pipeline } = pipelineWith();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Web', 'shop/web');
    expect(() => InspectorScanStep.image('S', { image: new DockerImageStep('I'), repository, imageTag: 'v1' }))
      .toThrow(/repository: is given together with image[\s\S]*imageTag: is given together with image/);
    expect(() => InspectorScanStep.sourceCode('S', { thresholds: { critical: -1, high: 1.5 } })).toThrow(/thresholds\.critical: must be a whole number of findings, 0 or more[\s\S]*thresholds\.high/);
    expect(() => pipeline.addStage('Scan', { steps: [InspectorScanStep.sourceCode('S')] })).toThrow(/pipelineName: is required: scans log to the log group/);
    const named = pipelineWith({ pipelineName: 'shop' });
    const west = ecr.Repository.fromRepositoryArn(named.stack, 'West', 'arn:aws:ecr:eu-west-1:111111111111:repository/shop');
    expect(() => named.pipeline.addStage('Scan', { steps: [InspectorScanStep.image('S', { repository: west })] }))
      .toThrow(/repository: is not in the pipeline's account and region \(111111111111\/us-east-1\), where the scan runs/);
    const unplaced = pipelineWith({ pipelineName: 'shop' });
    expect(() => unplaced.pipeline.addStage('Scan', { steps: [InspectorScanStep.image('S', { image: new DockerImageStep('Image') })] }))
      .toThrow(/InspectorScanStep 'S' has 1 problem:\n {2}- image: is not in the pipeline yet, so there is no image to scan \(got "Image"\)/);
    const elsewhere = pipelineWith({ pipelineName: 'shop' });
    const image = new DockerImageStep('Image', { repository: ecr.Repository.fromRepositoryArn(elsewhere.stack, 'Other', 'arn:aws:ecr:eu-west-1:222222222222:repository/shop') });
    elsewhere.pipeline.addStage('Image', { steps: [image] });
    expect(() => elsewhere.pipeline.addStage('Scan', { steps: [InspectorScanStep.image('S', { image })] })).toThrow(/repository: is not in the pipeline's account and region/);
    void Stack;
  });

  test('a threshold known at deploy time is written as a number', () => {
    const { stack, pipeline, template } = pipelineWith({ pipelineName: 'shop' });
    const high = new CfnParameter(stack, 'High', { type: 'Number', default: 3 });
    pipeline.addStage('Scan', { steps: [InspectorScanStep.sourceCode('S', { thresholds: { high: high.valueAsNumber } })] });
    expect(stageOf(template(), 'Scan').Actions[0].Configuration.HighThreshold).toEqual({ Ref: 'High' });
  });
});
