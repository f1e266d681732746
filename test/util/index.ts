import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { EXAMPLE_CONNECTION_ARN, EXAMPLE_ENV } from '../../examples/settings';
import { BuildStep, DeliveryPipeline, DeliveryPipelineProps, ISource, Source } from '../../lib';

/** The feature flags `npx cdk synth` runs with, so tests synthesize what the CLI does. */
const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

/** The shared literals of the tests: the examples' settings (one place for each). */
export const ENV = EXAMPLE_ENV;
export const CONNECTION_ARN = EXAMPLE_CONNECTION_ARN;

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
