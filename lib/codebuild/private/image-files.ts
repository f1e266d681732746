import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';

/** What a `DockerImageStep`, an ECR source or an image promotion writes into its output artifact, for the steps that read it. */
export interface ImageFiles {
  /** The step's name. */
  readonly stepName: string;
  /** The container `imagedefinitions.json` names; undefined when the step writes only `imageDetail.json`. */
  readonly containerName?: string;
  /** The repository the image is in, once known (a DockerImageStep creates its own when placed). */
  readonly repository?: ecr.IRepository | (() => ecr.IRepository);
}

/** The repository of an artifact's image, when known. */
export function repositoryOf(files: ImageFiles | undefined): ecr.IRepository | undefined {
  const r = files?.repository;
  return typeof r === 'function' ? r() : r;
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
