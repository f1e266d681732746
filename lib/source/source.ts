import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { EcrSource, EcrSourceProps } from './ecr-source';
import { CodeCommitSource, CodeCommitSourceProps } from './codecommit-source';
import { ConnectionSource, ConnectionSourceProps } from './connection-source';
import { S3Source, S3SourceProps } from './s3-source';
import { checkArgs } from '../private/shapes';

/**
 * What a source gives the pipeline when the pipeline places it in its first stage.
 */
export interface SourceConfig {
  /** The source action, with its output artifact and variables namespace. */
  readonly action: codepipeline.IAction;

  /**
   * The V2 trigger for this action (connection sources only).
   *
   * @default - no trigger: the pipeline starts on every change the action detects
   */
  readonly trigger?: codepipeline.TriggerProps;
}

/**
 * Where a pipeline's code comes from: a source action, the artifact it produces and the
 * variables (commit id, branch, ...) later actions can reference.
 *
 * Create one with the factories on `Source`.
 */
export interface ISource {
  /** Name of the source action: unique within the source stage. */
  readonly actionName: string;

  /** The artifact the source action produces. */
  readonly output: codepipeline.Artifact;

  /** The variables namespace of the source action; its variables are `#{namespace.Name}`. */
  readonly variablesNamespace: string;

  /**
   * A short description for diagrams, e.g. "GitHub my-org/shop (main)".
   *
   * @default - the action name only
   */
  readonly label?: string;

  /**
   * Creates the source's resources and its action. Called once, by the pipeline.
   *
   * @param scope the construct to create resources under (unique to this source)
   * @param pipeline the pipeline the source starts
   */
  bind(scope: Construct, pipeline: codepipeline.IPipeline): SourceConfig;
}

/** Renders a variable reference of the form `#{namespace.name}`. */
export function variableReference(namespace: string, name: string): string {
  return `#{${namespace}.${name}}`;
}

/**
 * Factories for the sources a pipeline can start from.
 */
export abstract class Source {
  /**
   * An image tag in an ECR repository of the pipeline's account and region: a push of the tag
   * starts the pipeline with the image it names, by digest.
   *
   * @param repository the repository watched
   */
  public static ecr(repository: ecr.IRepository, props: EcrSourceProps = {}): EcrSource {
    checkArgs('Source.ecr', [repository, props]);
    return new EcrSource(repository, props);
  }

  /** A CodeCommit repository, existing or created; changes detected by EventBridge. */
  public static codeCommit(props: CodeCommitSourceProps): CodeCommitSource {
    checkArgs('Source.codeCommit', [props]);
    return new CodeCommitSource(props);
  }

  /**
   * A GitHub, GitHub Enterprise, GitLab or Bitbucket repository through a CodeConnections
   * connection, with optional V2 trigger filters.
   *
   * @param repository the repository as `owner/name`
   */
  public static connection(repository: string, props: ConnectionSourceProps): ConnectionSource {
    checkArgs('Source.connection', [repository, props]);
    return new ConnectionSource(repository, props);
  }

  /** A zip object in a versioned S3 bucket; changes detected by S3 EventBridge notifications. */
  public static s3(props: S3SourceProps): S3Source {
    checkArgs('Source.s3', [props]);
    return new S3Source(props);
  }
}
