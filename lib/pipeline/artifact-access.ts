/**
 * How much of the artifact bucket the roles of a pipeline's build steps may use.
 */
export enum ArtifactAccess {
  /**
   * Each build step's role reads only the folders of its input artifacts and writes only the
   * folders of its output artifacts. A test step then cannot overwrite the build output that a
   * later stage deploys, and reads nothing it was not given.
   *
   * CodePipeline keeps an artifact's objects under
   * `<first 20 characters of the pipeline name>/<first 10 characters of the artifact name>/`, so
   * two outputs whose names share their first 10 characters share a folder: the pipeline rejects
   * that at synth. When the pipeline's name is decided at deploy time (no literal
   * `pipelineName`), the grants match the artifact's folder under any pipeline folder of the bucket.
   */
  OWN_ARTIFACTS = 'own-artifacts',

  /**
   * Each build step's role reads every object of the artifact bucket, and a step with outputs may
   * write every object: any step can replace the artifacts of another. Use it only where the
   * folder layout above cannot be relied on (for example, a bucket whose objects other tools write).
   */
  WHOLE_BUCKET = 'whole-bucket',
}
