import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BuildStep, DeliveryPipeline, Ec2DeployLimit, Ec2DeployStep, ManualApprovalStep, Source } from 'cdk-delivery';

/** Settings a team changes when copying this example. */
export interface Ec2DeployActionStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** The repository as owner/name. */
  readonly repository: string;
  /** Name of the role of the web servers (their instance profile's role). */
  readonly instanceRoleName: string;
  /** Who approves releases to production, and hears of failures. */
  readonly approverEmail: string;
}

/**
 * GitHub -> build -> approval -> the web servers tagged `app=shop-web`, a quarter at a time,
 * through CodePipeline's EC2 deploy action: Systems Manager runs the revision's scripts on the
 * instances, with no CodeDeploy agent, application or deployment group. The instances run the SSM
 * agent, carry the tag and use the role `instanceRoleName`, which may then read exactly the
 * revision.
 */
export class Ec2DeployActionStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: Ec2DeployActionStackProps) {
    super(scope, id, props);
    const source = Source.connection(props.repository, { connectionArn: props.connectionArn });
    const build = new BuildStep('Build', {
      runtimeVersions: [{ runtime: 'nodejs', version: '22' }],
      installCommands: ['npm ci'],
      commands: ['npm test', 'npm run build'],
      outputs: ['**/*'],
    });
    // The EC2 deploy action logs to /aws/codepipeline/<pipelineName>: the pipeline is named.
    this.delivery = new DeliveryPipeline(this, 'Pipeline', { pipelineName: 'shop-web-ec2', source, buildStep: build });
    this.delivery.addEnvironment('Production', {
      production: true,
      approval: new ManualApprovalStep('Approve', { notifyEmails: [props.approverEmail], comment: `Release ${source.variables.commitId} to the web servers?` }),
      deploy: [new Ec2DeployStep('Deploy', {
        input: build.output!,
        instanceTagKey: 'app',
        instanceTagValue: 'shop-web',
        targetDirectory: '/opt/shop-web',
        preScript: 'scripts/stop.sh',
        postScript: 'scripts/start.sh',
        instanceRoles: [iam.Role.fromRoleName(this, 'WebServers', props.instanceRoleName)],
        maxBatch: Ec2DeployLimit.percentage(25),
        maxErrors: Ec2DeployLimit.count(1),
      })],
    });
    this.delivery.addNotifications({ emails: [props.approverEmail] });
  }
}
