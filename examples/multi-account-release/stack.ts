import { ArnFormat, CfnCapabilities, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BuildStep, ChangeSetDeployStep, DeliveryPipeline, DeliveryTarget, ManualApprovalStep, Source } from 'cdk-delivery';

/** The service the pipeline releases: its stack, and the function the stack creates. */
const SERVICE = { stackName: 'shop-api', functionName: 'shop-api', template: 'shop-api.template.json' };

/** Settings of an account and region the service runs in. */
export interface ServiceTargetStackProps extends StackProps {
  /** The account the pipeline runs in. */
  readonly pipelineAccount: string;
}

/**
 * Deployed once in each account and region the service runs in (before the pipeline): the role
 * the pipeline assumes there, and the role CloudFormation creates the service with, allowed
 * exactly what the service's stack creates: one Lambda function with a function URL, and its role.
 */
export class ServiceTargetStack extends Stack {
  public readonly target: DeliveryTarget;

  constructor(scope: Construct, id: string, props: ServiceTargetStackProps) {
    super(scope, id, props);
    const functionArn = this.formatArn({ service: 'lambda', resource: 'function', resourceName: SERVICE.functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const deployService = new iam.ManagedPolicy(this, 'DeployService', {
      description: `What CloudFormation may do to deploy the ${SERVICE.stackName} stack`,
      statements: [
        new iam.PolicyStatement({
          actions: [
            'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration',
            'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags',
            'lambda:CreateFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig', 'lambda:DeleteFunctionUrlConfig', 'lambda:GetFunctionUrlConfig',
            'lambda:AddPermission', 'lambda:RemovePermission',
          ],
          resources: [functionArn],
        }),
        new iam.PolicyStatement({
          actions: ['iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:TagRole', 'iam:UntagRole', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PassRole'],
          resources: [this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: `${SERVICE.functionName}-${this.region}` })],
        }),
      ],
    });
    this.target = new DeliveryTarget(this, 'Target', {
      pipelineAccount: props.pipelineAccount,
      cloudFormationExecutionPolicies: [deployService],
    });
  }
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
 * CodeCommit -> build (tests, then the service's CloudFormation template) -> dev account (change
 * set, then a smoke test of the URL the stack outputs) -> approval by email -> production account
 * in two regions at once (each through a change set), every environment rolled back when it fails,
 * with notifications of failures, approvals and releases.
 */
export class MultiAccountReleaseStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: MultiAccountReleaseStackProps) {
    super(scope, id, props);

    // The repository holds the API and its CDK app, whose ShopApi stack inlines the function's code
    // (no file assets to publish to the target accounts).
    const source = Source.codeCommit({ repositoryName: 'shop-api', repositoryDescription: 'The shop API and its infrastructure' });
    const build = new BuildStep('Build', {
      runtimeVersions: [{ runtime: 'nodejs', version: '22' }],
      installCommands: ['npm ci'],
      commands: ['npm test', `npx cdk synth --quiet && cp cdk.out/ShopApi.template.json ${SERVICE.template}`],
      outputs: [SERVICE.template],
    });
    const deployTo = (name: string) => new ChangeSetDeployStep(name, {
      stackName: SERVICE.stackName,
      template: build.output!.atPath(SERVICE.template),
      // The stack creates the function's role, under a name of its own.
      capabilities: [CfnCapabilities.NAMED_IAM],
      parameters: [{ name: 'Version', value: source.variables.commitId }],
    });

    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: 'shop-api',
      source,
      buildStep: build,
      // The production wave deploys to a second region: the pipeline keeps an artifact store there.
      deployRegions: props.production.map((t) => t.region).filter((r) => r !== this.region),
    });

    const dev = deployTo('Deploy');
    this.delivery.addEnvironment('Dev', {
      target: props.dev,
      deploy: [dev],
      after: [new BuildStep('SmokeTest', {
        environmentVariables: [{ name: 'SERVICE_URL', value: dev.stackOutput('ServiceUrl') }],
        commands: ['curl --fail --silent --show-error --max-time 10 "${SERVICE_URL}health"'],
        expectedMinutes: 1,
      })],
    });

    this.delivery.addWave('Production', {
      // One approval releases the whole wave.
      approval: new ManualApprovalStep('Approve', { notifyEmails: [props.approverEmail], comment: `Release ${source.variables.commitId} to production?`, timeout: Duration.days(2) }),
      environments: props.production.map((target) => ({
        name: `Production-${target.region}`,
        target,
        production: true,
        deploy: [deployTo(`Deploy-${target.region}`)],
      })),
    });

    this.delivery.addNotifications({ emails: [props.approverEmail] });
  }
}
