import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { recordImageFiles } from '../codebuild/private/image-files';
import { ECR_IMAGE_TAG } from '../private/names';
import { Problems, differentLiterals, fail, isConcrete, verbatim } from '../private/validation';
import { checkArgs, constructorOf } from '../private/shapes';
import { SourceOptions, resolveSourceNames } from './common';
import { ISource, SourceConfig, variableReference } from './source';

/** Props of an ECR source. */
export interface EcrSourceProps extends SourceOptions {
  /**
   * The one image tag the source watches: a push of this tag starts the pipeline, with the image
   * it names (CodePipeline's ECR source watches exactly one tag, no patterns). The repository must
   * let the tag move to each new image.
   *
   * @default 'latest'
   */
  readonly tag?: string;
}

/** Variables an ECR source action produces, as `#{namespace.Name}` references. */
export interface EcrSourceVariables {
  /** The image's digest (`sha256:...`): the bytes released, whatever the tag names later. */
  readonly imageDigest: string;
  /** The image's URI, by digest (`<registry>/<repository>@sha256:...`). */
  readonly imageUri: string;
  /** The tag pushed. */
  readonly imageTag: string;
  /** The repository's name. */
  readonly repositoryName: string;
  /** The account of the registry. */
  readonly registryId: string;
}


/**
 * An image in an ECR repository of the pipeline's account and region as the pipeline's source: a
 * push of `tag` starts the pipeline, and its output artifact holds `imageDetail.json`, which names
 * the image by digest (`ImageURI`), so the release carries the bytes that were pushed even when
 * the tag moves on. `variables.imageDigest` is the digest.
 */
export class EcrSource implements ISource {
  public readonly actionName: string;
  public readonly output: codepipeline.Artifact;
  public readonly variablesNamespace: string;
  /** The repository watched. */
  public readonly repository: ecr.IRepository;
  /** The tag watched. */
  public readonly tag: string;
  /** The source's variables as references for later actions. */
  public readonly variables: EcrSourceVariables;
  /** A short description for diagrams. */
  public readonly label?: string;

  constructor(repository: ecr.IRepository, props: EcrSourceProps = {}) {
    checkArgs(constructorOf(new.target), [repository, props], `${new.target.name}`);
    const problems = new Problems(`EcrSource '${props.actionName ?? 'Source'}'`);
    const names = resolveSourceNames(problems, props);
    const tag = props.tag ?? 'latest';
    if (isConcrete(tag) && /[*?]/.test(tag)) {
      problems.add('tag', tag, 'is a pattern, but CodePipeline\'s ECR source watches exactly one tag', 'give one tag (a source action per tag if several should start the pipeline)');
    } else if (isConcrete(tag) && !ECR_IMAGE_TAG.test(tag)) {
      problems.add('tag', tag, 'is not an ECR image tag', 'use 1 to 300 letters, digits, _ . and -, starting with a letter, digit or _');
    }
    const mutability = tagMutability(repository, tag);
    if (mutability) problems.add('repository', verbatim(repository.node.path), mutability, `let the tag move: imageTagMutability: TagMutability.MUTABLE, or IMMUTABLE_WITH_EXCLUSION with imageTagMutabilityExclusionFilters: [ImageTagMutabilityExclusionFilter.wildcard('${tag}')]`);
    problems.throwIfAny();
    this.repository = repository;
    this.tag = tag;
    this.actionName = names.actionName;
    this.variablesNamespace = names.variablesNamespace;
    this.output = new codepipeline.Artifact(names.outputArtifactName);
    const cfn = repository.node.defaultChild;
    const name = isConcrete(repository.repositoryName) ? repository.repositoryName : cfn instanceof ecr.CfnRepository && isConcrete(cfn.repositoryName) ? cfn.repositoryName : 'image';
    this.label = `ECR ${name}:${tag}`;
    const v = (name: string) => variableReference(this.variablesNamespace, name);
    this.variables = { imageDigest: v('ImageDigest'), imageUri: v('ImageURI'), imageTag: v('ImageTag'), repositoryName: v('RepositoryName'), registryId: v('RegistryId') };
    recordImageFiles(this.output, { stepName: this.actionName, repository });
  }

  public bind(_scope: Construct, pipeline: codepipeline.IPipeline): SourceConfig {
    const here = Stack.of(pipeline);
    const arn = this.repository.repositoryArn;
    const there = isConcrete(arn) ? { account: Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).account ?? '', region: Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region ?? '' } : this.repository.env;
    if (differentLiterals(there.account, here.account) || differentLiterals(there.region, here.region)) {
      fail(`EcrSource '${this.actionName}'`, 'repository', verbatim(this.repository.node.path), `is in ${there.account}/${there.region}, but an ECR source watches pushes in the pipeline's account and region (${here.account}/${here.region})`,
        'watch a repository of the pipeline\'s account and region (replicate images there with ECR replication), or start the pipeline from the account that pushes');
    }
    // The L2 action starts the pipeline on a successful push of exactly this tag (an EventBridge rule).
    return {
      action: new actions.EcrSourceAction({
        actionName: this.actionName,
        repository: this.repository,
        imageTag: this.tag,
        output: this.output,
        variablesNamespace: this.variablesNamespace,
      }),
    };
  }
}

/** Why the repository keeps the tag from moving to a new image, or undefined if it lets it. */
function tagMutability(repository: ecr.IRepository, tag: string): string | undefined {
  const cfn = repository.node.defaultChild;
  if (!(cfn instanceof ecr.CfnRepository) || !isConcrete(tag)) return undefined;
  const stack = Stack.of(cfn);
  const mode = stack.resolve(cfn.imageTagMutability);
  if (mode === undefined || Token.isUnresolved(mode)) return undefined;
  const filters = (stack.resolve(cfn.imageTagMutabilityExclusionFilters) ?? []) as Array<Record<string, string>>;
  const excluded = filters.some((f) => wildcard(String(f.imageTagMutabilityExclusionFilterValue ?? f.ImageTagMutabilityExclusionFilterValue ?? '')).test(tag));
  const fixed = mode === 'IMMUTABLE' || (mode === 'IMMUTABLE_WITH_EXCLUSION' && !excluded) || (mode === 'MUTABLE_WITH_EXCLUSION' && excluded);
  return fixed ? `keeps tag '${tag}' on the first image pushed with it (${mode}), so the source would start the pipeline once` : undefined;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}
