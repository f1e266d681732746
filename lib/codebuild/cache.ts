import * as s3 from 'aws-cdk-lib/aws-s3';
import { checkArgs } from '../private/shapes';

/** The kinds of build cache. */
export enum BuildCacheType {
  /** No cache. */
  NONE = 'NONE',
  /** CodeBuild's local cache on the build host. */
  LOCAL = 'LOCAL',
  /** A cache in an S3 bucket. */
  S3 = 'S3',
}

/** Options of the local cache. */
export interface LocalCacheOptions {
  /**
   * Cache the git metadata of the source. CodeBuild uses it only for Git sources it checks out
   * itself, not for pipeline artifacts, so it helps only builds that clone repositories.
   *
   * @default false
   */
  readonly source?: boolean;

  /**
   * Cache Docker layers (needs Docker, i.e. a DockerImageStep or privileged mode).
   *
   * @default - true for Docker image steps, false otherwise
   */
  readonly dockerLayers?: boolean;
}

/**
 * Where a build keeps its cache (the directories listed in `cachePaths`, and for the local cache
 * also the source and Docker layers).
 */
export class BuildCache {
  /**
   * CodeBuild's local cache (the directories in `cachePaths`, and Docker layers in Docker steps):
   * free and fast, used when the next build lands on the same host (typically builds a few
   * minutes apart).
   */
  public static local(options: LocalCacheOptions = {}): BuildCache {
    checkArgs('BuildCache.local', [options]);
    return new BuildCache(BuildCacheType.LOCAL, options.source ?? false, options.dockerLayers);
  }

  /**
   * A cache in an S3 bucket: survives between hosts, costs S3 requests. The build role may read
   * and write exactly `bucket/prefix/*`. The bucket should be encrypted and in the build's region.
   *
   * @param prefix key prefix of the cache objects
   */
  public static s3(bucket: s3.IBucket, prefix: string = 'codebuild-cache'): BuildCache {
    checkArgs('BuildCache.s3', [bucket, prefix]);
    return new BuildCache(BuildCacheType.S3, false, false, bucket, prefix);
  }

  /** No cache. */
  public static none(): BuildCache {
    checkArgs('BuildCache.none', []);
    return new BuildCache(BuildCacheType.NONE, false, false);
  }

  private constructor(
    /** The kind of cache. */
    public readonly cacheType: BuildCacheType,
    /** Whether the local cache keeps the source. */
    public readonly source: boolean,
    /** Whether the local cache keeps Docker layers (undefined: decided by the step). */
    public readonly dockerLayers?: boolean,
    /** The bucket of an S3 cache. */
    public readonly bucket?: s3.IBucket,
    /** The key prefix of an S3 cache. */
    public readonly prefix?: string,
  ) {}
}
