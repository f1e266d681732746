import { Stack, StackProps } from 'aws-cdk-lib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';

export interface Props extends StackProps {
  readonly connectionArn: string;
  readonly repository: string;
  readonly approverEmail: string;
}

// GitHub -> build -> approval with CDK Pipelines. It has no pipeline variables, no email
// notification for approvals (ManualApprovalStep takes only a comment) and adds its self-mutation stage.
export class GithubBuildApprovePipelinesStack extends Stack {
  constructor(scope: Construct, id: string, props: Props) {
    super(scope, id, props);
    const pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: 'shop-release-pipelines',
      crossAccountKeys: true,
      enableKeyRotation: true,
      synth: new pipelines.ShellStep('Build', {
        input: pipelines.CodePipelineSource.connection(props.repository, 'main', { connectionArn: props.connectionArn }),
        installCommands: ['npm ci'],
        commands: ['npm run build', 'npm test', 'npx cdk synth'],
      }),
    });
    pipeline.addWave('Release', { pre: [new pipelines.ManualApprovalStep('Approve', { comment: 'Release to the stable channel?' })] });
  }
}
