import { Aws, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BuildStep, CommandsStep, DeliveryPipeline, DeliveryTarget, ManualApprovalStep, Source, StackDeployStep } from 'cdk-delivery';

/**
 * What CloudFormation may do to deploy the shop-api stack in an account and region: one Lambda
 * function with a function URL, and its role (named `shop-api-<region>` by the stack). Give it to
 * each target: `new DeliveryTargetStack(app, id, { env, pipelineAccount, cloudFormationExecutionStatements: shopApiDeployment() })`.
 */
export function shopApiDeployment(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['CreateFunction', 'DeleteFunction', 'GetFunction', 'GetFunctionConfiguration', 'UpdateFunctionCode', 'UpdateFunctionConfiguration', 'TagResource', 'UntagResource',
        'ListTags', 'CreateFunctionUrlConfig', 'UpdateFunctionUrlConfig', 'DeleteFunctionUrlConfig', 'GetFunctionUrlConfig', 'AddPermission', 'RemovePermission'].map((a) => `lambda:${a}`),
      resources: [`arn:${Aws.PARTITION}:lambda:${Aws.REGION}:${Aws.ACCOUNT_ID}:function:shop-api`],
    }),
    new iam.PolicyStatement({
      actions: ['CreateRole', 'DeleteRole', 'GetRole', 'TagRole', 'UntagRole', 'AttachRolePolicy', 'DetachRolePolicy', 'PassRole'].map((a) => `iam:${a}`),
      resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/shop-api-${Aws.REGION}`],
    }),
  ];
}

/** Settings a team changes when copying this example. */
export interface MultiAccountReleaseStackProps extends StackProps {
  /** The development account's target. */
  readonly dev: DeliveryTarget;
  /** The production targets, one per region, deployed together as a wave. */
  readonly production: DeliveryTarget[];
  /** Who approves releases to production, and hears of failures. */
  readonly approverEmail: string;
}

/**
 * CodeCommit -> build (tests, then the service's CloudFormation template) -> dev account (deploy,
 * then a smoke test of the URL the stack outputs) -> one approval -> production account in two
 * regions at once, every environment rolled back when it fails, with notifications of failures,
 * approvals and releases. The pipeline keeps an artifact store in each region it deploys to.
 */
export class MultiAccountReleaseStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: MultiAccountReleaseStackProps) {
    super(scope, id, props);
    // The repository holds the API and its CDK app, whose ShopApi stack inlines the function's code.
    const source = Source.codeCommit({ repositoryName: 'shop-api', repositoryDescription: 'The shop API and its infrastructure' });
    const build = new BuildStep('Build', {
      runtimeVersions: [{ runtime: 'nodejs', version: '22' }],
      installCommands: ['npm ci'],
      commands: ['npm test', 'npx cdk synth --quiet && cp cdk.out/ShopApi.template.json shop-api.template.json'],
      outputs: ['shop-api.template.json'],
    });
    // One action per environment: nobody reviews a change set between creating and executing it.
    const deployTo = (name: string) => new StackDeployStep(name, {
      stackName: 'shop-api',
      template: build.output!.atPath('shop-api.template.json'),
      parameters: [{ name: 'Version', value: source.variables.commitId }],
    });
    this.delivery = new DeliveryPipeline(this, 'Pipeline', { pipelineName: 'shop-api', source, buildStep: build });

    const dev = deployTo('Deploy');
    this.delivery.addEnvironment('Dev', {
      target: props.dev,
      deploy: [dev],
      // CodePipeline's own compute: no CodeBuild project, log group or role to manage.
      after: [new CommandsStep('SmokeTest', { commands: [`curl --fail --silent --show-error --max-time 10 "${dev.stackOutput('ServiceUrl')}health"`], expectedMinutes: 1 })],
    });
    this.delivery.addWave('Production', {
      approval: new ManualApprovalStep('Approve', { notifyEmails: [props.approverEmail], comment: `Release ${source.variables.commitId} to production?`, timeout: Duration.days(2) }),
      environments: props.production.map((target) => ({ name: `Production-${target.region}`, target, production: true, deploy: [deployTo(`Deploy-${target.region}`)] })),
    });
    this.delivery.addNotifications({ emails: [props.approverEmail] });
  }
}
