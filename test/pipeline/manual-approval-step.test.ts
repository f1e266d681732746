import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ManualApprovalStep } from '../../lib';
import { newStack, pipelineWith } from '../util';

function withApproval(step: ManualApprovalStep, stack = newStack()) {
  const { pipeline, template } = pipelineWith({}, stack);
  pipeline.addStage('Release', { steps: [step] });
  return { stack, pipeline, t: template() };
}

function approvalAction(t: Template) {
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0];
  return pipeline.Properties.Stages[2].Actions[0];
}

describe('ManualApprovalStep', () => {
  test('notifies emails through a topic encrypted with a key of its own, SSL-only', () => {
    const step = new ManualApprovalStep('Approve', { notifyEmails: ['qa@example.com', 'ops@example.com'] });
    const { t } = withApproval(step);
    t.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'Approval Release/Approve', KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReleaseApproveTopicKey'), 'Arn'] } });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: 'Encrypts the notifications of approval Release/Approve' });
    expect(step.topicKey).toBeDefined();
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    t.resourceCountIs('AWS::SNS::Subscription', 2);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'qa@example.com' });
    expect(approvalAction(t)).toMatchObject({ ActionTypeId: { Category: 'Approval', Provider: 'Manual' }, Configuration: { NotificationArn: { Ref: expect.stringMatching(/ReleaseApproveTopic/) } } });
    expect(step.topic).toBeInstanceOf(sns.Topic);
  });

  test('lets the approval action publish to the topic and use its key', () => {
    const { t } = withApproval(new ManualApprovalStep('Approve', { notifyEmails: ['qa@example.com'] }));
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ReleaseApproveCodePipelineActionRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish' }), Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']) })]) },
    });
  });

  test('uses a passed-in topic and creates none', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Mine');
    const { t } = withApproval(new ManualApprovalStep('Approve', { topic }), stack);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    expect(approvalAction(t).Configuration.NotificationArn).toEqual({ Ref: expect.stringMatching(/^Mine/) });
  });

  test('without emails or topic there is no notification', () => {
    const { t } = withApproval(new ManualApprovalStep('Approve'));
    t.resourceCountIs('AWS::SNS::Topic', 0);
    expect(approvalAction(t).Configuration).toBeUndefined();
  });

  test('review URL, comment and timeout are rendered, with variable references kept', () => {
    const { t } = withApproval(new ManualApprovalStep('Approve', {
      reviewUrl: 'https://github.com/my-org/shop/commit/#{Source.CommitId}',
      comment: 'Ship #{Source.CommitId}?',
      timeout: Duration.hours(4),
    }));
    expect(approvalAction(t)).toMatchObject({
      Configuration: { ExternalEntityLink: 'https://github.com/my-org/shop/commit/#{Source.CommitId}', CustomData: 'Ship #{Source.CommitId}?' },
      TimeoutInMinutes: 240,
    });
  });

  test('grantApprove allows PutApprovalResult on exactly this action, and reading the pipeline state', () => {
    const stack = newStack();
    const step = new ManualApprovalStep('Approve');
    const approvers = new iam.Role(stack, 'Approvers', { assumedBy: new iam.AccountRootPrincipal() });
    step.grantApprove(approvers); // before the step is placed: resolved lazily
    const { t } = withApproval(step, stack);
    const pipelineArn = { 'Fn::Join': ['', ['arn:aws:codepipeline:us-east-1:111111111111:', { Ref: Match.stringLikeRegexp('^Pipeline') }]] };
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Approvers') }],
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'codepipeline:PutApprovalResult', Resource: { 'Fn::Join': ['', ['arn:aws:codepipeline:us-east-1:111111111111:', { Ref: Match.stringLikeRegexp('^Pipeline') }, '/Release/Approve']] } },
          { Effect: 'Allow', Action: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineExecution', 'codepipeline:GetPipelineState'], Resource: pipelineArn },
        ],
      },
    });
  });

  test('fails at synth when grantApprove is used on a step never placed in a pipeline', () => {
    const stack = newStack();
    const step = new ManualApprovalStep('Approve');
    step.grantApprove(new iam.Role(stack, 'Approvers', { assumedBy: new iam.AccountRootPrincipal() }));
    expect(() => Template.fromStack(stack)).toThrow(/ManualApprovalStep 'Approve' has 1 problem:\n {2}- grantApprove: was called, but the step was never added to a pipeline/);
  });

  test.each([Duration.minutes(4), Duration.days(61), Duration.seconds(90)])('fails when the timeout is %s', (timeout) => {
    expect(() => new ManualApprovalStep('Approve', { timeout })).toThrow(/ManualApprovalStep 'Approve' has 1 problem:\n {2}- timeout: must be a whole number of minutes from 5 to 86400 \(60 days\)/);
  });

  test('fails when an email address is invalid', () => {
    expect(() => new ManualApprovalStep('Approve', { notifyEmails: ['qa@example.com', 'not-an-email'] })).toThrow(/notifyEmails\[1\]: is not an email address \(got "not-an-email"\)/);
  });

  test('fails when notifyEmails is empty', () => {
    expect(() => new ManualApprovalStep('Approve', { notifyEmails: [] })).toThrow(/notifyEmails: is an empty list/);
  });

  test('fails when the review URL is not http(s)', () => {
    expect(() => new ManualApprovalStep('Approve', { reviewUrl: 'github.com/x' })).toThrow(/reviewUrl: is not an http\(s\) URL/);
  });

  test('fails when the comment is longer than 1,000 characters', () => {
    expect(() => new ManualApprovalStep('Approve', { comment: 'x'.repeat(1001) })).toThrow(/comment: is longer than 1000 characters \(CodePipeline limit on action configuration values\) \(got "x{57}\.\.\." \(1001 characters\)\)/);
  });

  test('a passed-in topic key encrypts the created topic', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'NotifyKey');
    const { t } = withApproval(new ManualApprovalStep('Approve', { notifyEmails: ['qa@example.com'], topicKey: key }), stack);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotifyKey'), 'Arn'] } });
  });

  test('long stage and step names are cut to the 100-character topic display name', () => {
    const name = 'A'.repeat(100);
    const { t } = withApproval(new ManualApprovalStep(name, { notifyEmails: ['qa@example.com'] }));
    t.hasResourceProperties('AWS::SNS::Topic', { DisplayName: `Approval Release/${name}`.slice(0, 100) });
  });

  test('fails when topicKey is given with a topic', () => {
    const stack = newStack();
    expect(() => new ManualApprovalStep('Approve', { topic: new sns.Topic(stack, 'T'), topicKey: new kms.Key(stack, 'K') })).toThrow(/topicKey: applies only to the topic the step creates/);
  });

  test('fails when a timeout is set on a V1 pipeline', () => {
    const { pipeline } = pipelineWith({ pipelineType: codepipeline.PipelineType.V1 });
    expect(() => pipeline.addStage('Release', { steps: [new ManualApprovalStep('Approve', { timeout: Duration.hours(1) })] }))
      .toThrow(/timeout: action timeouts need a V2 pipeline \(got a V1 pipeline\)/);
  });

  test('fails when the name breaks the naming rules', () => {
    expect(() => new ManualApprovalStep('')).toThrow(/name: is not a valid action name \(got ""\)/);
  });
});
