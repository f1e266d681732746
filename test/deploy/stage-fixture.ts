import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, RemovalPolicy, Stack, StackProps, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { BuildStep, CdkStageDeployStep, CdkStageDeployStepProps, CommandsStep, DeliveryPipeline, DeliveryTarget } from '../../lib';
import { ENV, githubSource, newApp } from '../util';

// A Stage and its release, shared by the tests of CdkStageDeployStep and of its publishing job.

export const FIXTURES = path.join(__dirname, 'fixtures', 'stage-app');
export const PROD = { account: '222222222222', region: ENV.region };

/** A table, an API on it (a Lambda function from a file asset) and a web task (a Docker image asset). */
export class ShopStage extends Stage {
  public readonly url: CfnOutput;
  public readonly data: Stack;
  public readonly api: Stack;
  public readonly web: Stack;
  constructor(scope: Construct, id: string, props: StageProps & { readonly image?: boolean; readonly command?: boolean; readonly platform?: Platform } = {}) {
    super(scope, id, props);
    this.data = new Stack(this, 'Data');
    const table = new dynamodb.Table(this.data, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.RETAIN });
    this.api = new Stack(this, 'Api');
    const fn = new lambda.Function(this.api, 'Handler', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(path.join(FIXTURES, 'handler')), environment: { TABLE: table.tableName } });
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.url = new CfnOutput(this.api, 'Url', { value: url.url });
    // A file built by a command cdk-assets runs on the publishing host (e.g. a Go binary).
    if (props.command) this.api.synthesizer.addFileAsset({ sourceHash: 'a'.repeat(64), executable: ['bash', '-c', 'make dist.zip >&2 && echo dist.zip'] });
    this.web = new Stack(this, 'Web');
    const task = new ecs.FargateTaskDefinition(this.web, 'Task');
    task.addContainer('web', { image: props.image === false ? ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable') : ecs.ContainerImage.fromAsset(path.join(FIXTURES, 'image'), { platform: props.platform }) });
  }
}

export function release(options: { stageEnv?: StackProps['env']; image?: boolean; command?: boolean; platform?: Platform; changeSets?: boolean; crossAccount?: boolean; step?: (pipelineStack: Stack) => Partial<CdkStageDeployStepProps> } = {}) {
  const app = newApp();
  const crossAccount = options.crossAccount ?? true;
  const targetStack = new Stack(app, 'ProdTarget', { env: crossAccount ? PROD : ENV });
  const target = new DeliveryTarget(targetStack, 'Target', {
    pipelineAccount: ENV.account,
    cloudFormationExecutionStatements: [new iam.PolicyStatement({ actions: ['lambda:*', 'dynamodb:*', 'ecs:*', 'iam:*', 'logs:*', 's3:GetObject'], resources: ['*'] })],
  });
  const stage = new ShopStage(app, 'Prod', { env: options.stageEnv ?? (crossAccount ? PROD : ENV), image: options.image, command: options.command, platform: options.platform });
  const pipelineStack = new Stack(app, 'Pipe', { env: ENV });
  const synth = new BuildStep('Synth', { commands: ['npm ci', 'npx cdk synth --quiet'], outputs: ['cdk.out/**/*'] });
  const pipeline = new DeliveryPipeline(pipelineStack, 'Pipeline', { pipelineName: 'shop', source: githubSource(), buildStep: synth });
  const step = new CdkStageDeployStep('Shop', { stage, input: synth.output!, changeSets: options.changeSets, ...options.step?.(pipelineStack) });
  pipeline.addEnvironment('Prod', {
    target,
    deploy: [step],
    after: [new CommandsStep('Smoke', { commands: [`curl --fail "${step.stackOutput(stage.url)}"`] })],
  });
  return { app, stage, step, pipeline, pipelineStack, targetStack, target };
}

/**
 * Runs the publishing job's commands up to cdk-assets, as CodeBuild would, on the cloud assembly the
 * test synthesized (linked as cdk.out), in a new directory it returns.
 */
export function prepareWorkspace(app: App, buildSpec: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'publish-'));
  fs.symlinkSync(app.outdir, path.join(dir, 'cdk.out'));
  const commands: string[] = parse(buildSpec).phases.build.commands;
  try {
    for (const command of commands.filter((c) => !c.startsWith('cdk-assets') && !c.startsWith('bash ./copy-images.sh'))) execSync(command, { cwd: dir, shell: '/bin/bash', stdio: 'pipe' });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

/** The manifest the publishing job's commands write for cdk-assets, and the images it copies instead. */
export function publishingManifest(app: App, buildSpec: string) {
  const dir = prepareWorkspace(app, buildSpec);
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', 'cdk-delivery.assets.json'), 'utf8'));
    return { ...manifest, copies: fs.readFileSync(path.join(dir, 'copies.txt'), 'utf8') };
  } finally {
    // The link to the cloud assembly goes, not the assembly.
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The prepare job's buildspec in a pipeline stack's template. */
export function prepareSpec(t: Template): string {
  return Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) => JSON.stringify(p).includes('cdk-delivery-assets.js'))!.Properties.Source.BuildSpec;
}
