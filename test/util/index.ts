import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { BuildStep, DeliveryPipeline, DeliveryPipelineProps, ISource, Source } from '../../lib';

/** The feature flags `npx cdk synth` runs with, so tests synthesize what the CLI does. */
const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

export const ENV = { account: '111111111111', region: 'us-east-1' };
export const CONNECTION_ARN = 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

export function newApp(): App {
  return new App({ context: CONTEXT });
}

export function newStack(): Stack {
  return new Stack(newApp(), 'Test', { env: ENV });
}

/** A GitHub connection source with defaults. */
export function githubSource(): ISource {
  return Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN });
}

/** A minimal build step. */
export function build(name = 'Build'): BuildStep {
  return new BuildStep(name, { commands: ['npm ci', 'npm test'] });
}

/** A pipeline with a source and a build in a fresh stack, plus its template. */
export function pipelineWith(props: Partial<DeliveryPipelineProps> = {}, stack = newStack()) {
  const pipeline = new DeliveryPipeline(stack, 'Pipeline', { source: githubSource(), buildStep: build(), ...props });
  return { stack, pipeline, template: () => Template.fromStack(stack) };
}

/** An imported CodeCommit repository. */
export function importedRepository(stack: Stack): codecommit.IRepository {
  return codecommit.Repository.fromRepositoryName(stack, 'Repo', 'shop');
}
