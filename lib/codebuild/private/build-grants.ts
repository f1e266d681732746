import { Annotations, ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { artifactObjectsArn } from '../../core/artifact-folders';
import { artifactReadGrants } from '../../core/artifact-grants';
import { StepContext } from '../../core/step';
import { acceptNagFindings, artifactObjectsFinding } from '../../private/nag';
import type { BuildStepProps } from '../build-step-props';
import { BuildCache, BuildCacheType } from '../cache';
import { TestReport } from '../reports';
import { isLambdaCompute } from './validate-props';

/**
 * The grants of a build step's role: exact statements for what the build does, each with a
 * statement id on a role the step creates. A build step's project gets an immutable view of the
 * role, so these are all the role gets.
 */
export interface BuildGrantsHost {
  readonly stepName: string;
  readonly props: BuildStepProps;
  /** The step builds Docker images. */
  readonly docker: boolean;
  /** The artifacts the step writes. */
  readonly outputs: codepipeline.Artifact[];
  /** A statement id, or undefined on a role the step did not create. */
  sid(name: string): string | undefined;
}

/** Default prefix of build logs in S3. */
export const S3_LOGS_PREFIX = 'codebuild-logs';

/**
 * What every build needs: its log group, the artifact bucket's location, the folders of its own
 * artifacts, the artifact key, what reading its inputs needs beyond their objects, its S3 logs and
 * its build image.
 */
export function grantBaseAccess(host: BuildGrantsHost, scope: Construct, role: iam.IRole, logGroup: logs.ILogGroup, image: codebuild.IBuildImage, input: codepipeline.Artifact, context: StepContext): void {
  const props = host.props;
  if (image.imagePullPrincipalType === codebuild.ImagePullPrincipalType.SERVICE_ROLE) {
    // The project cannot make these grants through the immutable role it is given.
    image.repository?.grantPull(role);
    image.secretsManagerCredentials?.grantRead(role);
  }
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: host.sid('WriteOwnLogs'),
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: host.sid('LocateArtifactBucket'),
    actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'],
    resources: [context.artifactBucket.bucketArn],
  }));
  // Only the folders of the step's own artifacts (ArtifactAccess.OWN_ARTIFACTS): a step cannot
  // replace what another step built, nor read what it was not given. CodeBuild does not document
  // where the builds of a batch keep their artifacts, so a batch step keeps the whole bucket.
  const folder = props.batch ? undefined : context.pipelineFolder;
  const objects = (artifacts: codepipeline.Artifact[]) => [...new Set(artifacts.map((a) => artifactObjectsArn(context.artifactBucket, folder, a)))];
  const inputs = [input, ...(props.additionalInputs ?? [])];
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: host.sid('ReadInputArtifacts'),
    actions: ['s3:GetObject', 's3:GetObjectVersion'],
    resources: objects(inputs),
  }));
  if (host.outputs.length > 0) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: host.sid('WriteOutputArtifacts'),
      actions: ['s3:PutObject'],
      resources: objects(host.outputs),
    }));
  }
  if (context.artifactKey) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: host.sid('UseArtifactKey'),
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [context.artifactKey.keyArn],
    }));
  }
  inputs.forEach((artifact, i) => {
    for (const grant of artifactReadGrants(artifact)) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: host.sid(`${grant.sid}${i === 0 ? '' : i}`),
        actions: grant.actions,
        resources: grant.resources,
      }));
    }
  });
  if (props.s3Logs) {
    const prefix = props.s3Logs.prefix ?? S3_LOGS_PREFIX;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: host.sid('WriteS3Logs'),
      actions: ['s3:PutObject'],
      resources: [props.s3Logs.bucket.arnForObjects(`${prefix}/*`)],
    }));
    props.s3Logs.bucket.encryptionKey?.grantEncrypt(role);
  }
  if ((props.privileged ?? false) && !host.docker) {
    Annotations.of(scope).addWarningV2('cdk-delivery:privileged-without-docker',
      `BuildStep '${host.stepName}': privileged is true, but the step builds no Docker image. Privileged mode gives the build root on its host (Security Hub CodeBuild.5). Use DockerImageStep for Docker builds, or remove privileged.`);
  }
}

/** cdk-nag IAM5 on the artifact-object patterns of the role's default policy, which only a pattern can name. */
export function acceptArtifactObjectFindings(role: iam.IRole, context: StepContext): void {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    acceptNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Artifact objects: CodePipeline generates their keys per execution, so only a pattern can name them: the folders of the step\'s own artifacts in this pipeline\'s artifact bucket (or the whole bucket with ArtifactAccess.WHOLE_BUCKET).',
      appliesTo: [artifactObjectsFinding(context.artifactBucket, true)],
    }]);
  }
}

/** The secrets' references by store, after granting the role to read each. */
export function bindSecrets(props: BuildStepProps, scope: Construct, role: iam.IRole): { parameterStore: { [name: string]: string }; secretsManager: { [name: string]: string } } {
  const parameterStore: { [name: string]: string } = {};
  const secretsManager: { [name: string]: string } = {};
  for (const secret of props.secrets ?? []) {
    const config = secret._bind(scope, role);
    (config.store === 'parameter-store' ? parameterStore : secretsManager)[secret.variableName] = config.reference;
  }
  return { parameterStore, secretsManager };
}

/** A retained report group per report, which the role may write. */
export function createReportGroups(host: BuildGrantsHost, scope: Construct, role: iam.IRole): Array<[codebuild.IReportGroup, TestReport]> {
  const groups = (host.props.reports ?? []).map((report) => {
    const group = new codebuild.ReportGroup(scope, `Report-${report.name}`, {
      type: report.groupType,
      // Test history is worth keeping; a retained group without a fixed name cannot clash.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return [group, report] as [codebuild.IReportGroup, TestReport];
  });
  if (groups.length > 0) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: host.sid('WriteReports'),
      actions: ['codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases', 'codebuild:BatchPutCodeCoverages'],
      resources: groups.map(([g]) => g.reportGroupArn),
    }));
  }
  return groups;
}

/** The project's cache (local by default; none on Lambda compute), with the grants an S3 cache needs. */
export function renderCache(host: BuildGrantsHost, role: iam.IRole, computeType: codebuild.ComputeType): codebuild.Cache | undefined {
  const cache = host.props.cache ?? (isLambdaCompute(computeType) ? BuildCache.none() : BuildCache.local());
  if (cache.cacheType === BuildCacheType.S3) {
    const prefix = cache.prefix ?? 'codebuild-cache';
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: host.sid('ReadWriteCache'),
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [cache.bucket!.arnForObjects(`${prefix}/*`)],
    }));
    cache.bucket!.encryptionKey?.grantEncryptDecrypt(role);
    return codebuild.Cache.bucket(cache.bucket!, { prefix });
  }
  if (cache.cacheType === BuildCacheType.LOCAL) {
    const modes = [
      ...(cache.source ? [codebuild.LocalCacheMode.SOURCE] : []),
      ...((cache.dockerLayers ?? host.docker) ? [codebuild.LocalCacheMode.DOCKER_LAYER] : []),
      ...((host.props.cachePaths ?? []).length > 0 ? [codebuild.LocalCacheMode.CUSTOM] : []),
    ];
    return modes.length > 0 ? codebuild.Cache.local(...modes) : undefined;
  }
  return undefined;
}

/**
 * Default subnets of a build in a VPC. A function, so that loading the library does not load
 * aws-cdk-lib's EC2 module (and the cloud assembly schema behind it) for apps without a VPC build.
 */
const defaultSubnets = (): ec2.SubnetSelection => ({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });

/** The project's VPC placement, with the grants CodeBuild needs to place builds there. */
export function vpcConfig(host: BuildGrantsHost, scope: Construct, role: iam.IRole): Partial<codebuild.PipelineProjectProps> {
  const vpc = host.props.vpc;
  if (!vpc) return {};
  const subnetSelection = host.props.subnetSelection ?? defaultSubnets();
  const subnets = vpc.selectSubnets(subnetSelection);
  const securityGroups = host.props.securityGroups ?? [new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `Build ${host.stepName}: outbound only`,
    allowAllOutbound: true,
  })];
  // What CodeBuild needs to place the build in the VPC; Describe* and CreateNetworkInterface have
  // no resource-level scoping (Service Authorization Reference, Amazon EC2).
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: host.sid('BuildInVpc'),
    actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs'],
    resources: ['*'],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: host.sid('AttachBuildInterfaces'),
    actions: ['ec2:CreateNetworkInterfacePermission'],
    resources: [Stack.of(scope).formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' })],
    conditions: {
      StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
      ArnEquals: { 'ec2:Subnet': subnets.subnetIds.map((id) => Stack.of(scope).formatArn({ service: 'ec2', resource: 'subnet', resourceName: id })) },
    },
  }));
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    acceptNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'CodeBuild in a VPC: the EC2 Describe* and CreateNetworkInterface actions take no resource ARN; CreateNetworkInterfacePermission is limited to CodeBuild and the build subnets.',
      appliesTo: ['Resource::*', { regex: '/^Resource::arn:.*:network-interface\\/\\*$/' }],
    }]);
  }
  return { vpc, subnetSelection, securityGroups };
}

const logKeys = new WeakSet<kms.IKey>();

/**
 * The artifact key, when CloudWatch Logs may use it for the build logs: its key policy then lets
 * CloudWatch Logs of this account and region use it for log data only (the encryption context
 * names a log group; CloudWatch Logs user guide, "Encrypt log data using AWS KMS"). An imported key's
 * policy cannot be changed here: the logs then keep CloudWatch Logs' own encryption.
 */
export function logEncryptionKey(key: kms.IKey | undefined): kms.IKey | undefined {
  if (!key) return undefined;
  if (logKeys.has(key)) return key;
  const stack = Stack.of(key);
  const added = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CloudWatchLogsBuildLogs',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
  }), true);
  if (!added.statementAdded) return undefined;
  logKeys.add(key);
  return key;
}
