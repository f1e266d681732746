import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BuildStep, DeliveryPipeline, ManualApprovalStep, PipelineVariable, Source } from 'cdk-delivery';

/** Settings a team changes when copying this example. */
export interface GithubBuildApproveStackProps extends StackProps {
  /** ARN of a CodeConnections connection to GitHub (created once in the console, or with CodeConnection). */
  readonly connectionArn: string;
  /** The repository as owner/name. */
  readonly repository: string;
  /** Who is asked to approve a release. */
  readonly approverEmail: string;
}

/**
 * GitHub -> build -> manual approval.
 *
 * Pushes to main start the pipeline unless they only touch docs; the build runs the tests and
 * keeps `dist/`; a release manager approves the commit from an email with a link to it.
 */
export class GithubBuildApproveStack extends Stack {
  public readonly delivery: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: GithubBuildApproveStackProps) {
    super(scope, id, props);

    const source = Source.connection(props.repository, {
      connectionArn: props.connectionArn,
      branch: 'main',
      filePaths: { excludes: ['docs/**', '**/*.md'] },
    });

    const releaseChannel = new PipelineVariable({
      name: 'RELEASE_CHANNEL',
      defaultValue: 'stable',
      description: 'Channel the build is tagged for',
    });

    const build = new BuildStep('Build', {
      installCommands: ['npm ci'],
      commands: ['npm run build', 'npm test'],
      environmentVariables: [
        { name: 'RELEASE_CHANNEL', value: releaseChannel.reference },
        { name: 'COMMIT_ID', value: source.variables.commitId },
      ],
      outputs: ['**/*'],
      outputBaseDirectory: 'dist',
    });

    this.delivery = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: 'shop-release',
      source,
      buildStep: build,
      variables: [releaseChannel],
    });

    const approval = new ManualApprovalStep('Approve', {
      notifyEmails: [props.approverEmail],
      reviewUrl: `https://github.com/${props.repository}/commit/${source.variables.commitId}`,
      comment: `Release ${source.variables.commitId} to the ${releaseChannel.reference} channel?`,
    });
    this.delivery.addStage('Release', { steps: [approval] });

    // Release managers assume this role to approve; it can approve this action and nothing else.
    const releaseManagers = new iam.Role(this, 'ReleaseManagers', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Approves releases of shop-release',
    });
    approval.grantApprove(releaseManagers);
  }
}
