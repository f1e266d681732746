import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { artifactObjectsArn } from '../../core/artifact-folders';
import { artifactReadGrants } from '../../core/artifact-grants';
import { StepContext } from '../../core/step';
import { acceptNagFindings, artifactObjectsFinding } from '../../private/nag';

/**
 * What an action on CodePipeline's managed compute (Commands, InspectorScan) needs of the
 * artifact store, and no more: locate the bucket, read its inputs' folders (and what reading them
 * needs beyond their objects, a connection source's connection, say), write its outputs' folders,
 * use the artifact key. The folder patterns' cdk-nag finding is accepted with its reason.
 */
export function grantOwnArtifacts(role: iam.IRole, context: StepContext, inputs: codepipeline.Artifact[], outputs: codepipeline.Artifact[]): void {
  const bucket = context.artifactBucket;
  const objects = (artifacts: codepipeline.Artifact[]) => [...new Set(artifacts.map((a) => artifactObjectsArn(bucket, context.pipelineFolder, a)))];
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'], resources: [bucket.bucketArn] }));
  if (inputs.length > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: objects(inputs) }));
  if (outputs.length > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: objects(outputs) }));
  if (context.artifactKey) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [context.artifactKey.keyArn] }));
  for (const artifact of inputs) {
    for (const grant of artifactReadGrants(artifact)) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: grant.actions, resources: grant.resources }));
  }
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    acceptNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Artifact objects: CodePipeline generates their keys per execution, so only a pattern can name them: the folders of the step\'s own artifacts in this pipeline\'s artifact bucket.',
      appliesTo: [artifactObjectsFinding(bucket, true)],
    }]);
  }
}
