import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BuildStep, DeliveryPipeline, DeploymentStrategy, LambdaDeployment, NagAcknowledgements, Source } from 'cdk-delivery';
import { NODE_RUNTIME } from '../settings';

/**
 * The application: an API function released linearly, 10% more traffic every minute, after a
 * pre-traffic check, rolled back when it errors. Its code comes from the pipeline.
 */
export class LambdaLinearAppStack extends Stack {
  public readonly release: LambdaDeployment;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const code = lambda.Code.fromCfnParameters();
    const api = new lambda.Function(this, 'Api', {
      runtime: NODE_RUNTIME,
      handler: 'index.handler',
      code,
      timeout: Duration.seconds(10),
    });
    const preTraffic = new lambda.Function(this, 'PreTrafficCheck', {
      description: 'Invokes the new version once and reports the result to CodeDeploy',
      runtime: NODE_RUNTIME,
      handler: 'index.handler',
      timeout: Duration.minutes(1),
      environment: { FUNCTION_NAME: api.functionName },
      code: lambda.Code.fromInline([
        "const cd = require('@aws-sdk/client-codedeploy');",
        "const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');",
        '// Calls the version this deployment shifts traffic to (an unqualified call would run $LATEST).',
        'exports.handler = async (event) => {',
        '  const codedeploy = new cd.CodeDeployClient({});',
        "  let status = 'Failed';",
        '  try {',
        '    const deploymentId = event.DeploymentId;',
        '    const { targetIds = [] } = await codedeploy.send(new cd.ListDeploymentTargetsCommand({ deploymentId }));',
        '    const { deploymentTarget } = await codedeploy.send(new cd.GetDeploymentTargetCommand({ deploymentId, targetId: targetIds[0] }));',
        '    const info = deploymentTarget && deploymentTarget.lambdaTarget && deploymentTarget.lambdaTarget.lambdaFunctionInfo;',
        "    if (!info || !info.targetVersion) throw new Error('no target version in deployment ' + deploymentId);",
        "    const res = await new LambdaClient({}).send(new InvokeCommand({ FunctionName: process.env.FUNCTION_NAME, Qualifier: info.targetVersion, Payload: JSON.stringify({ healthCheck: true }) }));",
        "    console.log(JSON.stringify({ deploymentId, version: info.targetVersion, functionError: res.FunctionError }));",
        "    if (!res.FunctionError) status = 'Succeeded';",
        '  } catch (e) {',
        '    console.error(e);',
        '  } finally {',
        '    await codedeploy.send(new cd.PutLifecycleEventHookExecutionStatusCommand({',
        '      deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status,',
        '    }));',
        '  }',
        '};',
      ].join('\n')),
    });
    api.grantInvoke(preTraffic);

    const errors = new cloudwatch.Alarm(this, 'ApiErrors', {
      alarmDescription: 'The API function errors during a release',
      metric: api.metricErrors({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.release = new LambdaDeployment(this, 'Release', {
      function: api,
      code,
      strategy: DeploymentStrategy.linear({ percent: 10, interval: Duration.minutes(1) }),
      preTraffic,
      alarms: [errors],
    });

    const basicExecution = { id: 'AwsSolutions-IAM4', reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs.', appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] };
    NagAcknowledgements.add(api, [basicExecution], true);
    NagAcknowledgements.add(preTraffic, [basicExecution], true);
    // grantInvoke allows the function and its versions: <function ARN>:*.
    const apiArn = `<${this.resolve((api.node.defaultChild as lambda.CfnFunction).logicalId)}.Arn>`;
    NagAcknowledgements.add(preTraffic, [
      { id: 'AwsSolutions-IAM5', reason: 'lambda:InvokeFunction on the API function and its versions (function:*), which grantInvoke adds.', appliesTo: [`Resource::${apiArn}:*`] },
    ], true);
  }
}

/** Settings a team changes when copying this example. */
export interface LambdaLinearPipelineStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** The repository as owner/name (the CDK app and the function's source). */
  readonly repository: string;
  /** The application stack the pipeline releases. */
  readonly app: LambdaLinearAppStack;
}

/**
 * GitHub -> build the function and synthesize the application stack -> deploy the stack with
 * CloudFormation; the alias update shifts traffic through CodeDeploy.
 */
export class LambdaLinearPipelineStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: LambdaLinearPipelineStackProps) {
    super(scope, id, props);

    const build = new BuildStep('Build', {
      runtimeVersions: [{ runtime: 'nodejs', version: '22' }],
      installCommands: ['npm ci'],
      commands: ['npm test', 'npm run build', `npx cdk synth ${props.app.stackName}`],
      outputs: ['**/*'],
      outputBaseDirectory: 'dist',
      secondaryOutputs: [{ name: 'Templates', files: ['*.template.json'], baseDirectory: 'cdk.out' }],
    });
    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: 'shop-api-lambda',
      source: Source.connection(props.repository, { connectionArn: props.connectionArn }),
      buildStep: build,
    });
    this.delivery.addStage('Production', {
      steps: [props.app.release.deployStep({ code: build.output!, templates: build.secondaryOutput('Templates') })],
    });
  }
}
