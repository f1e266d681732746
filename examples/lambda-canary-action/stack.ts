import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  BuildStep, DeliveryPipeline, DeploymentAlarms, DeploymentStrategy, LambdaAliasDeployStep, NagAcknowledgements, Source, StageRule, TestReport,
} from 'cdk-delivery';
import { NODE_RUNTIME } from '../settings';

/** Settings a team changes when copying this example. */
export interface LambdaCanaryActionStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** The repository as owner/name (`npm run bundle` writes the function's code to dist/). */
  readonly repository: string;
}

/**
 * GitHub -> tested bundle -> Lambda canary through CodePipeline's Lambda deploy action: the action
 * updates the function's code, publishes a version and sends 10% of the `live` alias's traffic to
 * it for 5 minutes, then all of it; an errors alarm rolls the alias back. No CloudFormation update
 * and no CodeDeploy group per release: the quick path for a function that needs no traffic hooks
 * (examples/lambda-linear has them, through CodeDeploy).
 *
 * A team-wide release freeze holds the release: while the parameter `/shop/release-freeze` says
 * `true` (set it with `aws ssm put-parameter --overwrite`), a gate keeps the run out of production.
 *
 * The function and its alias are created here with a first, inline code; afterwards the pipeline
 * carries the code. A stack update that changes the function's code or the alias would put the
 * stack's back, so keep them fixed here.
 */
export class LambdaCanaryActionStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: LambdaCanaryActionStackProps) {
    super(scope, id, props);

    // --- The function (what the team already has) -----------------------------------------
    const api = new lambda.Function(this, 'Api', {
      runtime: NODE_RUNTIME,
      handler: 'index.handler',
      // The first code only: releases replace it.
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 503, body: "not released yet" });'),
      logGroup: new logs.LogGroup(this, 'ApiLogs', { retention: logs.RetentionDays.THREE_MONTHS }),
      timeout: Duration.seconds(10),
    });
    const live = api.addAlias('live');

    // --- Pipeline ---------------------------------------------------------------------------
    const bundle = new BuildStep('Bundle', {
      installCommands: ['npm ci'],
      commands: ['npm test', 'npm run bundle'],
      reports: [TestReport.junit(['reports/*.xml'])],
      outputs: ['**/*'],
      outputBaseDirectory: 'dist',
    });
    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: 'shop-api-lambda',
      source: Source.connection(props.repository, { connectionArn: props.connectionArn }),
      buildStep: bundle,
    });
    // The freeze switch, shared by every pipeline of the team, and the gate that reads it: the
    // function fails (and the gate with it) while the parameter says true.
    const freeze = new ssm.StringParameter(this, 'ReleaseFreeze', {
      parameterName: '/shop/release-freeze', stringValue: 'false', description: 'true holds every release before production',
    });
    const freezeCheck = new lambda.Function(this, 'ReleaseFreezeCheck', {
      description: 'Fails while /shop/release-freeze is true, so releases wait',
      runtime: NODE_RUNTIME,
      handler: 'index.handler',
      logGroup: new logs.LogGroup(this, 'ReleaseFreezeCheckLogs', { retention: logs.RetentionDays.THREE_MONTHS }),
      environment: { PARAMETER: freeze.parameterName },
      code: lambda.Code.fromInline([
        "const ssm = require('@aws-sdk/client-ssm');",
        'exports.handler = async () => {',
        '  const { Parameter } = await new ssm.SSMClient({}).send(new ssm.GetParameterCommand({ Name: process.env.PARAMETER }));',
        "  if (String(Parameter && Parameter.Value).trim().toLowerCase() !== 'false') throw new Error('release freeze: ' + process.env.PARAMETER + ' is ' + (Parameter && Parameter.Value));",
        "  return 'no freeze';",
        '};',
      ].join('\n')),
    });
    // GetParameter only (aws-cdk-lib's grantRead adds DescribeParameters on the parameter, which grants nothing).
    freezeCheck.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [freeze.parameterArn] }));
    this.delivery.addEnvironment('Production', {
      entryGates: [StageRule.lambdaInvoke(freezeCheck)],
      deploy: [new LambdaAliasDeployStep('Release', {
        alias: live,
        code: bundle.output!,
        strategy: DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(5) }),
        alarms: [DeploymentAlarms.functionErrors(this, 'ApiErrors', api)],
      })],
    });

    // --- Accepted findings, each with its reason ---------------------------------------------
    for (const fn of [api, freezeCheck]) {
      NagAcknowledgements.add(fn, [{
        id: 'AwsSolutions-IAM4', reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      }], true);
    }
  }
}
