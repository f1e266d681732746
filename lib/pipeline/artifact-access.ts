import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { artifactObjectsArn } from '../core/artifact-folders';
import { StepContext } from '../core/step';
import { checkArgs } from '../private/shapes';
import { Problems } from '../private/validation';

/**
 * How much of the artifact bucket the roles of a pipeline's build steps may use.
 */
export enum ArtifactAccess {
  /**
   * Each build step's role reads only the folders of its input artifacts and writes only the
   * folders of its output artifacts, so a test step cannot replace the build output that a later
   * stage deploys, nor read artifacts it was not given.
   *
   * CodePipeline keeps an artifact's objects under
   * `<pipeline name, first 20 characters>/<artifact name, first 10 characters>/`, so two outputs
   * whose names share their first 10 characters would share a folder: the pipeline rejects that
   * at synth. Without a literal `pipelineName`, the grants match the artifact's folder under any
   * pipeline folder of the bucket. Exceptions: batch builds keep the whole bucket (CodeBuild does
   * not document where the builds of a batch keep their artifacts), a role passed to several steps
   * holds the grants of all of them (synth warns), and deploy actions read with their own roles.
   */
  OWN_ARTIFACTS = 'own-artifacts',

  /**
   * Each build step's role reads every object of the artifact bucket, and a step with outputs may
   * write every object (as before per-step access): any step can replace the artifacts of another.
   * A way back should CodePipeline's folder layout ever change before this library follows it.
   */
  WHOLE_BUCKET = 'whole-bucket',
}

/**
 * The S3 object ARNs a step's roles may be granted for the artifacts they read or write, so that
 * steps of your own keep the pipeline's per-step artifact access (`ArtifactAccess`).
 */
export class ArtifactObjects {
  /**
   * The object ARN pattern of an artifact in `context.artifactBucket`: the artifact's folder under
   * the pipeline's folder (`context.pipelineFolder`), or every object of the bucket when the
   * pipeline grants steps the whole bucket (`ArtifactAccess.WHOLE_BUCKET`). Grant `s3:GetObject`
   * on the artifacts a step reads and `s3:PutObject` on those it writes.
   *
   * @param context the context the step is bound with
   * @param artifact an artifact of the pipeline
   */
  public static arnFor(context: StepContext, artifact: codepipeline.Artifact): string {
    checkArgs('ArtifactObjects.arnFor', [context, artifact]);
    const problems = new Problems('ArtifactObjects.arnFor');
    if (!context.artifactBucket) problems.add('context.artifactBucket', undefined, 'is required', 'pass the context your step\'s bind() was given');
    problems.throwIfAny();
    return artifactObjectsArn(context.artifactBucket, context.pipelineFolder, artifact);
  }

  private constructor() {}
}
