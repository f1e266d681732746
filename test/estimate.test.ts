import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { addExamples } from '../examples';
import { BatchBuild, BuildCache, BuildStep, DeliveryPipeline, ManualApprovalStep } from '../lib';
import { newApp, pipelineWith } from './util';

describe('estimate', () => {
  test('critical path: stages in sequence, runOrder groups in sequence, a group as long as its longest action', () => {
    const { pipeline } = pipelineWith({ buildStep: new BuildStep('Build', { commands: ['make'], expectedMinutes: 9 }) });
    pipeline.addStage('Test', {
      steps: [new BuildStep('Lint', { commands: ['x'], expectedMinutes: 2 }), new BuildStep('Unit', { commands: ['x'], expectedMinutes: 4 })],
      parallel: true,
    });
    pipeline.addStage('Release', { steps: [new ManualApprovalStep('Approve'), new BuildStep('Publish', { commands: ['x'], expectedMinutes: 1 })] });
    const e = pipeline.estimate();
    // source 0.5 + build (1 + 9) + test max(1+2, 1+4) + release (approval apart, 1 + 1)
    expect(e.criticalPathMinutes).toBe(0.5 + 10 + 5 + 2);
    expect(e.waitingFor).toEqual(['Release/Approve']);
    // every action bills its own minutes, parallel or not
    expect(e.actionMinutes).toBe(0.5 + 10 + 3 + 5 + 2);
    expect(e.buildMinutes).toEqual(['BUILD_GENERAL1_SMALL: 20']);
    expect(e.costPerRun).toBeCloseTo(20.5 * 0.002 + 20 * 0.005, 4);
    expect(e.table).toContain('| **run (critical path)** | **17.5** |');
  });

  test('compute types and batches are billed by what they run', () => {
    const { pipeline } = pipelineWith({
      buildStep: new BuildStep('Build', { commands: ['make'], expectedMinutes: 4, computeType: codebuild.ComputeType.LARGE, batch: BatchBuild.matrix({ variables: [{ name: 'V', values: ['1', '2', '3'] }] }) }),
    });
    const e = pipeline.estimate();
    expect(e.buildMinutes).toEqual(['BUILD_GENERAL1_LARGE: 15']);
    expect(e.costPerRun).toBeCloseTo((0.5 + 5) * 0.002 + 15 * 0.02, 4);
  });

  test('ARM and Lambda compute are priced as such', () => {
    const { pipeline } = pipelineWith({ buildStep: new BuildStep('Build', { commands: ['make'], expectedMinutes: 4, buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 }) });
    pipeline.addStage('Check', {
      steps: [new BuildStep('Lint', { commands: ['npx eslint .'], expectedMinutes: 0.9, computeType: codebuild.ComputeType.LAMBDA_1GB, buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20, cache: BuildCache.none() })],
    });
    const e = pipeline.estimate();
    // ARM small 1 + 4 minutes; Lambda 0.1 + 0.9 minutes, no provisioning to speak of
    expect(e.buildMinutes).toEqual(['BUILD_GENERAL1_SMALL (ARM): 5', 'BUILD_LAMBDA_1GB: 1']);
    expect(e.costPerRun).toBeCloseTo((0.5 + 5 + 1) * 0.002 + 5 * 0.0034 + 1 * 0.0012, 4);
  });

  test('compute types without a confirmed price are left out of the cost, and said so', () => {
    const { pipeline } = pipelineWith({ buildStep: new BuildStep('Build', { commands: ['make'], computeType: codebuild.ComputeType.X2_LARGE }) });
    const e = pipeline.estimate();
    expect(e.costPerRun).toBeCloseTo(6.5 * 0.002, 4);
    expect(e.table).toContain('No price in the table for BUILD_GENERAL1_2XLARGE');
  });

  test('V1 pipelines have no action-minute cost', () => {
    const { pipeline } = pipelineWith({ pipelineType: codepipeline.PipelineType.V1 });
    expect(pipeline.estimate().costPerRun).toBeCloseTo(6 * 0.005, 4);
  });

  test('deployments take their traffic shift and waits', () => {
    const app = newApp();
    addExamples(app);
    const ecs = app.node.findAll().find((c): c is DeliveryPipeline => c instanceof DeliveryPipeline && c.node.path.startsWith('EcsCanary'))!;
    // source 0.5 + image build 6 + deploy (files 1.5, replacement 3, canary 5, blue tasks kept 60)
    expect(ecs.estimate().criticalPathMinutes).toBe(0.5 + 6 + 1.5 + 3 + 5 + 60);
    expect(Duration.minutes(ecs.estimate().criticalPathMinutes).toHours({ integral: false })).toBeGreaterThan(1);
  });

  test('fails when expected minutes are negative', () => {
    expect(() => new BuildStep('Build', { commands: ['make'], expectedMinutes: -1 })).toThrow(/expectedMinutes: must be a number of minutes, 0 or more/);
  });
});
