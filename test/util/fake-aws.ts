import * as http from 'http';
import { AddressInfo } from 'net';

/** One call a client made, as the IAM action it needs, and who made it. */
export interface FakeAwsCall {
  /** The IAM action of the call, e.g. `s3:PutObject`. */
  readonly action: string;
  /** The resource: a bucket (`bucket` or `bucket/key`), a repository name, or a role ARN. */
  readonly resource: string;
  /** The identity that signed the call: `base` for the caller's own credentials, or the ARN of the role it assumed. */
  readonly caller: string;
}

/** What the fake account holds before the run. */
export interface FakeAwsState {
  /** Objects already in the buckets, as `bucket/key`. */
  readonly objects?: string[];
  /** Images already in the repositories, as `repository:tag`. */
  readonly images?: string[];
}

/**
 * A fake of the few AWS APIs cdk-assets calls (STS AssumeRole, S3 and ECR), on 127.0.0.1, for a
 * client pointed at it with AWS_ENDPOINT_URL. It answers as AWS would for buckets and
 * repositories that exist, and records every call as the IAM action it needs, signed by whom:
 * what a test compares with the policies a role was granted. Requests are not authenticated.
 */
export class FakeAws {
  public readonly calls: FakeAwsCall[] = [];
  private readonly objects: Set<string>;
  private readonly images: Set<string>;
  private readonly roles = new Map<string, string>();
  private readonly server: http.Server;

  constructor(state: FakeAwsState = {}) {
    this.objects = new Set(state.objects ?? []);
    this.images = new Set(state.images ?? []);
    this.server = http.createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (chunk: Buffer) => body.push(chunk));
      req.on('end', () => {
        try {
          this.answer(req, Buffer.concat(body).toString('utf8'), res);
        } catch (e) {
          res.statusCode = 500;
          res.end(String(e));
        }
      });
    });
  }

  /** Starts listening; returns the endpoint URL. */
  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The objects in the buckets after the run, as `bucket/key`. */
  public get storedObjects(): string[] {
    return [...this.objects].sort();
  }

  private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const caller = this.callerOf(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.startsWith('AmazonEC2ContainerRegistry_V20150921.')) return this.ecr(target.split('.')[1], JSON.parse(body || '{}'), caller, res);
    const form = new URLSearchParams(body);
    if (req.method === 'POST' && form.get('Action') === 'AssumeRole') return this.assumeRole(form, caller, res);
    return this.s3(req, caller, res);
  }

  /** The identity of a request, from the access key in its signature. */
  private callerOf(req: http.IncomingMessage): string {
    const key = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    return this.roles.get(key) ?? 'base';
  }

  private assumeRole(form: URLSearchParams, caller: string, res: http.ServerResponse): void {
    const roleArn = form.get('RoleArn')!;
    this.calls.push({ action: 'sts:AssumeRole', resource: roleArn, caller });
    const key = `ASIAFAKE${String(this.roles.size).padStart(12, '0')}`;
    this.roles.set(key, roleArn);
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    res.setHeader('Content-Type', 'text/xml');
    res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${roleArn}/session</Arn><AssumedRoleId>AROAFAKE:session</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`);
  }

  private s3(req: http.IncomingMessage, caller: string, res: http.ServerResponse): void {
    // Path-style requests: the endpoint is an IP address.
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [bucket, ...rest] = url.pathname.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    const q = url.searchParams;
    const record = (action: string, resource: string) => this.calls.push({ action, resource, caller });
    res.setHeader('Content-Type', 'application/xml');
    if (req.method === 'GET' && q.has('location')) {
      record('s3:GetBucketLocation', bucket);
      return void res.end('<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>');
    }
    if (req.method === 'GET' && q.has('encryption')) {
      record('s3:GetEncryptionConfiguration', bucket);
      return void res.end('<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>');
    }
    if (req.method === 'GET' && q.get('list-type') === '2') {
      record('s3:ListBucket', bucket);
      const prefix = q.get('prefix') ?? '';
      const found = [...this.objects].filter((o) => o.startsWith(`${bucket}/${prefix}`)).map((o) => o.slice(bucket.length + 1));
      return void res.end(`<ListBucketResult><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${found.length}</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated>${found.map((k) => `<Contents><Key>${k}</Key><Size>4096</Size></Contents>`).join('')}</ListBucketResult>`);
    }
    if (req.method === 'PUT' && key && !q.has('uploadId')) {
      record('s3:PutObject', `${bucket}/${key}`);
      this.objects.add(`${bucket}/${key}`);
      res.setHeader('ETag', '"0"');
      return void res.end();
    }
    record(`s3:unknown ${req.method} ${url.search}`, bucket);
    res.statusCode = 501;
    res.end('<Error><Code>NotImplemented</Code><Message>not in the fake</Message></Error>');
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request's JSON, as the client sent it
  private ecr(operation: string, input: any, caller: string, res: http.ServerResponse): void {
    // A repository's calls name it (DescribeRepositories in a list); GetAuthorizationToken names none.
    this.calls.push({ action: `ecr:${operation}`, resource: input.repositoryName ?? input.repositoryNames?.join(',') ?? '*', caller });
    res.setHeader('Content-Type', 'application/x-amz-json-1.1');
    const registry = '222222222222.dkr.ecr.us-east-1.amazonaws.com';
    switch (operation) {
      case 'DescribeRepositories':
        return void res.end(JSON.stringify({ repositories: input.repositoryNames.map((name: string) => ({ repositoryName: name, repositoryUri: `${registry}/${name}` })) }));
      case 'DescribeImages': {
        const tags: string[] = input.imageIds.map((i: { imageTag: string }) => i.imageTag);
        const found = tags.filter((t) => this.images.has(`${input.repositoryName}:${t}`));
        if (found.length === 0) {
          res.statusCode = 400;
          return void res.end(JSON.stringify({ __type: 'ImageNotFoundException', message: 'not found' }));
        }
        return void res.end(JSON.stringify({ imageDetails: found.map((t) => ({ imageTags: [t], imageDigest: 'sha256:' + '0'.repeat(64) })) }));
      }
      case 'GetAuthorizationToken':
        return void res.end(JSON.stringify({ authorizationData: [{ authorizationToken: Buffer.from('AWS:password').toString('base64'), proxyEndpoint: `https://${registry}`, expiresAt: Date.now() / 1000 + 3600 }] }));
      default:
        res.statusCode = 400;
        return void res.end(JSON.stringify({ __type: 'InvalidParameterException', message: `${operation} is not in the fake` }));
    }
  }
}
