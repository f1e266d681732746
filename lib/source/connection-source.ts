import { CfnResource, Reference, Token, Tokenization } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Problems, isConcrete } from '../private/validation';
import { SourceOptions, checkBranch, resolveSourceNames } from './common';
import { ISource, SourceConfig, variableReference } from './source';
import {
  GlobPatterns,
  PullRequestFilter,
  PushFilter,
  checkPullRequestFilters,
  checkPushFilters,
  toL2PullRequestFilter,
  toL2PushFilter,
} from './trigger-filters';
import { checkArgs, constructorOf } from '../private/shapes';
import { addArtifactReadGrant } from '../core/artifact-grants';

/** Props of a source reached through a CodeConnections connection. */
export interface ConnectionSourceProps extends SourceOptions {
  /**
   * ARN of the connection (`arn:aws:codeconnections:...` or the older
   * `arn:aws:codestar-connections:...`); `CodeConnection.connectionArn` for one this app creates.
   */
  readonly connectionArn: string;

  /**
   * The branch the source action checks out.
   *
   * @default 'main'
   */
  readonly branch?: string;

  /**
   * Give builds a full git clone (CodePipeline's `CODEBUILD_CLONE_REF` output) instead of a zip of
   * the files, for builds that need git history or tags. Only CodeBuild actions can read such an
   * artifact; the build's role is granted `UseConnection` on this connection.
   *
   * @default false
   */
  readonly fullClone?: boolean;

  /**
   * Shorthand for one push filter on `branch` with these file paths: the pipeline starts only
   * when a push to `branch` changes a matching file. Use `pushFilters` for anything more.
   *
   * @default - any file
   */
  readonly filePaths?: GlobPatterns;

  /**
   * Push filters of the V2 trigger (at most 3).
   *
   * @default - a push to `branch` starts the pipeline
   */
  readonly pushFilters?: PushFilter[];

  /**
   * Pull-request filters of the V2 trigger (at most 3).
   *
   * @default - pull requests do not start the pipeline
   */
  readonly pullRequestFilters?: PullRequestFilter[];

  /**
   * Start the pipeline on changes at all. When false the pipeline runs only when started by hand
   * or by API, and no filters may be given.
   *
   * @default true
   */
  readonly triggerOnPush?: boolean;
}

/** Variables a connection source action produces, as `#{namespace.Name}` references. */
export interface ConnectionSourceVariables {
  /** The commit id (SHA) of the revision. */
  readonly commitId: string;
  /** The commit message. */
  readonly commitMessage: string;
  /** The branch name. */
  readonly branchName: string;
  /** The repository as `owner/name`. */
  readonly fullRepositoryName: string;
  /** The author date of the commit. */
  readonly authorDate: string;
  /** The ARN of the connection. */
  readonly connectionArn: string;
}

const CONNECTION_ARN = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;

/**
 * A GitHub, GitHub Enterprise, GitLab or Bitbucket repository reached through a CodeConnections
 * connection, with CodePipeline V2 trigger filters.
 */
export class ConnectionSource implements ISource {
  public readonly actionName: string;
  public readonly output: codepipeline.Artifact;
  public readonly variablesNamespace: string;
  /** The repository as `owner/name`. */
  public readonly repository: string;
  /** The branch the source action checks out. */
  public readonly branch: string;
  /** ARN of the connection. */
  public readonly connectionArn: string;
  /** Whether builds get a full git clone. */
  public readonly fullClone: boolean;
  /** A short description for diagrams. */
  public readonly label?: string;
  /** The source's variables as references for later actions. */
  public readonly variables: ConnectionSourceVariables;
  private readonly props: ConnectionSourceProps;

  /**
   * @param repository the repository as `owner/name` (GitLab groups: `group/subgroup/name`)
   */
  constructor(repository: string, props: ConnectionSourceProps) {
    checkArgs(constructorOf(new.target), [repository, props], `${new.target.name}`);
    const problems = new Problems(`ConnectionSource '${props.actionName ?? 'Source'}' (${repository})`);
    const names = resolveSourceNames(problems, props);
    if (isConcrete(repository) && !/^[^/\s]+(\/[^/\s]+)+$/.test(repository)) {
      problems.add('repository', repository, "is not of the form 'owner/name'", "give the repository as 'owner/name', for example 'my-org/shop'");
    }
    if (props.connectionArn === undefined) {
      problems.add('connectionArn', undefined, 'is required', 'pass the ARN of an existing connection, or new CodeConnection(...).connectionArn');
    } else if (isConcrete(props.connectionArn) && !CONNECTION_ARN.test(props.connectionArn)) {
      problems.add('connectionArn', props.connectionArn, 'is not a CodeConnections connection ARN', "use an ARN such as 'arn:aws:codeconnections:us-east-1:111111111111:connection/abcd-...' (Developer Tools > Settings > Connections)");
    }
    checkBranch(problems, 'branch', props.branch);
    if (props.filePaths !== undefined && props.pushFilters !== undefined) {
      problems.add('filePaths', props.filePaths, 'is shorthand for one push filter on branch, and pushFilters is given too', 'move the file paths into each of pushFilters, or remove pushFilters');
    }
    if (props.triggerOnPush === false && (props.filePaths || props.pushFilters || props.pullRequestFilters)) {
      problems.add('triggerOnPush', false, 'turns change detection off, but trigger filters are given', 'remove the filters, or leave triggerOnPush at its default (true)');
    }
    checkPushFilters(problems, 'pushFilters', props.pushFilters);
    checkPullRequestFilters(problems, 'pullRequestFilters', props.pullRequestFilters);
    const branch = props.branch ?? 'main';
    if (props.filePaths) {
      checkPushFilters(problems, 'filePaths', [{ branches: { includes: [branch] }, filePaths: props.filePaths }]);
    }
    problems.throwIfAny();

    this.props = props;
    this.repository = repository;
    this.branch = branch;
    this.connectionArn = props.connectionArn;
    this.fullClone = props.fullClone ?? false;
    this.label = `${repository} (${branch})`;
    this.actionName = names.actionName;
    this.variablesNamespace = names.variablesNamespace;
    this.output = new codepipeline.Artifact(names.outputArtifactName);
    const ns = this.variablesNamespace;
    this.variables = {
      commitId: variableReference(ns, 'CommitId'),
      commitMessage: variableReference(ns, 'CommitMessage'),
      branchName: variableReference(ns, 'BranchName'),
      fullRepositoryName: variableReference(ns, 'FullRepositoryName'),
      authorDate: variableReference(ns, 'AuthorDate'),
      connectionArn: variableReference(ns, 'ConnectionArn'),
    };
  }

  public bind(_scope: Construct, _pipeline: codepipeline.IPipeline): SourceConfig {
    const [owner, ...rest] = this.repository.split('/');
    const action = new ConnectionSourceAction({
      actionName: this.actionName,
      connectionArn: this.connectionArn,
      owner,
      repo: rest.join('/'),
      branch: this.branch,
      output: this.output,
      variablesNamespace: this.variablesNamespace,
      codeBuildCloneOutput: this.fullClone,
      triggerOnPush: this.props.triggerOnPush ?? true,
    });
    const pushFilters = this.props.pushFilters
      ?? (this.props.filePaths ? [{ branches: { includes: [this.branch] }, filePaths: this.props.filePaths }] : undefined);
    const pullRequestFilters = this.props.pullRequestFilters;
    if (!pushFilters && !pullRequestFilters) {
      return { action };
    }
    // A V2 trigger replaces the action's change detection: when only pull-request filters are
    // given, pushes no longer start the pipeline, as CodePipeline documents.
    return {
      action,
      trigger: {
        providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
        gitConfiguration: {
          sourceAction: action,
          pushFilter: pushFilters?.map(toL2PushFilter),
          pullRequestFilter: pullRequestFilters?.map(toL2PullRequestFilter),
        },
      },
    };
  }
}

/**
 * The L2 action grants `codestar-connections:UseConnection`, which does not cover connections
 * created under the renamed service: IAM needs the prefix of the connection's own ARN
 * (https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html). This subclass renders the
 * same configuration as the L2 but grants the matching action (both only when the ARN is a token).
 */
class ConnectionSourceAction extends actions.CodeStarConnectionsSourceAction {
  private readonly sourceProps: actions.CodeStarConnectionsSourceActionProps;

  constructor(props: actions.CodeStarConnectionsSourceActionProps) {
    super(props);
    this.sourceProps = props;
  }

  protected bound(_scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const props = this.sourceProps;
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: useConnectionActions(props.connectionArn), resources: [props.connectionArn] }));
    options.bucket.grantReadWrite(options.role);
    options.bucket.grantPutAcl(options.role);
    if (props.codeBuildCloneOutput) {
      // Read by the L2 CodeBuildAction; our steps read the grant, which names the exact actions.
      props.output.setMetadata(CLONE_CONNECTION_METADATA, props.connectionArn);
      addArtifactReadGrant(props.output, { sid: 'CloneThroughConnection', actions: useConnectionActions(props.connectionArn), resources: [props.connectionArn] });
    }
    return {
      configuration: {
        ConnectionArn: props.connectionArn,
        FullRepositoryId: `${props.owner}/${props.repo}`,
        BranchName: props.branch,
        OutputArtifactFormat: props.codeBuildCloneOutput ? 'CODEBUILD_CLONE_REF' : undefined,
        DetectChanges: props.triggerOnPush,
      },
    };
  }
}

/** The artifact metadata key the L2 CodeBuildAction reads for a clone-ref input. */
const CLONE_CONNECTION_METADATA = 'CodeStarConnectionArnProperty';

/** The IAM actions that allow using a connection, matched to the prefix of its ARN. */
export function useConnectionActions(connectionArn: string): string[] {
  if (Token.isUnresolved(connectionArn)) {
    // IAM needs the prefix of the connection's own ARN. A connection created in this app names its
    // service by its resource type; any other token could be either.
    const tokens = Tokenization.reverseString(connectionArn);
    const target = tokens.length === 1 && Reference.isReference(tokens.firstToken) ? tokens.firstToken.target : undefined;
    if (target instanceof CfnResource && target.cfnResourceType === 'AWS::CodeConnections::Connection') return ['codeconnections:UseConnection'];
    if (target instanceof CfnResource && target.cfnResourceType === 'AWS::CodeStarConnections::Connection') return ['codestar-connections:UseConnection'];
    return ['codeconnections:UseConnection', 'codestar-connections:UseConnection'];
  }
  const service = connectionArn.split(':')[2];
  return [`${service}:UseConnection`];
}
