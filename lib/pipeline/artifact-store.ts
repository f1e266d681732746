import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acceptNagFindings } from '../private/nag';

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
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(365) }],
    });
    acceptNagFindings(logs, [{
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the artifact bucket\'s server access logs; logging it to itself would loop.',
    }]);
    accessLogsBucket = logs;
  }

  const bucket = new s3.Bucket(scope, 'ArtifactBucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
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
