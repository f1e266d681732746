import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { CodeCommitSource, DeliveryPipeline, Source } from '../../lib';
import { build, importedRepository, newStack } from '../util';

function synth(source: CodeCommitSource, stack = newStack()) {
  new DeliveryPipeline(stack, 'Pipeline', { source, buildStep: build() });
  return Template.fromStack(stack);
}

describe('CodeCommitSource', () => {
  test('creates a repository with a name and description', () => {
    const source = Source.codeCommit({ repositoryName: 'shop', repositoryDescription: 'The shop' });
    const t = synth(source);
    t.hasResourceProperties('AWS::CodeCommit::Repository', { RepositoryName: 'shop', RepositoryDescription: 'The shop' });
    expect(source.repository).toBeInstanceOf(codecommit.Repository);
  });

  test('keeps the repository it creates when it leaves the stack (the code and its history), unless told otherwise', () => {
    synth(Source.codeCommit({ repositoryName: 'shop' })).hasResource('AWS::CodeCommit::Repository', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    synth(Source.codeCommit({ repositoryName: 'scratch', repositoryRemovalPolicy: RemovalPolicy.DESTROY })).hasResource('AWS::CodeCommit::Repository', { DeletionPolicy: 'Delete' });
  });

  test('fails when a removal policy is given for an imported repository, or is one a repository cannot have', () => {
    const stack = newStack();
    expect(() => Source.codeCommit({ repository: importedRepository(stack), repositoryRemovalPolicy: RemovalPolicy.DESTROY }))
      .toThrow(/repositoryRemovalPolicy: only applies to a repository the source creates \(got "destroy"\)/);
    expect(() => Source.codeCommit({ repositoryName: 'shop', repositoryRemovalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow(/repositoryRemovalPolicy: is not a policy a CodeCommit repository supports \(it has no snapshots\) \(got "snapshot"\)\. Fix: use RemovalPolicy\.RETAIN/);
  });

  test('uses an imported repository and branch main, without polling', () => {
    const stack = newStack();
    const t = synth(Source.codeCommit({ repository: importedRepository(stack) }), stack);
    t.resourceCountIs('AWS::CodeCommit::Repository', 0);
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Source',
        Actions: [Match.objectLike({
          ActionTypeId: Match.objectLike({ Provider: 'CodeCommit' }),
          Namespace: 'Source',
          Configuration: { RepositoryName: 'shop', BranchName: 'main', PollForSourceChanges: false },
        })],
      })]),
    });
  });

  test('the role the EventBridge rule assumes to start the pipeline trusts only rules of this account', () => {
    const stack = newStack();
    synth(Source.codeCommit({ repository: importedRepository(stack) }), stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{
        Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:events:us-east-1:111111111111:rule/*' },
        },
      }] },
    });
  });

  test('detects changes with an EventBridge rule on the branch', () => {
    const stack = newStack();
    synth(Source.codeCommit({ repository: importedRepository(stack), branch: 'trunk' }), stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.codecommit'], detail: { referenceName: ['trunk'] } },
    });
  });

  test('typed variable references', () => {
    const source = Source.codeCommit({ repositoryName: 'shop' });
    expect(source.variables.commitId).toBe('#{Source.CommitId}');
    expect(source.variables.branchName).toBe('#{Source.BranchName}');
    expect(source.variables.repositoryName).toBe('#{Source.RepositoryName}');
    expect(source.variables.committerDate).toBe('#{Source.CommitterDate}');
  });

  test('fails when the created repository is read before the pipeline exists', () => {
    expect(() => Source.codeCommit({ repositoryName: 'shop' }).repository).toThrow(/the repository 'shop' is created when the source is added to a DeliveryPipeline/);
  });

  test('fails when the branch is empty', () => {
    expect(() => Source.codeCommit({ repositoryName: 'shop', branch: '' })).toThrow(/CodeCommitSource 'Source' has 1 problem:\n {2}- branch: is empty/);
  });

  test('fails when neither repository nor repositoryName is given', () => {
    expect(() => Source.codeCommit({})).toThrow(/repository: no repository is given/);
  });

  test('fails when both repository and repositoryName are given', () => {
    const stack = newStack();
    expect(() => Source.codeCommit({ repository: importedRepository(stack), repositoryName: 'shop' })).toThrow(/repositoryName: is given together with repository/);
  });

  test('fails when the repository name breaks CodeCommit rules', () => {
    expect(() => Source.codeCommit({ repositoryName: 'shop.git' })).toThrow(/repositoryName: is not a valid CodeCommit repository name \(got "shop.git"\)/);
    expect(() => Source.codeCommit({ repositoryName: 'my shop' })).toThrow(/is not a valid CodeCommit repository name/);
  });

  test('fails when a description is given for an imported repository', () => {
    const stack = newStack();
    expect(() => Source.codeCommit({ repository: importedRepository(stack), repositoryDescription: 'x' })).toThrow(/repositoryDescription: only applies to a repository the source creates/);
  });

  test('fails when the description is longer than 1,000 characters', () => {
    expect(() => Source.codeCommit({ repositoryName: 'shop', repositoryDescription: 'd'.repeat(1001) })).toThrow(/repositoryDescription: is longer than CodeCommit allows/);
  });

  test('fails when trigger filters are passed to a CodeCommit source', () => {
    const props = { repositoryName: 'shop', filePaths: { includes: ['src/**'] } } as never;
    expect(() => Source.codeCommit(props)).toThrow(/filePaths: is not a prop of CodeCommitSourceProps \(got \{"includes":\["src\/\*\*"\]\}\)\. Fix: remove it: trigger filters apply to connection sources only: use Source\.connection/);
  });
});
