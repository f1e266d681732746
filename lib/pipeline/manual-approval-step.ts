import { Duration, Lazy } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../core/step';
import { ACTION_NAME, checkName } from '../private/names';
import { ACTION_CONFIGURATION_VALUE, APPROVAL_TIMEOUT_MINUTES, TOPIC_DISPLAY_NAME } from '../private/limits';
import { Problems, checkMinutes, isConcrete, fail, verbatim } from '../private/validation';
import { checkArgs, constructorOf } from '../private/shapes';

/** Props of a `ManualApprovalStep`. */
export interface ManualApprovalStepProps {
  /**
   * Email addresses notified when the approval is waiting. Each gets an SNS subscription to
   * confirm.
   *
   * @default - no email
   */
  readonly notifyEmails?: string[];

  /**
   * The SNS topic to notify.
   *
   * @default - a KMS-encrypted, SSL-only topic is created when `notifyEmails` is given
   */
  readonly topic?: sns.ITopic;

  /**
   * The KMS key that encrypts the created topic.
   *
   * @default - a key of its own (rotation on), so the approval's role never needs the artifact key
   */
  readonly topicKey?: kms.IKey;

  /**
   * URL the reviewer opens to review the change (may contain variable references, e.g.
   * `https://github.com/org/repo/commit/#{Source.CommitId}`).
   *
   * @default - no review URL
   */
  readonly reviewUrl?: string;

  /**
   * Text shown to the reviewer: at most 1,000 characters (may contain variable references).
   *
   * @default - no comment
   */
  readonly comment?: string;

  /**
   * How long the approval waits before it fails: 5 minutes to 86,400 minutes (60 days).
   *
   * @default - CodePipeline's default of 7 days
   */
  readonly timeout?: Duration;
}

/**
 * A manual approval: the pipeline waits until a person approves or rejects, notified by SNS.
 */
export class ManualApprovalStep implements IStep {
  public readonly stepName: string;
  /** An approval waits for a person: its time is reported apart from the run time. */
  public readonly estimate?: StepEstimate = { minutes: 0, waitsForPerson: true };
  private readonly props: ManualApprovalStepProps;
  private bound?: { pipeline: codepipeline.IPipeline; stageName: string; topic?: sns.ITopic; topicKey?: kms.IKey };

  /** @param name the step's name, used as its action name */
  constructor(name: string, props: ManualApprovalStepProps = {}) {
    checkArgs(constructorOf(new.target), [name, props], `${new.target.name} '${name}'`);
    const problems = new Problems(`ManualApprovalStep '${name}'`);
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    (props.notifyEmails ?? []).forEach((email, i) => {
      if (isConcrete(email) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        problems.add(`notifyEmails[${i}]`, email, 'is not an email address', 'give an address such as release-team@example.com');
      }
    });
    if (props.notifyEmails !== undefined && props.notifyEmails.length === 0) {
      problems.add('notifyEmails', props.notifyEmails, 'is an empty list', 'give at least one address, or remove notifyEmails');
    }
    if (isConcrete(props.reviewUrl) && !/^https?:\/\/\S+$/.test(props.reviewUrl)) {
      problems.add('reviewUrl', props.reviewUrl, 'is not an http(s) URL', 'give a URL starting with https://');
    }
    if (isConcrete(props.reviewUrl) && props.reviewUrl.length > ACTION_CONFIGURATION_VALUE.max) {
      problems.add('reviewUrl', props.reviewUrl, 'is longer than 1,000 characters (CodePipeline limit on action configuration values)', 'shorten the URL');
    }
    if (isConcrete(props.comment) && props.comment.length > ACTION_CONFIGURATION_VALUE.max) {
      problems.add('comment', props.comment, `is longer than ${ACTION_CONFIGURATION_VALUE.max} characters (CodePipeline limit on action configuration values)`, 'shorten the comment and link to details with reviewUrl');
    }
    if (props.topic && props.topicKey) {
      problems.add('topicKey', 'a key', 'applies only to the topic the step creates', 'encrypt your own topic with your key, or pass only topicKey');
    }
    checkMinutes(problems, 'timeout', props.timeout, APPROVAL_TIMEOUT_MINUTES, 'use Duration.minutes(n), Duration.hours(n) or Duration.days(n) in that range');
    problems.throwIfAny();
    this.stepName = name;
    this.props = props;
  }

  /** The topic the approval notifies, once the step is placed in a pipeline (if any). */
  public get topic(): sns.ITopic | undefined {
    return this.bound?.topic ?? this.props.topic;
  }

  /** The key encrypting the topic the step created (if it created one). */
  public get topicKey(): kms.IKey | undefined {
    return this.bound?.topicKey;
  }

  /**
   * Lets `grantee` approve or reject this approval, and nothing else: `codepipeline:PutApprovalResult`
   * on exactly this action's ARN, and read access to this pipeline (`GetPipeline`,
   * `GetPipelineState` for the approval token, `GetPipelineExecution`) so the approval can be
   * given from the console page the notification links to. May be called before or after the step
   * is added to a pipeline.
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    checkArgs('ManualApprovalStep#grantApprove', [grantee]);
    const pipelineArn = Lazy.string({ produce: () => this.requireBound().pipeline.pipelineArn });
    const actionArn = Lazy.string({
      produce: () => {
        const b = this.requireBound();
        return `${b.pipeline.pipelineArn}/${b.stageName}/${this.stepName}`;
      },
    });
    const approve = iam.Grant.addToPrincipal({ grantee, actions: ['codepipeline:PutApprovalResult'], resourceArns: [actionArn] });
    const read = iam.Grant.addToPrincipal({ grantee, actions: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineState', 'codepipeline:GetPipelineExecution'], resourceArns: [pipelineArn] });
    return approve.combine(read);
  }

  public bind(scope: Construct, context: StepContext): StepActions {
    if (this.props.timeout && context.pipelineType !== codepipeline.PipelineType.V2) {
      fail(`ManualApprovalStep '${this.stepName}'`, 'timeout', verbatim(`a ${context.pipelineType} pipeline`), 'action timeouts need a V2 pipeline', 'remove the timeout (V1 approvals wait 7 days), or use a V2 pipeline');
    }
    let topic = this.props.topic;
    let topicKey: kms.IKey | undefined;
    if (!topic && this.props.notifyEmails) {
      topicKey = this.props.topicKey ?? new kms.Key(scope, 'TopicKey', {
        enableKeyRotation: true,
        description: `Encrypts the notifications of approval ${context.stageName}/${this.stepName}`,
      });
      topic = new sns.Topic(scope, 'Topic', {
        displayName: `Approval ${context.stageName}/${this.stepName}`.slice(0, TOPIC_DISPLAY_NAME.max),
        masterKey: topicKey,
        enforceSSL: true,
      });
    }
    this.bound = { pipeline: context.pipeline, stageName: context.stageName, topic, topicKey };
    return {
      actions: [
        new actions.ManualApprovalAction({
          actionName: this.stepName,
          runOrder: context.runOrder,
          notificationTopic: topic,
          notifyEmails: this.props.notifyEmails,
          externalEntityLink: this.props.reviewUrl,
          additionalInformation: this.props.comment,
          timeout: this.props.timeout,
        }),
      ],
    };
  }

  private requireBound() {
    if (!this.bound) {
      fail(`ManualApprovalStep '${this.stepName}'`, 'grantApprove', verbatim('a step in no pipeline'), 'was called, but the step was never added to a pipeline, so its action ARN is unknown', 'add the step to a stage (pipeline.addStage(...)) or remove the grant');
    }
    return this.bound;
  }
}
