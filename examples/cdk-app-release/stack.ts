import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BuildStep, CdkStageDeployStep, CommandsStep, DeliveryPipeline, IDeliveryTarget, ManualApprovalStep, Source } from 'cdk-delivery';
import { ShopAppStage } from './shop-app';

/** Settings a team changes when copying this example. */
export interface CdkAppReleaseStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** The repository as owner/name: this CDK app, with the shop's code (api/, worker/). */
  readonly repository: string;
  /** The shop's Stage in the development account, and that account's target. */
  readonly dev: { readonly stage: ShopAppStage; readonly target: IDeliveryTarget };
  /** The shop's Stage in the production account, and that account's target. */
  readonly production: { readonly stage: ShopAppStage; readonly target: IDeliveryTarget };
  /** Who approves releases to production, and hears of failures. */
  readonly approverEmail: string;
}

/**
 * GitHub -> the pipeline updating itself -> `cdk synth` -> the shop's CDK Stage in the development account (its function's code
 * and its worker's image published by one job, its two stacks deployed side by side), a smoke test
 * of the API the Stage outputs -> approval -> the same Stage in the production account, its worker image copied from dev by digest. The target
 * accounts are bootstrapped without `--trust`: the pipeline deploys through each account's
 * `DeliveryTarget`, whose roles trust exactly this pipeline and may do exactly what the release
 * needs; nothing in those accounts has administrator rights. (The self-update deploys the
 * pipeline's own stack through the tools account's bootstrap roles.)
 *
 * The pipeline updates itself from each commit first (`selfUpdate`); deploy its stack once with
 * `cdk deploy`.
 */
export class CdkAppReleaseStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: CdkAppReleaseStackProps) {
    super(scope, id, props);
    // The build synthesizes this app: its cloud assembly holds every Stage's templates and assets.
    const synth = new BuildStep('Synth', {
      runtimeVersions: [{ runtime: 'nodejs', version: '22' }],
      installCommands: ['npm ci'],
      commands: ['npm test', 'npx cdk synth --quiet'],
      outputs: ['cdk.out/**/*'],
    });
    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: 'shop-app',
      source: Source.connection(props.repository, { connectionArn: props.connectionArn }),
      // The pipeline deploys its own changes from each commit before building it (a new stack in
      // the Stage included); about four minutes per run (a small ARM job). Remove it to deploy the
      // pipeline by hand. The job may assume the tools account's bootstrap roles: bootstrap that
      // account with --cloudformation-execution-policies narrowed to what this stack creates.
      selfUpdate: true,
      buildStep: synth,
    });

    // Nobody reviews dev's change sets: each stack deploys in one action there.
    const dev = new CdkStageDeployStep('Shop', { stage: props.dev.stage, input: synth.output!, changeSets: false });
    this.delivery.addEnvironment('Dev', {
      target: props.dev.target,
      deploy: [dev],
      // The released code answers: its health check, through the URL the Stage outputs.
      after: [new CommandsStep('SmokeTest', {
        commands: [`curl --fail --silent --show-error --max-time 10 '${dev.stackOutput(props.dev.stage.apiUrl)}health' | grep --quiet '"status":"ok"'`],
        expectedMinutes: 1,
      })],
    });
    this.delivery.addEnvironment('Production', {
      target: props.production.target,
      production: true,
      approval: new ManualApprovalStep('Approve', { notifyEmails: [props.approverEmail], comment: 'Release the shop to production?', timeout: Duration.days(2) }),
      // Production runs the worker image dev ran: copied by digest from dev's registry, not rebuilt.
      deploy: [new CdkStageDeployStep('Shop', { stage: props.production.stage, input: synth.output!, imagesFrom: dev })],
    });
    this.delivery.addNotifications({ emails: [props.approverEmail] });
  }
}
