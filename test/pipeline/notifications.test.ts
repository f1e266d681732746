import { Match } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as notifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { newStack, pipelineWith } from '../util';

describe('addNotifications', () => {
  test('failed, approval needed and succeeded executions go to an encrypted topic and emails', () => {
    const { pipeline, template } = pipelineWith();
    const n = pipeline.addNotifications({ emails: ['release@example.com'] });
    const t = template();
    t.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      DetailType: 'FULL',
      EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-manual-approval-needed', 'codepipeline-pipeline-pipeline-execution-succeeded'],
      Resource: Match.anyValue(),
      Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: Match.stringLikeRegexp('NotificationsTopic') } }],
    });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('NotificationsTopicKey'), 'Arn'] } });
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: [Match.objectLike({ Action: 'kms:*' }), { Effect: 'Allow', Principal: { Service: 'codestar-notifications.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } } }] },
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'codestar-notifications.amazonaws.com' }, Action: 'sns:Publish', Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } })]) } });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'release@example.com' });
    expect(n.topicKey).toBeDefined();
  });

  test('a passed-in topic, chosen events and basic detail', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Ops');
    const { pipeline, template } = pipelineWith({}, stack);
    pipeline.addNotifications({ topic, events: [codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED], detail: notifications.DetailType.BASIC });
    template().hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      DetailType: 'BASIC', EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed'], Targets: [{ TargetType: 'SNS', TargetAddress: { Ref: Match.stringLikeRegexp('^Ops') } }],
    });
  });

  test('several sets of notifications: failures to one topic, approvals to emails, each with its own rule', () => {
    const stack = newStack();
    const ops = new sns.Topic(stack, 'Ops');
    const { pipeline, template } = pipelineWith({}, stack);
    pipeline.addNotifications({ topic: ops, events: [codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED] });
    pipeline.addNotifications({ emails: ['approvers@example.com'], events: [codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED] });
    const rules = Object.values(template().findResources('AWS::CodeStarNotifications::NotificationRule')).map((r) => r.Properties.EventTypeIds);
    expect(rules).toEqual([['codepipeline-pipeline-pipeline-execution-failed'], ['codepipeline-pipeline-manual-approval-needed']]);
  });

  test('fails when emails are invalid, given with a topic, or events are empty', () => {
    const stack = newStack();
    const { pipeline } = pipelineWith({}, stack);
    expect(() => pipeline.addNotifications({ emails: ['nope'] })).toThrow(/notifications has 1 problem:\n {2}- emails\[0\]: is not an email address/);
    expect(() => pipeline.addNotifications({ topic: new sns.Topic(stack, 'T'), emails: ['a@b.co'] })).toThrow(/emails: only subscribe to the topic the pipeline creates/);
    expect(() => pipeline.addNotifications({ events: [] })).toThrow(/events: is an empty list/);
  });
});
