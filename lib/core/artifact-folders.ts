import { Lazy, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Where CodePipeline keeps artifacts in its artifact bucket: a folder per pipeline, named after
 * the pipeline (truncated when long), holding a folder per artifact, named after the artifact
 * (truncated when long), holding one object per execution. The CodeBuild guide documents the two
 * folders ("Open the folder that matches the name of your pipeline (depending on the length of the
 * pipeline's name, the folder name might be truncated), and then open the folder that matches the
 * value for Output artifact", https://docs.aws.amazon.com/codebuild/latest/userguide/how-to-create-pipeline.html);
 * the CodePipeline troubleshooting guide says names are truncated so that paths fit the scoped
 * credentials it gives job workers. The lengths, 20 and 10 characters, are observed, not
 * documented: a truncated name therefore ends its folder pattern with `*`, which still matches
 * should CodePipeline keep more characters.
 */
export const PIPELINE_FOLDER_LENGTH = 20;
export const ARTIFACT_FOLDER_LENGTH = 10;

/** The folder pattern of a pipeline's artifacts: its name (first 20 characters and `*` when longer), or `*` when the name is not known at synth. */
export function pipelineFolder(pipelineName: string | undefined): string {
  return pipelineName !== undefined && !Token.isUnresolved(pipelineName) ? truncated(pipelineName, PIPELINE_FOLDER_LENGTH) : '*';
}

/** The folder an artifact's objects are kept in, below the pipeline's folder (as CodePipeline truncates it). */
export function artifactFolderName(artifactName: string): string {
  return artifactName.slice(0, ARTIFACT_FOLDER_LENGTH);
}

/** A name's folder pattern: the name, or its kept characters and `*` when CodePipeline truncates it. */
function truncated(name: string, length: number): string {
  return name.length > length ? `${name.slice(0, length)}*` : name;
}

/**
 * The object ARN pattern of an artifact in the bucket: the artifact's folder when `folder` (the
 * pipeline's) is given, every object otherwise. An artifact without a name yet is named by
 * CodePipeline's L2 when its stage is added, so the name is read at synth.
 */
export function artifactObjectsArn(bucket: s3.IBucket, folder: string | undefined, artifact: codepipeline.Artifact): string {
  if (folder === undefined) return bucket.arnForObjects('*');
  const name = artifact.artifactName !== undefined
    ? truncated(artifact.artifactName, ARTIFACT_FOLDER_LENGTH)
    : Lazy.string({ produce: () => truncated(artifact.artifactName ?? '*', ARTIFACT_FOLDER_LENGTH) });
  return bucket.arnForObjects(`${folder}/${name}/*`);
}
