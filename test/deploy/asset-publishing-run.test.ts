import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { CDK_ASSETS_VERSION } from '../../lib/deploy/cloudformation/private/asset-publishing';
import { FakeAws, FakeAwsCall } from '../util/fake-aws';
import { prepareSpec, prepareWorkspace, release } from './stage-fixture';

// The prepare job's cdk-assets step, run for real: the pinned cdk-assets (a devDependency of the
// same version), on the manifest the job's own commands write from a synthesized Stage, against a
// fake of the AWS APIs it calls and a fake docker. What it calls is compared with what the roles
// were granted, and what it skips with what is already published.

const ROOT = path.join(__dirname, '..', '..');
const TARGET_ACCOUNT = '222222222222';
const BUCKET = `cdk-hnb659fds-assets-${TARGET_ACCOUNT}-us-east-1`;
const REPOSITORY = `cdk-hnb659fds-container-assets-${TARGET_ACCOUNT}-us-east-1`;

interface Statement { readonly Effect: string; readonly Action: string | string[]; readonly Resource: unknown }

/** The statements of the policies attached to a role of a template, by the role's logical id prefix. */
function statementsOf(t: Template, rolePrefix: string): Statement[] {
  const role = Object.keys(t.findResources('AWS::IAM::Role')).find((id) => id.includes(rolePrefix));
  expect(role).toBeDefined();
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`).test(value);

/** The ARN a call acts on in an account, as IAM would evaluate it. */
function arnOf(call: FakeAwsCall, account: string): string {
  const [service] = call.action.split(':');
  if (service === 's3') return `arn:aws:s3:::${call.resource}`;
  if (service === 'ecr') return call.resource === '*' ? '*' : `arn:aws:ecr:us-east-1:${account}:repository/${call.resource}`;
  return call.resource;
}

/** True when an Allow statement (with literal actions and resources) grants the call. */
function allows(statements: Statement[], call: FakeAwsCall, account: string = TARGET_ACCOUNT): boolean {
  const arn = arnOf(call, account);
  return statements.some((s) => s.Effect === 'Allow'
    && ([] as string[]).concat(s.Action).some((a) => glob(a, call.action))
    && ([] as unknown[]).concat(s.Resource).some((r) => typeof r === 'string' && glob(r, arn)));
}

/** Runs the buildspec's cdk-assets command in the workspace, against the fake. */
async function runCdkAssets(dir: string, spec: string, endpoint: string): Promise<string[]> {
  const command = (parse(spec).phases.build.commands as string[]).find((c) => c.startsWith('cdk-assets '))!;
  const dockerLog = path.join(dir, 'docker.log');
  fs.writeFileSync(path.join(dir, 'docker'), [
    '#!/bin/bash',
    `echo "$*" >> '${dockerLog}'`,
    // Nothing is built on this host yet; a login reads its password.
    'case "$1" in inspect) exit 1 ;; login) cat >/dev/null ;; esac',
    '',
  ].join('\n'), { mode: 0o755 });
  await promisify(execFile)('bash', ['-c', command], {
    cwd: dir,
    env: {
      PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}`,
      HOME: dir,
      AWS_ACCESS_KEY_ID: 'AKIAJOBROLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DOCKER: path.join(dir, 'docker'),
      NODE_NO_WARNINGS: '1',
    },
  });
  return fs.existsSync(dockerLog) ? fs.readFileSync(dockerLog, 'utf8').trim().split('\n') : [];
}

/**
 * The registry calls a `docker push` makes (the ECR guide's push permissions), on the pushed
 * repository, signed by the identity that got the registry login (cdk-assets logs docker in with
 * an ECR token of the role it publishes with).
 */
function pushCalls(docker: string[], calls: FakeAwsCall[]): FakeAwsCall[] {
  const login = calls.find((c) => c.action === 'ecr:GetAuthorizationToken');
  return docker.filter((c) => c.startsWith('push ')).flatMap((c) => {
    const repository = c.split(' ')[1].split('/').slice(1).join('/').split(':')[0];
    return ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage']
      .map((action) => ({ action, resource: repository, caller: login?.caller ?? 'nobody' }));
  });
}

/** Workspaces to remove after each test (links to the cloud assemblies, not the assemblies). */
const workspaces: string[] = [];
afterEach(() => {
  for (const dir of workspaces.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const workspace = (dir: string) => {
  workspaces.push(dir);
  return dir;
};

describe('the prepare job runs the pinned cdk-assets', () => {
  test('the devDependency the tests run is the version the job installs', () => {
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'cdk-assets', 'package.json'), 'utf8')).version).toBe(CDK_ASSETS_VERSION);
  });

  test('in another account it assumes the target\'s publishing role, and calls only what the roles grant', async () => {
    const { app, pipelineStack, targetStack } = release();
    const spec = prepareSpec(Template.fromStack(pipelineStack));
    const aws = new FakeAws();
    const endpoint = await aws.start();
    let docker: string[];
    try {
      docker = await runCdkAssets(workspace(prepareWorkspace(app, spec)), spec, endpoint);
    } finally {
      await aws.stop();
    }
    const publishingRole = `arn:aws:iam::${TARGET_ACCOUNT}:role/cdk-delivery-publish-us-east-1`;
    // The job's own credentials only assume the publishing role; it does the rest.
    const own = aws.calls.filter((c) => c.caller === 'base');
    expect(own.length).toBeGreaterThan(0);
    for (const call of own) expect(call).toEqual({ action: 'sts:AssumeRole', resource: publishingRole, caller: 'base' });
    const published = aws.calls.filter((c) => c.caller !== 'base');
    expect(new Set(published.map((c) => c.caller))).toEqual(new Set([publishingRole]));
    expect([...new Set(published.map((c) => c.action))].sort()).toEqual([
      'ecr:DescribeImages', 'ecr:DescribeRepositories', 'ecr:GetAuthorizationToken',
      's3:GetBucketLocation', 's3:GetEncryptionConfiguration', 's3:ListBucket', 's3:PutObject',
    ]);
    const job = statementsOf(Template.fromStack(pipelineStack), 'PrepareRole');
    const publishing = statementsOf(Template.fromStack(targetStack), 'TargetAssetPublishingRole');
    // Every call cdk-assets made, and those docker's push made with the login it got.
    const pushes = pushCalls(docker, aws.calls);
    expect(pushes).toHaveLength(5);
    for (const call of [...aws.calls, ...pushes]) expect({ call, allowed: allows(call.caller === 'base' ? job : publishing, call) }).toEqual({ call, allowed: true });
    // The function's code went to the bootstrap bucket, under its hash.
    expect(aws.storedObjects).toEqual([expect.stringMatching(new RegExp(`^${BUCKET}/[0-9a-f]{64}\\.zip$`))]);
    // The image was built once, and pushed to the bootstrap repository under its hash.
    expect(docker.filter((c) => /^(build|push) /.test(c))).toEqual([
      expect.stringMatching(/^build --tag cdkasset-[0-9a-f]{64} /),
      expect.stringMatching(new RegExp(`^push ${TARGET_ACCOUNT}\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/${REPOSITORY}:[0-9a-f]{64}$`)),
    ]);
  });

  test('assets already published are skipped: nothing is uploaded, built or pushed', async () => {
    const { app, pipelineStack } = release();
    const spec = prepareSpec(Template.fromStack(pipelineStack));
    const dir = workspace(prepareWorkspace(app, spec));
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.out', 'cdk-delivery.assets.json'), 'utf8'));
    const destinations = (kind: string) => Object.values(manifest[kind]).flatMap((a) => Object.values((a as { destinations: object }).destinations)) as Array<{ objectKey?: string; imageTag?: string }>;
    const aws = new FakeAws({
      objects: destinations('files').map((d) => `${BUCKET}/${d.objectKey}`),
      images: destinations('dockerImages').map((d) => `${REPOSITORY}:${d.imageTag}`),
    });
    const endpoint = await aws.start();
    let docker: string[];
    try {
      docker = await runCdkAssets(dir, spec, endpoint);
    } finally {
      await aws.stop();
    }
    // It looked for each asset, and found it.
    expect(aws.calls.map((c) => c.action)).toEqual(expect.arrayContaining(['s3:ListBucket', 'ecr:DescribeImages']));
    expect(aws.calls.map((c) => c.action)).not.toContain('s3:PutObject');
    expect(docker).toEqual([]);
  });

  test('in the pipeline\'s account it publishes with the job\'s own role, which grants every call', async () => {
    const { app, pipelineStack } = release({ crossAccount: false });
    const spec = prepareSpec(Template.fromStack(pipelineStack));
    const aws = new FakeAws();
    const endpoint = await aws.start();
    let docker: string[];
    try {
      docker = await runCdkAssets(workspace(prepareWorkspace(app, spec)), spec, endpoint);
    } finally {
      await aws.stop();
    }
    expect(aws.calls.map((c) => c.caller)).not.toContain(expect.stringMatching(/^arn:/));
    expect(aws.calls.map((c) => c.action)).toContain('s3:PutObject');
    const job = statementsOf(Template.fromStack(pipelineStack), 'PrepareRole');
    const pushes = pushCalls(docker, aws.calls);
    expect(pushes).toHaveLength(5);
    for (const call of [...aws.calls, ...pushes]) expect({ call, allowed: allows(job, call, '111111111111') }).toEqual({ call, allowed: true });
  });
});
