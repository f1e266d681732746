import { RemovalPolicy } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import { Problems, isConcrete, fail, verbatim } from '../private/validation';
import { SourceOptions, checkBranch, resolveSourceNames } from './common';
import { ISource, SourceConfig, variableReference } from './source';
import { checkArgs, constructorOf } from '../private/shapes';
import { REPOSITORY_DESCRIPTION } from '../private/limits';

/**
 * Props of a CodeCommit source. Give either `repository` (an existing repository) or
 * `repositoryName` (the pipeline creates the repository).
 */
export interface CodeCommitSourceProps extends SourceOptions {
  /**
   * An existing repository.
   *
   * @default - a repository named `repositoryName` is created
   */
  readonly repository?: codecommit.IRepository;

  /**
   * Name of a repository to create: 1 to 100 characters from A-Z a-z 0-9 . _ -, not ending in `.git`.
   *
   * @default - none: `repository` must be given
   */
  readonly repositoryName?: string;

  /**
   * Description of the repository to create (with `repositoryName` only).
   *
   * @default - no description
   */
  readonly repositoryDescription?: string;

  /**
   * What happens to the repository the source creates (with `repositoryName`) when it leaves the
   * stack: on `cdk destroy`, when the source is removed, or when a construct id changes. A
   * repository holds the code and its history, so it is kept unless you say otherwise. A kept
   * repository keeps its name: to deploy the stack again, pass it as `repository`
   * (`codecommit.Repository.fromRepositoryName`).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly repositoryRemovalPolicy?: RemovalPolicy;

  /**
   * The branch whose commits start the pipeline.
   *
   * @default 'main'
   */
  readonly branch?: string;
}

/** Variables a CodeCommit source action produces, as `#{namespace.Name}` references. */
export interface CodeCommitSourceVariables {
  /** The commit id (SHA) of the revision. */
  readonly commitId: string;
  /** The commit message. */
  readonly commitMessage: string;
  /** The branch name. */
  readonly branchName: string;
  /** The repository name. */
  readonly repositoryName: string;
  /** The author date of the commit. */
  readonly authorDate: string;
  /** The committer date of the commit. */
  readonly committerDate: string;
}

const REPOSITORY_NAME = /^[\w.-]{1,100}$/;

/**
 * A CodeCommit repository as the pipeline's source. Changes are detected by an EventBridge
 * rule on the branch (never by polling).
 */
export class CodeCommitSource implements ISource {
  public readonly actionName: string;
  public readonly output: codepipeline.Artifact;
  public readonly variablesNamespace: string;
  /** The branch whose commits start the pipeline. */
  public readonly branch: string;
  /** The source's variables as references for later actions. */
  public readonly variables: CodeCommitSourceVariables;
  /** A short description for diagrams. */
  public readonly label?: string;
  private readonly props: CodeCommitSourceProps;
  private _repository?: codecommit.IRepository;

  constructor(props: CodeCommitSourceProps) {
    checkArgs(constructorOf(new.target), [props], `${new.target.name}`);
    const problems = new Problems(`CodeCommitSource '${props.actionName ?? 'Source'}'`);
    const names = resolveSourceNames(problems, props);
    if (props.repository && props.repositoryName !== undefined) {
      problems.add('repositoryName', props.repositoryName, 'is given together with repository', 'give repository (an existing one) or repositoryName (to create one), not both');
    } else if (!props.repository && props.repositoryName === undefined) {
      problems.add('repository', undefined, 'no repository is given', 'give repository (an existing codecommit.IRepository) or repositoryName (to create one)');
    }
    if (isConcrete(props.repositoryName) && (!REPOSITORY_NAME.test(props.repositoryName) || props.repositoryName.endsWith('.git'))) {
      problems.add('repositoryName', props.repositoryName, 'is not a valid CodeCommit repository name', 'use 1 to 100 characters from A-Z a-z 0-9 . _ - and do not end it with .git');
    }
    if (props.repositoryDescription !== undefined && props.repositoryName === undefined) {
      problems.add('repositoryDescription', props.repositoryDescription, 'only applies to a repository the source creates', 'remove it, or give repositoryName instead of repository');
    }
    if (isConcrete(props.repositoryDescription) && props.repositoryDescription.length > REPOSITORY_DESCRIPTION.max) {
      problems.add('repositoryDescription', props.repositoryDescription, 'is longer than CodeCommit allows', 'use at most 1,000 characters');
    }
    if (props.repositoryRemovalPolicy !== undefined && props.repository) {
      problems.add('repositoryRemovalPolicy', props.repositoryRemovalPolicy, 'only applies to a repository the source creates', 'remove it, or give repositoryName instead of repository');
    }
    if (props.repositoryRemovalPolicy !== undefined && ![RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE].includes(props.repositoryRemovalPolicy)) {
      problems.add('repositoryRemovalPolicy', props.repositoryRemovalPolicy, 'is not a policy a CodeCommit repository supports (it has no snapshots)', 'use RemovalPolicy.RETAIN (the default), RETAIN_ON_UPDATE_OR_DELETE or DESTROY');
    }
    checkBranch(problems, 'branch', props.branch);
    problems.throwIfAny();

    this.props = props;
    this.actionName = names.actionName;
    this.variablesNamespace = names.variablesNamespace;
    this.output = new codepipeline.Artifact(names.outputArtifactName);
    this.branch = props.branch ?? 'main';
    const name = props.repositoryName ?? props.repository?.repositoryName;
    this.label = `CodeCommit ${name && isConcrete(name) ? name : 'repository'} (${this.branch})`;
    this._repository = props.repository;
    const ns = this.variablesNamespace;
    this.variables = {
      commitId: variableReference(ns, 'CommitId'),
      commitMessage: variableReference(ns, 'CommitMessage'),
      branchName: variableReference(ns, 'BranchName'),
      repositoryName: variableReference(ns, 'RepositoryName'),
      authorDate: variableReference(ns, 'AuthorDate'),
      committerDate: variableReference(ns, 'CommitterDate'),
    };
  }

  /**
   * The repository: the one given, or the one the source created when it was added to a pipeline.
   */
  public get repository(): codecommit.IRepository {
    if (!this._repository) {
      fail(`CodeCommitSource '${this.actionName}'`, 'repository', verbatim('not created yet'), `the repository '${this.props.repositoryName}' is created when the source is added to a DeliveryPipeline`, "read 'repository' after creating the pipeline");
    }
    return this._repository;
  }

  public bind(scope: Construct, _pipeline: codepipeline.IPipeline): SourceConfig {
    if (!this._repository) {
      const repository = new codecommit.Repository(scope, 'Repository', {
        repositoryName: this.props.repositoryName!,
        description: this.props.repositoryDescription,
      });
      // The code and its history outlive the stack unless the user says otherwise.
      repository.applyRemovalPolicy(this.props.repositoryRemovalPolicy ?? RemovalPolicy.RETAIN);
      this._repository = repository;
    }
    return {
      action: new actions.CodeCommitSourceAction({
        actionName: this.actionName,
        repository: this._repository,
        branch: this.branch,
        output: this.output,
        variablesNamespace: this.variablesNamespace,
        trigger: actions.CodeCommitTrigger.EVENTS,
      }),
    };
  }
}
