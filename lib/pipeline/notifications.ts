import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as notifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Problems, isConcrete } from '../private/validation';

/** Options of `DeliveryPipeline.addNotifications`. */
export interface PipelineNotificationOptions {
  /**
   * The topic notified.
   *
   * @default - a topic is created: SSL-only, encrypted with a KMS key of its own whose policy lets
   * CodeStar Notifications (through SNS only) use it
   */
  readonly topic?: sns.ITopic;

  /**
   * Email addresses subscribed to the created topic (each confirms once).
   *
   * @default - none
   */
  readonly emails?: string[];

  /**
   * Other targets, e.g. an AWS Chatbot Slack or Teams channel configuration.
   *
   * @default - none
   */
  readonly targets?: notifications.INotificationRuleTarget[];

  /**
   * The pipeline events notified.
   *
   * @default - execution failed, manual approval needed, execution succeeded
   */
  readonly events?: codepipeline.PipelineNotificationEvents[];

  /**
   * How much the notification says.
   *
   * @default notifications.DetailType.FULL
   */
  readonly detail?: notifications.DetailType;
}

/** What `addNotifications` created. */
export interface PipelineNotifications {
  /** The notification rule. */
  readonly rule: notifications.INotificationRule;
  /** The topic notified. */
  readonly topic: sns.ITopic;
  /** The key of the created topic (none for a topic passed in). */
  readonly topicKey?: kms.IKey;
}

export const DEFAULT_EVENTS = [
  codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
  codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
  codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
];

/** Creates the notification rule (and topic) of a pipeline. */
/**
 * @param ruleId the id of the rule under the L2 pipeline ('Rule' for the first set of notifications:
 *   the L2's `notifyOn` creates the rule there, so each set needs its own)
 */
export function createNotifications(scope: Construct, pipeline: codepipeline.IPipeline, props: PipelineNotificationOptions, subject: string, ruleId: string = 'Rule'): PipelineNotifications {
  const problems = new Problems(subject);
  (props.emails ?? []).forEach((e, i) => {
    if (isConcrete(e) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) problems.add(`emails[${i}]`, e, 'is not an email address', 'give an address such as release-team@example.com');
  });
  if (props.topic && props.emails) problems.add('emails', props.emails, 'only subscribe to the topic the pipeline creates', 'subscribe the addresses to your topic yourself, or leave topic out');
  if (props.events && props.events.length === 0) problems.add('events', [], 'is an empty list', 'list the events to notify, or leave events out for the defaults');
  problems.throwIfAny();

  let topicKey: kms.IKey | undefined;
  let topic = props.topic;
  if (!topic) {
    topicKey = new kms.Key(scope, 'TopicKey', { enableKeyRotation: true, description: `Encrypts the notifications of ${pipeline.node.path}` });
    // CodeStar Notifications publishes to the encrypted topic, so it must use the key, through SNS only.
    topicKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('codestar-notifications.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(scope).region}.amazonaws.com` } },
    }));
    topic = new sns.Topic(scope, 'Topic', { masterKey: topicKey, enforceSSL: true, displayName: 'Pipeline notifications' });
    for (const email of props.emails ?? []) topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
  const created = topic;
  // For the topic created here, the key policy above already lets CodeStar Notifications use the
  // key through SNS; the L2 target would add a second, unconditioned key grant.
  const target: notifications.INotificationRuleTarget = props.topic ? props.topic : {
    bindAsNotificationRuleTarget: () => {
      // Only notification rules of this account may publish (confused-deputy protection: the
      // Developer Tools console user guide, troubleshooting notifications, aws:SourceAccount).
      created.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('codestar-notifications.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [created.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
      }));
      return { targetType: 'SNS', targetAddress: created.topicArn };
    },
  };
  const rule = pipeline.notifyOn(ruleId, target, { events: props.events ?? DEFAULT_EVENTS, detailType: props.detail ?? notifications.DetailType.FULL });
  for (const target of props.targets ?? []) rule.addTarget(target);
  return { rule, topic, topicKey };
}
