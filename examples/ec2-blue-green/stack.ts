import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  BuildStep, DeliveryPipeline, DeploymentAlarms, NagAcknowledgements, ServerAppSpec, ServerBlueGreenDeployment, ServerLifecycleEvent, Source,
} from 'cdk-delivery';

/** Settings a team changes when copying this example. */
export interface Ec2BlueGreenStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** The repository as owner/name. */
  readonly repository: string;
}

/**
 * GitHub -> build with a generated appspec -> EC2 blue/green: CodeDeploy copies the Auto Scaling
 * group, installs the release on the copy, moves the load balancer to it, and terminates the old
 * instances an hour later; 5xx errors roll it back.
 */
export class Ec2BlueGreenStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: Ec2BlueGreenStackProps) {
    super(scope, id, props);

    // --- The fleet (what the team already has) ---------------------------------------------
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');
    const fleet = new autoscaling.AutoScalingGroup(this, 'Fleet', {
      vpc,
      instanceType: new ec2.InstanceType('t3.small'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      minCapacity: 2,
      maxCapacity: 4,
      blockDevices: [{ deviceName: '/dev/xvda', volume: autoscaling.BlockDeviceVolume.ebs(20, { encrypted: true }) }],
      instanceMonitoring: autoscaling.Monitoring.DETAILED,
      requireImdsv2: true,
    });
    // The CodeDeploy agent, from the regional bucket AWS publishes it in.
    fleet.addUserData(
      'dnf install -y ruby wget',
      `wget -q https://aws-codedeploy-${this.region}.s3.${this.region}.amazonaws.com/latest/install -O /tmp/install-codedeploy`,
      'chmod +x /tmp/install-codedeploy && /tmp/install-codedeploy auto',
    );
    const accessLogs = new s3.Bucket(this, 'LoadBalancerLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    const lb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing: true });
    lb.logAccessLogs(accessLogs, 'shop-web');
    const targets = new elbv2.ApplicationTargetGroup(this, 'Web', {
      vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targets: [fleet], healthCheck: { path: '/health' },
    });
    lb.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [targets] });

    // --- Deployment -------------------------------------------------------------------------
    const appSpec = new ServerAppSpec({
      files: [{ source: '/', destination: '/opt/shop-web' }],
      hooks: [
        { lifecycleEvent: ServerLifecycleEvent.AFTER_INSTALL, location: 'scripts/install-dependencies.sh', timeout: Duration.minutes(10) },
        { lifecycleEvent: ServerLifecycleEvent.APPLICATION_START, location: 'scripts/start.sh', timeout: Duration.minutes(2) },
        { lifecycleEvent: ServerLifecycleEvent.VALIDATE_SERVICE, location: 'scripts/health-check.sh', timeout: Duration.minutes(5) },
      ],
    });
    const deployment = new ServerBlueGreenDeployment(this, 'BlueGreen', {
      autoScalingGroup: fleet,
      targetGroup: targets,
      terminationWait: Duration.hours(1),
      alarms: [DeploymentAlarms.targetGroup5xx(this, 'Web5xx', targets)],
    });

    // --- Pipeline ---------------------------------------------------------------------------
    const build = new BuildStep('Build', {
      runtimeVersions: [{ runtime: 'nodejs', version: '22' }],
      installCommands: ['npm ci'],
      commands: ['npm test', 'npm run build'],
      outputs: ['**/*'],
      generatedFiles: [appSpec.toFile()],
    });
    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: 'shop-web-blue-green',
      source: Source.connection(props.repository, { connectionArn: props.connectionArn }),
      buildStep: build,
    });
    this.delivery.addStage('Production', { steps: [deployment.deployStep({ input: build.output! })] });

    // --- Accepted findings, each with its reason ---------------------------------------------
    NagAcknowledgements.add(lb, [{ id: 'AwsSolutions-EC23', reason: 'A public website accepts traffic from the internet on port 80.' }], true);
    NagAcknowledgements.add(accessLogs, [{ id: 'AwsSolutions-S1', reason: 'This bucket holds the load balancer access logs; logging it to itself would loop.' }]);
    NagAcknowledgements.add(fleet, [{ id: 'AwsSolutions-AS3', reason: 'Scaling events of this fleet are followed through CodeDeploy deployments and CloudWatch, not notifications.' }], true);
  }
}
