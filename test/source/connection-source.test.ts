import { CfnParameter } from 'aws-cdk-lib';
import { Template, Match } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { BuildStep, CodeConnection, ConnectionProvider, DeliveryPipeline, Source } from '../../lib';
import { CONNECTION_ARN, build, newStack, pipelineWith } from '../util';

const LEGACY_ARN = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

function sourceAction(t: Template) {
  const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0];
  return pipeline.Properties.Stages[0].Actions[0];
}

describe('ConnectionSource', () => {
  test('checks out owner/repo at main, detecting changes, with a namespace', () => {
    const t = pipelineWith({ source: Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN }) }).template();
    expect(sourceAction(t)).toMatchObject({
      Name: 'Source',
      Namespace: 'Source',
      ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection' },
      Configuration: { ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'my-org/shop', BranchName: 'main', DetectChanges: true },
      OutputArtifacts: [{ Name: 'Source_Source' }],
    });
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', { Triggers: Match.absent() });
  });

  test('typed variable references use the namespace', () => {
    const source = Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN, variablesNamespace: 'Git' });
    expect(source.variables).toEqual({
      commitId: '#{Git.CommitId}',
      commitMessage: '#{Git.CommitMessage}',
      branchName: '#{Git.BranchName}',
      fullRepositoryName: '#{Git.FullRepositoryName}',
      authorDate: '#{Git.AuthorDate}',
      connectionArn: '#{Git.ConnectionArn}',
    });
  });

  test('grants codeconnections:UseConnection on exactly a codeconnections ARN', () => {
    pipelineWith().template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: CONNECTION_ARN }]) },
    });
  });

  test('grants codestar-connections:UseConnection on a legacy ARN, and no codeconnections action', () => {
    const t = pipelineWith({ source: Source.connection('my-org/shop', { connectionArn: LEGACY_ARN }) }).template();
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'codestar-connections:UseConnection', Resource: LEGACY_ARN })]) },
    });
    expect(JSON.stringify(t.toJSON())).not.toContain('codeconnections:UseConnection');
  });

  test('branch, action name and artifact name are configurable', () => {
    const t = pipelineWith({ source: Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN, branch: 'release/1.x', actionName: 'GitHub', outputArtifactName: 'Code' }) }).template();
    expect(sourceAction(t)).toMatchObject({ Name: 'GitHub', Namespace: 'GitHub', Configuration: { BranchName: 'release/1.x' }, OutputArtifacts: [{ Name: 'Code' }] });
  });

  test('GitLab groups with subgroups are accepted', () => {
    const t = pipelineWith({ source: Source.connection('group/sub/shop', { connectionArn: CONNECTION_ARN }) }).template();
    expect(sourceAction(t).Configuration.FullRepositoryId).toBe('group/sub/shop');
  });

  test('triggerOnPush false turns change detection off', () => {
    const t = pipelineWith({ source: Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN, triggerOnPush: false }) }).template();
    expect(sourceAction(t).Configuration.DetectChanges).toBe(false);
  });

  test('filePaths is a push filter on the branch', () => {
    pipelineWith({ source: Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN, branch: 'trunk', filePaths: { excludes: ['docs/**', '**/*.md'] } }) })
      .template().hasResourceProperties('AWS::CodePipeline::Pipeline', {
        Triggers: [{
          ProviderType: 'CodeStarSourceConnection',
          GitConfiguration: {
            SourceActionName: 'Source',
            Push: [{ Branches: { Includes: ['trunk'] }, FilePaths: { Excludes: ['docs/**', '**/*.md'] } }],
          },
        }],
      });
  });

  test('push filters on tags and branches, and pull-request filters, are rendered', () => {
    const source = Source.connection('my-org/shop', {
      connectionArn: CONNECTION_ARN,
      pushFilters: [
        { tags: { includes: ['v*'], excludes: ['v*-rc*'] } },
        { branches: { includes: ['main', 'release/*'] }, filePaths: { includes: ['src/**'] } },
      ],
      pullRequestFilters: [{ branches: { includes: ['main'] }, events: [codepipeline.GitPullRequestEvent.OPEN, codepipeline.GitPullRequestEvent.UPDATED], filePaths: { excludes: ['docs/**'] } }],
    });
    pipelineWith({ source }).template().hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Triggers: [{
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: {
          SourceActionName: 'Source',
          Push: [
            { Tags: { Includes: ['v*'], Excludes: ['v*-rc*'] } },
            { Branches: { Includes: ['main', 'release/*'] }, FilePaths: { Includes: ['src/**'] } },
          ],
          PullRequest: [{ Branches: { Includes: ['main'] }, Events: ['OPEN', 'UPDATED'], FilePaths: { Excludes: ['docs/**'] } }],
        },
      }],
    });
  });

  test('fullClone outputs a git clone and lets the build role use the connection', () => {
    const stack = newStack();
    const source = Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN, fullClone: true });
    const b = build();
    new DeliveryPipeline(stack, 'Pipeline', { source, buildStep: b });
    const t = Template.fromStack(stack);
    expect(sourceAction(t).Configuration.OutputArtifactFormat).toBe('CODEBUILD_CLONE_REF');
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('StagesBuildRole') }],
      PolicyDocument: { Statement: Match.arrayWith([{ Sid: 'CloneThroughConnection', Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: CONNECTION_ARN }]) },
    });
  });

  test('without fullClone the build role cannot use the connection', () => {
    const t = pipelineWith().template();
    const policies = t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('StagesBuildRole') }] } });
    expect(JSON.stringify(policies)).not.toContain('UseConnection');
  });

  test('a connection created in the app gets the codeconnections action only (IAM needs the prefix of its ARN)', () => {
    const stack = newStack();
    const connection = new CodeConnection(stack, 'GitHub', { connectionName: 'github' });
    new DeliveryPipeline(stack, 'Pipeline', { source: Source.connection('my-org/shop', { connectionArn: connection.connectionArn }), buildStep: new BuildStep('Build', { commands: ['make'] }) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'codeconnections:UseConnection', Resource: { 'Fn::GetAtt': [Match.anyValue(), 'ConnectionArn'] } })]) },
    });
    expect(JSON.stringify(t.toJSON())).not.toContain('codestar-connections:UseConnection');
  });

  test('a connection ARN from a parameter gets both UseConnection actions (it could be either)', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'ConnectionArn').valueAsString;
    new DeliveryPipeline(stack, 'Pipeline', { source: Source.connection('my-org/shop', { connectionArn: arn }), buildStep: new BuildStep('Build', { commands: ['make'] }) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'] })]) },
    });
  });
});

describe('CodeConnection', () => {
  test('creates a pending GitHub connection by default', () => {
    const stack = newStack();
    const c = new CodeConnection(stack, 'GitHub', { connectionName: 'github' });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeConnections::Connection', { ConnectionName: 'github', ProviderType: 'GitHub' });
    expect(c.connectionArn).toMatch(/TOKEN/);
  });

  test.each([ConnectionProvider.GITLAB, ConnectionProvider.BITBUCKET])('creates a %s connection', (provider) => {
    const stack = newStack();
    new CodeConnection(stack, 'C', { connectionName: 'c', provider });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeConnections::Connection', { ProviderType: provider });
  });

  test('self-managed providers connect through a host', () => {
    const stack = newStack();
    const hostArn = 'arn:aws:codeconnections:us-east-1:111111111111:host/ghes-1234';
    new CodeConnection(stack, 'C', { connectionName: 'ghes', provider: ConnectionProvider.GITHUB_ENTERPRISE_SERVER, hostArn });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeConnections::Connection', { HostArn: hostArn, ProviderType: Match.absent() });
  });

  test('fails when the connection name is empty or longer than 32 characters', () => {
    expect(() => new CodeConnection(newStack(), 'C', { connectionName: 'x'.repeat(33) })).toThrow(/connectionName: must be 1 to 32 characters long/);
    expect(() => new CodeConnection(newStack(), 'C', { connectionName: '' })).toThrow(/connectionName: must be 1 to 32 characters long/);
  });

  test('fails when a self-managed provider has no host', () => {
    expect(() => new CodeConnection(newStack(), 'C', { connectionName: 'c', provider: ConnectionProvider.GITLAB_SELF_MANAGED })).toThrow(/hostArn: is required for the GitLabSelfManaged provider/);
  });

  test('fails when a cloud provider is given a host', () => {
    expect(() => new CodeConnection(newStack(), 'C', { connectionName: 'c', hostArn: 'arn:aws:codeconnections:us-east-1:111111111111:host/x' })).toThrow(/hostArn: does not apply to the GitHub provider/);
  });
});

describe('ConnectionSource errors', () => {
  const arn = CONNECTION_ARN;
  test('fails when the branch is empty', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, branch: '' })).toThrow(/ConnectionSource 'Source' \(my-org\/shop\) has 1 problem:\n {2}- branch: is empty \(got ""\)\. Fix: use a git branch name/);
  });

  test('fails when the branch is not a git branch name', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, branch: 'feature x' })).toThrow(/branch: is not a valid git branch name \(got "feature x"\)/);
  });

  test('fails when the repository is not owner/name', () => {
    expect(() => Source.connection('shop', { connectionArn: arn })).toThrow(/repository: is not of the form 'owner\/name' \(got "shop"\)/);
  });

  test('fails when the connection ARN is missing', () => {
    expect(() => Source.connection('my-org/shop', {} as never)).toThrow(/connectionArn: is required/);
  });

  test('fails when the connection ARN is not a connection ARN', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: 'arn:aws:s3:::bucket' })).toThrow(/connectionArn: is not a CodeConnections connection ARN \(got "arn:aws:s3:::bucket"\)/);
  });

  test('fails when the action name breaks the naming rules', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, actionName: 'Git Hub' })).toThrow(/actionName: is not a valid action name \(got "Git Hub"\)/);
  });

  test('fails when the namespace breaks the naming rules', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, variablesNamespace: 'Git.Hub' })).toThrow(/variablesNamespace: is not a valid variables namespace name \(got "Git.Hub"\)/);
  });

  test('fails when the artifact name has a dot', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, outputArtifactName: 'src.zip' })).toThrow(/outputArtifactName: is not a valid artifact name/);
  });

  test('fails when there are more than 3 push filters', () => {
    const f = { branches: { includes: ['main'] } };
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pushFilters: [f, f, f, f] })).toThrow(/pushFilters: CodePipeline allows at most 3 push filters per trigger \(got "4 filters"\)/);
  });

  test('fails when there are more than 3 pull-request filters', () => {
    const f = { branches: { includes: ['main'] } };
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pullRequestFilters: [f, f, f, f] })).toThrow(/pullRequestFilters: CodePipeline allows at most 3 pull-request filters/);
  });

  test('fails when a pattern list has more than 8 patterns', () => {
    const nine = Array.from({ length: 9 }, (_, i) => `dir${i}/**`);
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, filePaths: { excludes: nine } })).toThrow(/filePaths\[0\]\.filePaths\.excludes: has 9 patterns; CodePipeline allows at most 8/);
  });

  test('fails when a pattern list is empty', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pushFilters: [{ branches: { includes: [] } }] })).toThrow(/pushFilters\[0\]\.branches\.includes: is an empty list \(CloudFormation rejects empty trigger filter lists\)/);
  });

  test('fails when a pattern is longer than 255 characters', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pushFilters: [{ branches: { includes: ['b'.repeat(256)] } }] })).toThrow(/pushFilters\[0\]\.branches\.includes\[0\]: must be 1 to 255 characters long/);
  });

  test('fails when a pattern is empty', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pushFilters: [{ tags: { includes: [''] } }] })).toThrow(/pushFilters\[0\]\.tags\.includes\[0\]: must be 1 to 255 characters long \(got ""\)/);
  });

  test('fails when a pattern set has neither includes nor excludes', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, filePaths: {} })).toThrow(/filePaths\[0\]\.filePaths: has neither includes nor excludes/);
  });

  test('fails when the filter list is empty', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pushFilters: [] })).toThrow(/pushFilters: is an empty list/);
  });

  test('fails when a push filter has neither branches nor tags', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pushFilters: [{ filePaths: { includes: ['src/**'] } }] }))
      .toThrow(/pushFilters\[0\]: has neither branches nor tags[\s\S]*pushFilters\[0\]\.filePaths: is given without branches/);
  });

  test('fails when a pull-request filter has no branches', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pullRequestFilters: [{} as never] })).toThrow(/pullRequestFilters\[0\]\.branches: is required on a pull-request filter/);
  });

  test('fails when pull-request events are empty or repeated', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pullRequestFilters: [{ branches: { includes: ['main'] }, events: [] }] })).toThrow(/events: is an empty list/);
    const open = codepipeline.GitPullRequestEvent.OPEN;
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, pullRequestFilters: [{ branches: { includes: ['main'] }, events: [open, open] }] })).toThrow(/events: lists an event twice/);
  });

  test('fails when filePaths and pushFilters are both given', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, filePaths: { includes: ['a'] }, pushFilters: [{ branches: { includes: ['main'] } }] })).toThrow(/filePaths: is shorthand for one push filter on branch, and pushFilters is given too/);
  });

  test('fails when filters are given with triggerOnPush false', () => {
    expect(() => Source.connection('my-org/shop', { connectionArn: arn, triggerOnPush: false, filePaths: { includes: ['a'] } })).toThrow(/triggerOnPush: turns change detection off, but trigger filters are given/);
  });
});
