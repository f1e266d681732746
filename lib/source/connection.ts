import * as codeconnections from 'aws-cdk-lib/aws-codeconnections';
import { Construct } from 'constructs';
import { Problems, isConcrete } from '../private/validation';
import { checkArgs, constructorOf } from '../private/shapes';

/** The providers a CodeConnections connection can reach. */
export enum ConnectionProvider {
  /** github.com */
  GITHUB = 'GitHub',
  /** GitHub Enterprise Server (needs a host) */
  GITHUB_ENTERPRISE_SERVER = 'GitHubEnterpriseServer',
  /** gitlab.com */
  GITLAB = 'GitLab',
  /** GitLab self-managed (needs a host) */
  GITLAB_SELF_MANAGED = 'GitLabSelfManaged',
  /** bitbucket.org */
  BITBUCKET = 'Bitbucket',
}

/** Props of a `CodeConnection`. */
export interface CodeConnectionProps {
  /** Name of the connection: 1 to 32 characters. */
  readonly connectionName: string;

  /**
   * The provider the connection reaches.
   *
   * @default ConnectionProvider.GITHUB
   */
  readonly provider?: ConnectionProvider;

  /**
   * ARN of the host of a self-managed provider (GitHub Enterprise Server, GitLab self-managed).
   *
   * @default - none: required for self-managed providers, not allowed for the others
   */
  readonly hostArn?: string;
}

/**
 * A CodeConnections connection (`AWS::CodeConnections::Connection`) to GitHub, GitLab or
 * Bitbucket.
 *
 * CloudFormation creates the connection in the PENDING state: it cannot be used until a person
 * completes the handshake with the provider, once, in the console (Developer Tools > Settings >
 * Connections > Update pending connection). Until then a pipeline using it fails its source action.
 */
export class CodeConnection extends Construct {
  /** ARN of the connection (`arn:aws:codeconnections:...`). */
  public readonly connectionArn: string;
  /** The underlying CloudFormation resource. */
  public readonly resource: codeconnections.CfnConnection;

  constructor(scope: Construct, id: string, props: CodeConnectionProps) {
    checkArgs(constructorOf(new.target), [scope, id, props], `${new.target.name} '${id}'`);
    super(scope, id);
    const problems = new Problems(`CodeConnection '${this.node.path}'`);
    const provider = props.provider ?? ConnectionProvider.GITHUB;
    if (props.connectionName === undefined) {
      problems.add('connectionName', props.connectionName, 'is required', "give the connection a name, e.g. 'github'");
    } else if (isConcrete(props.connectionName) && (props.connectionName.length < 1 || props.connectionName.length > 32)) {
      problems.add('connectionName', props.connectionName, 'must be 1 to 32 characters long (CodeConnections limit)', 'shorten the name');
    }
    const selfManaged = provider === ConnectionProvider.GITHUB_ENTERPRISE_SERVER || provider === ConnectionProvider.GITLAB_SELF_MANAGED;
    if (selfManaged && props.hostArn === undefined) {
      problems.add('hostArn', undefined, `is required for the ${provider} provider`, 'create an AWS::CodeConnections host (or use an existing one) and pass its ARN');
    }
    if (!selfManaged && props.hostArn !== undefined) {
      problems.add('hostArn', props.hostArn, `does not apply to the ${provider} provider`, 'remove hostArn, or choose a self-managed provider');
    }
    problems.throwIfAny();

    this.resource = new codeconnections.CfnConnection(this, 'Resource', {
      connectionName: props.connectionName,
      providerType: selfManaged ? undefined : provider,
      hostArn: props.hostArn,
    });
    this.connectionArn = this.resource.attrConnectionArn;
  }
}
