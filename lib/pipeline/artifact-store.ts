import { Duration, PhysicalName, RemovalPolicy, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acceptLibraryFindings, acceptNagFindings, inPacks } from '../private/nag';
import { Problems, checkWholeNumber } from '../private/validation';
import { checkArgs, constructorOf } from '../private/shapes';
import { ARTIFACT_RETENTION_DAYS } from '../private/limits';

/** What the artifact store of a pipeline is made of. */
export interface ArtifactStoreParts {
  readonly bucket: s3.IBucket;
  readonly key?: kms.IKey;
  readonly accessLogsBucket?: s3.IBucket;
}

/** Options of the artifact store a pipeline creates. */
export interface CreateArtifactStoreOptions {
  readonly key?: kms.IKey;
  readonly retentionDays: number;
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Name the key by an alias and let CDK name the bucket, so that stacks in other regions (the
   * pipeline's) can refer to them.
   */
  readonly referencedFromOtherRegions?: boolean;
}

/** An artifact store of a pipeline in another region than the pipeline's. */
export interface CrossRegionArtifactStore {
  /** The region of the bucket. */
  readonly region: string;

  /**
   * The bucket, in the pipeline's account, encrypted with a customer-managed KMS key known to CDK
   * (`bucket.encryptionKey`): an `ArtifactStoreStack`'s bucket, for example.
   */
  readonly bucket: s3.IBucket;
}

/** Props of an `ArtifactStoreStack`. */
export interface ArtifactStoreStackProps extends StackProps {
  /**
   * Days after which artifacts (and their old versions) expire: 1 to 3,650.
   *
   * @default 30
   */
  readonly artifactRetentionDays?: number;
}

/**
 * A pipeline's artifact store in another region: a KMS key (rotation on, retained, named by an
 * alias), a KMS-encrypted, versioned, SSL-only, access-logged bucket with expiring artifacts. A
 * `DeliveryPipeline` creates one per region its environments deploy to (and per `deployRegions`
 * region); create it yourself to choose its stack name or retention, and pass `store` in
 * `crossRegionArtifactStores`.
 */
export class ArtifactStoreStack extends Stack {
  /** The store, to pass in `crossRegionArtifactStores`. */
  public readonly store: CrossRegionArtifactStore;
  /** The artifact bucket. */
  public readonly bucket: s3.IBucket;
  /** The key encrypting the artifacts. */
  public readonly key: kms.IKey;
  /** Days after which artifacts expire. */
  public readonly artifactRetentionDays: number;

  constructor(scope: Construct, id: string, props: ArtifactStoreStackProps = {}) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id, props);
    // Compliance-pack findings without a fix worth its cost, on what this construct creates.
    acceptLibraryFindings(this);
    const problems = new Problems(`ArtifactStoreStack '${this.node.path}'`);
    if (Token.isUnresolved(this.region) || Token.isUnresolved(this.account)) {
      problems.add('env', `${this.account}/${this.region}`, 'the account and region are unresolved tokens, but the pipeline needs them at synth', "give env: { account: '111111111111', region: 'eu-west-1' } (the pipeline's account)");
    }
    const days = props.artifactRetentionDays ?? 30;
    checkWholeNumber(problems, 'artifactRetentionDays', days, ARTIFACT_RETENTION_DAYS, 'days', 'choose how many days old artifacts are kept, e.g. 30');
    problems.throwIfAny();
    const parts = createArtifactStore(this, { retentionDays: days, referencedFromOtherRegions: true });
    this.bucket = parts.bucket;
    this.key = parts.key!;
    this.store = { region: this.region, bucket: parts.bucket };
    this.artifactRetentionDays = days;
  }
}

/**
 * Creates the artifact store: a customer-managed KMS key (rotation on, retained with the bucket so
 * retained artifacts stay readable), and a bucket that is KMS-encrypted, versioned, SSL-only, with
 * public access blocked, server access logs, and a lifecycle rule expiring old artifacts.
 */
export function createArtifactStore(scope: Construct, options: CreateArtifactStoreOptions): ArtifactStoreParts {
  const key = options.key ?? new kms.Key(scope, 'ArtifactKey', {
    description: `Encrypts the artifacts of pipeline ${scope.node.path}`,
    enableKeyRotation: true,
    // Retained like the bucket: a deleted key would make the retained artifacts unreadable.
    removalPolicy: RemovalPolicy.RETAIN,
  });

  let accessLogsBucket = options.accessLogsBucket;
  if (!accessLogsBucket) {
    const logs = new s3.Bucket(scope, 'AccessLogs', {
      // S3 server access logging can deliver only to buckets encrypted with SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      // Versioned, so a deleted or overwritten log stays recoverable for 30 days (an audit trail).
      versioned: true,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const loop = 'This bucket receives the artifact bucket\'s server access logs; logging it to itself would loop.';
    acceptNagFindings(logs, [
      { id: 'AwsSolutions-S1', reason: loop },
      ...inPacks('S3BucketLoggingEnabled', loop),
      ...inPacks('S3DefaultEncryptionKMS', 'S3 server access logging delivers only to buckets whose default encryption is SSE-S3 (Amazon S3 user guide, enabling server access logging); the logs hold request metadata, not artifacts.'),
      ...inPacks('S3BucketReplicationEnabled', 'An audit copy of access to the artifact bucket, kept 365 days in the pipeline\'s region; replicating it adds a second bucket and cost for logs that only matter while the artifacts exist.'),
    ]);
    accessLogsBucket = logs;
  }

  // Another region's pipeline names the key by its alias: a key's id is not known before it exists.
  const encryptionKey = options.referencedFromOtherRegions
    ? new kms.Alias(scope, 'ArtifactKeyAlias', {
      aliasName: `alias/cdk-delivery/${Stack.of(scope).stackName}-artifacts`.slice(0, 256),
      targetKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    })
    : key;
  const bucket = new s3.Bucket(scope, 'ArtifactBucket', {
    // Named by CDK only when another environment refers to it (a cross-account deploy role reads it).
    bucketName: PhysicalName.GENERATE_IF_NEEDED,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey,
    bucketKeyEnabled: true,
    versioned: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{
      id: 'ExpireOldArtifacts',
      expiration: Duration.days(options.retentionDays),
      noncurrentVersionExpiration: Duration.days(options.retentionDays),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    }],
  });
  enableAccessLogs(bucket, accessLogsBucket, 'artifact-bucket/');
  acceptNagFindings(bucket, inPacks('S3BucketReplicationEnabled', 'Artifacts are build outputs kept for the pipeline\'s artifactRetentionDays and made again by running the pipeline; replicating them to another region doubles storage for data that is rebuilt, and regional artifact stores already exist where actions run.'));
  return { bucket, key, accessLogsBucket };
}

/**
 * Sends a bucket's server access logs to another bucket through a bucket policy for the S3
 * logging service. Written at L1 because the L2's `serverAccessLogsBucket` switches between this
 * and a legacy ACL depending on a feature flag of the app (@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy),
 * and the ACL variant conflicts with the bucket-owner-enforced object ownership we set.
 */
function enableAccessLogs(bucket: s3.Bucket, target: s3.IBucket, prefix: string): void {
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
    destinationBucketName: target.bucketName,
    logFilePrefix: prefix,
  };
  target.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'S3ServerAccessLogsPolicy',
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [target.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': bucket.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(bucket).account },
    },
  }));
}
