import { Stack, Stage, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { narrowKmsGrantsOf } from '../../private/scoped-kms-role';
import { Problems, checkUnique, fail } from '../../private/validation';
import { ArtifactStoreStack } from '../artifact-store';
import { DeliveryPipelineProps } from '../delivery-pipeline-props';

/** Checks `deployRegions` and `crossRegionArtifactStores` against the pipeline's stack. */
export function checkRegionalStores(problems: Problems, here: Stack, props: DeliveryPipelineProps): void {
  const crossRegion = [...(props.deployRegions ?? []), ...(props.crossRegionArtifactStores ?? []).map((st) => st.region)];
  if (crossRegion.length > 0 && (Token.isUnresolved(here.region) || Token.isUnresolved(here.account))) {
    problems.add('deployRegions', crossRegion, 'needs the pipeline stack\'s account and region, which are unresolved tokens', "create the pipeline's stack with env: { account, region }");
  }
  (props.deployRegions ?? []).forEach((region, i) => {
    if (Token.isUnresolved(region)) problems.add(`deployRegions[${i}]`, region, 'is an unresolved token', 'give the region as a literal, e.g. \'eu-west-1\'');
    else if (region === here.region) problems.add(`deployRegions[${i}]`, region, 'is the pipeline\'s own region, whose store is the artifact bucket', 'list only other regions');
  });
  checkUnique(problems, props.deployRegions ?? [], 'deployRegions', 'region', (r) => r);
  (props.crossRegionArtifactStores ?? []).forEach((store, i) => {
    if (Token.isUnresolved(store.region)) problems.add(`crossRegionArtifactStores[${i}].region`, store.region, 'is an unresolved token', 'give the region as a literal');
    else if (store.region === here.region) problems.add(`crossRegionArtifactStores[${i}].region`, store.region, 'is the pipeline\'s own region', 'pass the bucket of the pipeline\'s region as artifactBucket');
    if (!store.bucket?.encryptionKey) problems.add(`crossRegionArtifactStores[${i}].bucket`, store.region, 'has no customer-managed KMS key known to CDK', 'pass a bucket created with encryptionKey, e.g. an ArtifactStoreStack\'s store');
    // The bucket's own environment: its stack's, or what it was imported with.
    const bucketEnv = store.bucket?.env;
    if (bucketEnv && !Token.isUnresolved(bucketEnv.region) && bucketEnv.region !== store.region && !Token.isUnresolved(store.region)) {
      problems.add(`crossRegionArtifactStores[${i}].bucket`, bucketEnv.region, `is in region ${bucketEnv.region}, not ${store.region}`, 'pass the bucket of that region (a stack there, or imported with its region)');
    }
    if (bucketEnv && !Token.isUnresolved(bucketEnv.account) && !Token.isUnresolved(here.account) && bucketEnv.account !== here.account) {
      problems.add(`crossRegionArtifactStores[${i}].bucket`, bucketEnv.account, `is in account ${bucketEnv.account}; artifact stores are in the pipeline's account (${here.account})`, 'create the store in the pipeline\'s account');
    }
  });
  checkUnique(problems, props.crossRegionArtifactStores ?? [], 'crossRegionArtifactStores', 'region', (st) => st.region);
}

/**
 * The artifact stores of other regions: those passed in, and for each other `deployRegions` entry
 * an `ArtifactStoreStack` (`<pipeline stack name>-artifacts-<region>`), shared by the pipelines
 * of one stack, which must then agree on its retention.
 */
export function regionalStores(pipeline: Construct, props: DeliveryPipelineProps, retentionDays: number): Map<string, s3.IBucket> {
  const stores = new Map<string, s3.IBucket>();
  for (const store of props.crossRegionArtifactStores ?? []) stores.set(store.region, store.bucket);
  for (const region of props.deployRegions ?? []) {
    if (!stores.has(region)) stores.set(region, storeStackFor(pipeline, region, retentionDays).bucket);
  }
  return stores;
}

/**
 * The store of a region an environment deploys to that the pipeline was not created with: the
 * same `ArtifactStoreStack` `deployRegions` would have created, registered with the CodePipeline
 * L2 as its replication bucket for that region (the L2 takes them only in its constructor, so it
 * is registered in the map the L2 reads them from). Undefined when the pipeline's account or
 * region is a token, or when the L2 keeps that map no longer (a newer aws-cdk-lib): the
 * environment then reports the missing store and asks for `deployRegions`.
 */
export function addRegionalStore(pipeline: Construct, l2: codepipeline.Pipeline, stores: Map<string, s3.IBucket>, region: string, retentionDays: number): s3.IBucket | undefined {
  const here = Stack.of(pipeline);
  const support = (l2 as unknown as { _crossRegionSupport?: unknown })._crossRegionSupport;
  if (Token.isUnresolved(here.account) || Token.isUnresolved(here.region) || Token.isUnresolved(region) || typeof support !== 'object' || support === null) return undefined;
  const registry = support as Record<string, { stack: Stack; replicationBucket: s3.IBucket }>;
  // A store the L2 made itself for an action of that region added before: kept.
  if (registry[region]) {
    stores.set(region, registry[region].replicationBucket);
    return registry[region].replicationBucket;
  }
  // The pipeline's own store first, as when the L2 is created with its replication buckets.
  registry[here.region] ??= { stack: here, replicationBucket: l2.artifactBucket };
  const bucket = storeStackFor(pipeline, region, retentionDays).bucket;
  registry[region] = { stack: Stack.of(bucket), replicationBucket: bucket };
  stores.set(region, bucket);
  // The store's key is known here by alias only, so the L2 grants its role KMS on "*": narrowed to keys of this account.
  const role = l2.role;
  if (role instanceof iam.Role && role.node.scope === l2) narrowKmsGrantsOf(role, here.account);
  return bucket;
}

/** The `ArtifactStoreStack` of a region for the pipelines of this stack: created, or the one an earlier pipeline created. */
function storeStackFor(pipeline: Construct, region: string, retentionDays: number): ArtifactStoreStack {
  const here = Stack.of(pipeline);
  const id = `${here.stackName}-artifacts-${region}`;
  const stage = Stage.of(pipeline) ?? pipeline.node.root;
  const existing = stage.node.tryFindChild(id);
  if (existing instanceof ArtifactStoreStack && existing.artifactRetentionDays !== retentionDays) {
    fail(`DeliveryPipeline '${pipeline.node.path}'`, 'artifactRetentionDays', retentionDays,
      `the ${region} store '${id}', shared by the pipelines of this stack, keeps artifacts ${existing.artifactRetentionDays} days`,
      'give the pipelines of one stack the same artifactRetentionDays, or pass a store of your own in crossRegionArtifactStores');
  }
  return existing instanceof ArtifactStoreStack ? existing : new ArtifactStoreStack(stage, id, {
    env: { account: here.account, region },
    artifactRetentionDays: retentionDays,
    description: `Artifact store in ${region} of the pipelines of stack ${here.stackName} (cdk-delivery)`,
  });
}
