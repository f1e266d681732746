import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';

/** What a `DockerImageStep` writes into its output artifact, for the deploy steps that read it. */
export interface ImageFiles {
  /** The step's name. */
  readonly stepName: string;
  /** The container `imagedefinitions.json` names; undefined when the step writes only `imageDetail.json`. */
  readonly containerName?: string;
}

const written = new WeakMap<codepipeline.Artifact, ImageFiles>();

/** Records the image files of a `DockerImageStep`'s output. */
export function recordImageFiles(artifact: codepipeline.Artifact, files: ImageFiles): void {
  written.set(artifact, files);
}

/** The image files of an artifact, when a `DockerImageStep` of this app writes it. */
export function imageFilesOf(artifact: codepipeline.Artifact): ImageFiles | undefined {
  return written.get(artifact);
}
