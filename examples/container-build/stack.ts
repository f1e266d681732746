import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  BuildSecret, BuildStep, DeliveryPipeline, DockerImageStep, InspectorScanStep, ManualApprovalStep, Source, TestReport,
} from 'cdk-delivery';

/** Settings a team changes when copying this example. */
export interface ContainerBuildStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub. */
  readonly connectionArn: string;
  /** The repository as owner/name. */
  readonly repository: string;
  /** Parameter Store name of the npm token for private packages (a SecureString). */
  readonly npmTokenParameter: string;
  /** Who promotes images to production. */
  readonly approverEmail: string;
}

/**
 * GitHub -> Docker image in ECR -> lint, unit tests, dependency audit and Inspector image scan in parallel -> approval.
 *
 * The image is tagged with the commit id; the three test steps report JUnit results to CodeBuild
 * report groups; the approval shows the image tag the build exported.
 */
export class ContainerBuildStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: ContainerBuildStackProps) {
    super(scope, id, props);

    const source = Source.connection(props.repository, {
      connectionArn: props.connectionArn,
      filePaths: { excludes: ['docs/**', '**/*.md'] },
    });
    const node22 = [{ runtime: 'nodejs', version: '22' }];
    const npmToken = BuildSecret.fromParameterName('NPM_TOKEN', props.npmTokenParameter);
    const npmCache = ['/root/.npm/**/*'];

    const image = new DockerImageStep('Image', {
      containerName: 'api',
      runtimeVersions: node22,
      secrets: [npmToken],
      installCommands: ['npm ci'],
      commands: ['npm run build'],
      cachePaths: npmCache,
    });

    const lint = new BuildStep('Lint', {
      input: source.output,
      runtimeVersions: node22,
      secrets: [npmToken],
      installCommands: ['npm ci'],
      commands: ['npx eslint . --format junit --output-file reports/lint.xml'],
      reports: [TestReport.junit(['reports/lint.xml'])],
      cachePaths: npmCache,
    });

    const unitTests = new BuildStep('UnitTests', {
      input: source.output,
      runtimeVersions: node22,
      secrets: [npmToken],
      installCommands: ['npm ci'],
      commands: ['npx jest --ci --reporters=default --reporters=jest-junit --coverage --coverageReporters=cobertura'],
      environmentVariables: [{ name: 'JEST_JUNIT_OUTPUT_DIR', value: 'reports' }],
      reports: [TestReport.junit(['reports/junit.xml']), TestReport.cobertura(['coverage/cobertura-coverage.xml'])],
      cachePaths: npmCache,
    });

    const trivy = 'v0.58.1';
    const audit = new BuildStep('DependencyAudit', {
      input: source.output,
      installCommands: [
        `curl -sSfL https://raw.githubusercontent.com/aquasecurity/trivy/${trivy}/contrib/install.sh | sh -s -- -b /usr/local/bin ${trivy}`,
        `curl -sSfL -o /tmp/junit.tpl https://raw.githubusercontent.com/aquasecurity/trivy/${trivy}/contrib/junit.tpl`,
      ],
      commands: ['trivy fs --scanners vuln --severity HIGH,CRITICAL --exit-code 1 --format template --template @/tmp/junit.tpl --output reports/audit.xml .'],
      reports: [TestReport.junit(['reports/audit.xml'], { name: 'audit' })],
    });

    // Amazon Inspector scans the pushed image: any critical or high finding fails the run; the
    // scan's software bill of materials is its output artifact.
    const scan = InspectorScanStep.image('ScanImage', { image });

    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: 'shop-api-image',
      source,
      buildStep: image,
      tests: [lint, unitTests, audit, scan],
    });

    this.delivery.addStage('Promote', {
      steps: [new ManualApprovalStep('Approve', {
        notifyEmails: [props.approverEmail],
        comment: `Promote image ${image.imageTag} of commit ${source.variables.commitId} to production?`,
      })],
    });
  }
}
