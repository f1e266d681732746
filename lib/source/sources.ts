import { CodeCommitSource, CodeCommitSourceProps } from './codecommit-source';
import { ConnectionSource, ConnectionSourceProps } from './connection-source';
import { S3Source, S3SourceProps } from './s3-source';
import { checkArgs } from '../private/shapes';

/**
 * Factories for the sources a pipeline can start from.
 */
export abstract class Source {
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
