import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Aspects, CfnResource, Duration, IPolicyValidationContext, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { NagSuppressions } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { DeliveryChecks, NagAcknowledgements } from '../../lib';
import { ENV, newApp } from '../util';
import { CDK_NAG_2 } from '../util/nag';

/** Tests that use cdk-nag 2's NagSuppressions (absent from cdk-nag 3, which CI's compatibility job installs). */
const withNag2 = CDK_NAG_2 ? test : test.skip;

// DeliveryChecks needs no cdk-nag: it runs as an Aspect (the cdk-nag 2 way) and as a validation
// plugin (the cdk-nag 3 way), and honours both ways of suppressing a finding.

/** A stack with one project CodeBuild would reject: a 3,000-minute timeout (at most 2,160). */
function overlong(app: App = newApp()): { app: App; stack: Stack; project: codebuild.Project } {
  const stack = new Stack(app, 'Raw', { env: ENV });
  const project = new codebuild.Project(stack, 'Build', {
    buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: ['make'] } } }),
    timeout: Duration.minutes(3000),
  });
  return { app, stack, project };
}
const FINDING = 'Delivery-CodeBuildTimeouts[Timeout::3000]';

/** The construct tree as aws-cdk-lib versions that have it pass it to validation plugins. */
const contextOf = (root: IConstruct) => ({ templatePaths: [], appConstruct: root } as unknown as IPolicyValidationContext);

describe('as an Aspect', () => {
  const errors = (stack: Stack) => Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('^Delivery-')).map((m) => String(m.entry.data));

  test('reports a finding as an error annotation, with the explanation and fix when verbose', () => {
    const { stack } = overlong();
    Aspects.of(stack).add(new DeliveryChecks({ verbose: true }));
    expect(errors(stack)).toEqual([expect.stringMatching(/^Delivery-CodeBuildTimeouts\[Timeout::3000\]: The build timeout is outside 5 to 2,160 minutes.*CreateProject API reference\)\. Fix: use a build timeout/)]);
  });

  withNag2('leaves out a finding suppressed with NagSuppressions (cdk-nag 2), for the rule or for the finding', () => {
    for (const suppression of [{ id: 'Delivery-CodeBuildTimeouts', reason: 'a test of suppressions' }, { id: 'Delivery-CodeBuildTimeouts', reason: 'a test of suppressions', appliesTo: ['Timeout::3000'] }]) {
      const { stack, project } = overlong();
      NagSuppressions.addResourceSuppressions(project, [suppression]);
      Aspects.of(stack).add(new DeliveryChecks());
      expect(errors(stack)).toEqual([]);
    }
  });

  withNag2('a suppression for another finding does not hide this one', () => {
    const { stack, project } = overlong();
    NagSuppressions.addResourceSuppressions(project, [{ id: 'Delivery-CodeBuildTimeouts', reason: 'a test of suppressions', appliesTo: ['QueuedTimeout::600'] }]);
    Aspects.of(stack).add(new DeliveryChecks());
    expect(errors(stack)).toHaveLength(1);
  });

  test('leaves out a finding acknowledged the cdk-nag 3 way, on the resource or a construct above it', () => {
    for (const id of ['Delivery-CodeBuildTimeouts', FINDING]) {
      const { stack } = overlong();
      Validations.of(stack).acknowledge({ id, reason: 'a test of acknowledgements' });
      Aspects.of(stack).add(new DeliveryChecks());
      expect(errors(stack)).toEqual([]);
    }
  });
});

describe('as a validation plugin', () => {
  test('reports each finding as an error violation naming the construct, with the fix', () => {
    const { app } = overlong();
    const report = new DeliveryChecks().validate(contextOf(app));
    expect(report.success).toBe(false);
    expect(report.violations).toEqual([expect.objectContaining({
      ruleName: FINDING,
      severity: 'error',
      fix: expect.stringMatching(/^use a build timeout of 5 to 2,160 minutes/),
      violatingResources: [{ constructPath: 'Raw/Build/Resource', locations: ['Properties'] }],
    })]);
  });

  withNag2('leaves out acknowledged and suppressed findings, and passes on a clean app', () => {
    const acknowledged = overlong();
    Validations.of(acknowledged.project).acknowledge({ id: FINDING, reason: 'a test of acknowledgements' });
    expect(new DeliveryChecks().validate(contextOf(acknowledged.app))).toEqual({ success: true, violations: [] });
    const suppressed = overlong();
    NagSuppressions.addStackSuppressions(suppressed.stack, [{ id: 'Delivery-CodeBuildTimeouts', reason: 'a test of suppressions' }]);
    expect(new DeliveryChecks().validate(contextOf(suppressed.app)).success).toBe(true);
  });

  test('says so, and fails, when aws-cdk-lib gives plugins no construct tree (never passes silently)', () => {
    const report = new DeliveryChecks().validate({ templatePaths: [] } as unknown as IPolicyValidationContext);
    expect(report.success).toBe(false);
    expect(report.violations[0]).toMatchObject({ ruleName: 'Delivery-ValidationContext', fix: expect.stringMatching(/upgrade aws-cdk-lib .* or add DeliveryChecks as an Aspect/) });
  });

  test('registered on an app, a failed report fails synthesis', () => {
    const { app } = overlong();
    Validations.of(app).addPlugins(new DeliveryChecks());
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    let thrown: unknown;
    let directory: string | undefined;
    try {
      directory = app.synth().directory;
    } catch (e) {
      thrown = e;
    }
    const exitCode = process.exitCode;
    error.mockRestore();
    process.exitCode = undefined;
    if (thrown !== undefined) {
      // Newer aws-cdk-lib versions throw.
      expect(String(thrown)).toMatch(/Delivery-(ValidationContext|CodeBuildTimeouts)/);
    } else {
      // This one reports a failed validation by the exit code and the report file.
      expect(exitCode).toBe(1);
      expect(readFileSync(join(directory!, 'policy-validation-report.json'), 'utf8')).toMatch(/Delivery-(ValidationContext|CodeBuildTimeouts)/);
    }
  });

  test('names itself and its rules in the report', () => {
    const checks = new DeliveryChecks();
    expect(checks.name).toBe('cdk-delivery');
    expect(checks.ruleIds).toEqual(DeliveryChecks.ruleNames.map((n) => `Delivery-${n}`));
  });
});

test('loading cdk-delivery does not load cdk-nag (it is needed only where an app runs its packs)', () => {
  let loaded = false;
  jest.isolateModules(() => {
    jest.doMock('cdk-nag', () => {
      loaded = true;
      return {};
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh load of the library, in isolation
    const lib = require('../../lib');
    expect(typeof lib.DeliveryPipeline).toBe('function');
  });
  expect(loaded).toBe(false);
});

describe('NagAcknowledgements', () => {
  const suppressions = [
    { id: 'AwsSolutions-IAM5', reason: 'a reason of some length', appliesTo: ['Resource::*'] },
    { id: 'Delivery-CodeBuildTimeouts', reason: 'a reason of some length' },
  ];

  withNag2('writes the cdk-nag 2 metadata exactly as NagSuppressions does, on the resource or every resource below', () => {
    for (const applyToChildren of [false, true]) {
      const ours = overlong();
      const theirs = overlong();
      NagAcknowledgements.add(ours.project, suppressions, applyToChildren);
      NagSuppressions.addResourceSuppressions(theirs.project, suppressions, applyToChildren);
      expect(JSON.stringify(Template.fromStack(ours.stack).toJSON())).toBe(JSON.stringify(Template.fromStack(theirs.stack).toJSON()));
    }
  });

  test('records cdk-nag 3 acknowledgements by exact id (the rule, or one finding of it), which DeliveryChecks honours', () => {
    const { app, project } = overlong();
    NagAcknowledgements.add(project, suppressions);
    const recorded = project.node.defaultChild!.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').pop()?.data;
    expect(recorded).toEqual({ 'AwsSolutions-IAM5[Resource::*]': 'a reason of some length', 'Delivery-CodeBuildTimeouts': 'a reason of some length' });
    expect(new DeliveryChecks().validate(contextOf(app)).success).toBe(true);
  });

  test('rejects what cdk-nag would: a short reason, a finding in the id, a construct without resources', () => {
    const { project, stack } = overlong();
    expect(() => NagAcknowledgements.add(project, [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'too short' }]))
      .toThrow(/acknowledgements\[0\]\.reason: is shorter than 10 characters[\s\S]*acknowledgements\[0\]\.id: names a finding .*Fix: give the rule as id and the finding in appliesTo: \{ id: 'AwsSolutions-IAM5', appliesTo: \['Resource::\*'\] \}/);
    expect(() => NagAcknowledgements.add(stack, suppressions)).toThrow(/scope: is not a CloudFormation resource and has none as its default child/);
    expect(() => NagAcknowledgements.add(project, [{ id: 'AwsSolutions-IAM5', reason: 'a reason of some length', appliesToPatterns: ['Resource::arn:.*'] }]))
      .toThrow(/acknowledgements\[0\]\.appliesToPatterns\[0\]: is not a regular expression written \/source\/ \(flags after the last slash\) \(got "Resource::arn:\.\*"\)/);
    expect(() => NagAcknowledgements.add(project, [{ id: 'AwsSolutions-IAM5', reason: 'a reason of some length', appliesToPatterns: ['/^Resource::.*$/gi'] }]))
      .toThrow(/appliesToPatterns\[0\]: has the flags 'gi': a regular expression with g or y remembers where its last match ended.* \(got "\/\^Resource::\.\*\$\/gi"\)\. Fix: remove the g and y flags/);
    expect(() => NagAcknowledgements.add(project, [{ id: 'AwsSolutions-IAM5', reason: 'a reason of some length', appliesToPatterns: [] }]))
      .toThrow(/acknowledgements\[0\]\.appliesToPatterns: is an empty list, which would accept every finding of the rule/);
    expect(() => NagAcknowledgements.add(project, [{ id: 'AwsSolutions-IAM5', reason: 'a reason of some length', appliesTo: [] }]))
      .toThrow(/acknowledgements\[0\]\.appliesTo: is an empty list/);
  });

  test('patterns: cdk-nag 2 gets them as regex, cdk-nag 3 each finding they cover by its exact id once synthesized', () => {
    const { app, project } = overlong();
    const policy = project.role!.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    NagAcknowledgements.add(policy, [{ id: 'AwsSolutions-IAM5', reason: 'the project writes its own log streams', appliesToPatterns: ['/^Resource::arn:[^:]+:logs:.*:log-group:\\/aws\\/codebuild\\/.*$/'] }]);
    expect(policy.getMetadata('cdk_nag').rules_to_suppress).toEqual([{ reason: 'the project writes its own log streams', id: 'AwsSolutions-IAM5', applies_to: [{ regex: '/^Resource::arn:[^:]+:logs:.*:log-group:\\/aws\\/codebuild\\/.*$/' }] }]);
    app.synth();
    const ids = Object.keys(policy.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').pop()?.data ?? {});
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^AwsSolutions-IAM5\[Resource::arn:aws:logs:us-east-1:111111111111:log-group:\/aws\/codebuild\/<Build[0-9A-F]+>(:\*)?\]$/);
  });
});

