import { App, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import {
  BuildStep, ChangeSetDeployStep, DeliveryPipeline, DeliveryTarget, DeploymentStrategy, ManualApprovalStep, PipelineVariable, Source, TestReport,
} from '../lib';
import { DeliveryValidationError } from '../lib/private/validation';
import { CONNECTION_ARN, ENV } from './util';

// Bad input must end in our validation error (naming prop, value and fix), never a TypeError or an
// error from inside aws-cdk-lib. Seeded and bounded so the suite stays fast and repeatable.
const SEED = 20261123;

const text = fc.oneof(
  fc.constantFrom('', ' ', 'main', 'a/b', 'release/1.x', 'x'.repeat(300), 'ünïcødé 🚀', '#{Source.CommitId}', 'a..b', '-', '.', '@{x}', 'CODEBUILD_X', 'DB_PASSWORD'),
  fc.string({ maxLength: 40 }),
  fc.constant(Aws.ACCOUNT_ID),
);
const number = fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.constantFrom(0, -1, 1.5, 99, 100, 2880, 2881, Number.MAX_SAFE_INTEGER, NaN, Infinity));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

function expectOurs(run: () => void): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof DeliveryValidationError)) {
      throw new Error(`not a DeliveryValidationError: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
    }
  }
}

describe('bad input never crashes', () => {
  test('Source.connection', () => {
    fc.assert(fc.property(text, maybe(text), maybe(fc.array(text, { maxLength: 10 })), maybe(fc.array(text, { maxLength: 3 })), (repo, branch, excludes, tags) => {
      expectOurs(() => Source.connection(repo, {
        connectionArn: CONNECTION_ARN,
        branch,
        filePaths: excludes ? { excludes } : undefined,
        pushFilters: tags ? [{ tags: { includes: tags } }] : undefined,
        actionName: branch,
      }));
    }), { seed: SEED, numRuns: 1000 });
  });

  test('BuildStep', () => {
    fc.assert(fc.property(text, fc.array(text, { maxLength: 4 }), maybe(number), maybe(fc.array(fc.record({ name: text, value: text }), { maxLength: 4 })), maybe(fc.array(text, { maxLength: 3 })), maybe(text),
      (name, commands, minutes, env, exported, report) => {
        expectOurs(() => new BuildStep(name, {
          commands,
          timeout: minutes === undefined || !Number.isFinite(minutes) ? undefined : Duration.minutes(Math.abs(minutes)),
          environmentVariables: env,
          exportedVariables: exported,
          reports: report === undefined ? undefined : [TestReport.junit([report], { name: report })],
        }));
      }), { seed: SEED, numRuns: 1000 });
  });

  test('DeploymentStrategy', () => {
    fc.assert(fc.property(number, number, fc.boolean(), (percent, minutes, canary) => {
      expectOurs(() => {
        const interval = Number.isFinite(minutes) && minutes >= 0 ? Duration.minutes(minutes) : Duration.minutes(1);
        return canary ? DeploymentStrategy.canary({ percent, interval }) : DeploymentStrategy.linear({ percent, interval });
      });
      expectOurs(() => DeploymentStrategy.minimumHealthyHostsPercentage(percent));
      expectOurs(() => DeploymentStrategy.minimumHealthyHostsCount(minutes));
    }), { seed: SEED, numRuns: 1000 });
  });

  test('ManualApprovalStep and PipelineVariable', () => {
    fc.assert(fc.property(text, maybe(fc.array(text, { maxLength: 3 })), maybe(text), maybe(number), text, maybe(text), (name, emails, url, minutes, variable, value) => {
      expectOurs(() => new ManualApprovalStep(name, {
        notifyEmails: emails, reviewUrl: url, comment: url,
        timeout: minutes === undefined || !Number.isFinite(minutes) ? undefined : Duration.minutes(Math.abs(minutes)),
      }));
      expectOurs(() => new PipelineVariable({ name: variable, defaultValue: value }));
    }), { seed: SEED, numRuns: 1000 });
  });

  test('ChangeSetDeployStep and DeliveryTarget', () => {
    const artifact = new BuildStep('Build', { commands: ['make'], outputs: ['**/*'] }).output!;
    fc.assert(fc.property(text, text, maybe(text), maybe(fc.array(fc.record({ name: text, value: text }), { maxLength: 4 })), maybe(text), (name, stackName, changeSetName, parameters, namespace) => {
      expectOurs(() => new ChangeSetDeployStep(name, { stackName, template: artifact.atPath('t.json'), capabilities: [], changeSetName, parameters, variablesNamespace: namespace }));
    }), { seed: SEED, numRuns: 1000 });
    fc.assert(fc.property(text, maybe(text), maybe(fc.array(text, { maxLength: 3 })), maybe(text), (account, roleName, trusted, execName) => {
      const stack = new Stack(new App(), 'Target', { env: { account: '222222222222', region: 'eu-west-1' } });
      expectOurs(() => new DeliveryTarget(stack, 'T', { pipelineAccount: account, deployRoleName: roleName, trustedRoleArns: trusted, cloudFormationExecutionRoleName: execName }));
    }), { seed: SEED, numRuns: 300 });
  });

  test('DeliveryPipeline, synthesized', () => {
    const valid = fc.constantFrom('Release', 'prod-1', 'a.b@c_d');
    let synthesized = 0;
    fc.assert(fc.property(maybe(fc.oneof(valid, text)), maybe(fc.oneof(fc.constant(30), number)), fc.oneof(valid, valid, text), maybe(fc.oneof(valid, text)), (pipelineName, days, stageName, namespace) => {
      const app = new App();
      const stack = new Stack(app, 'Fuzz', { env: ENV });
      let built = false;
      expectOurs(() => {
        const pipeline = new DeliveryPipeline(stack, 'Pipeline', {
          pipelineName,
          artifactRetentionDays: days,
          source: Source.connection('my-org/shop', { connectionArn: CONNECTION_ARN, variablesNamespace: namespace }),
          buildStep: new BuildStep('Build', { commands: ['make'], environmentVariables: [{ name: 'C', value: `#{${namespace ?? 'Source'}.CommitId}` }] }),
        });
        pipeline.addStage(stageName, { steps: [new ManualApprovalStep('Approve')] });
        built = true;
      });
      if (!built) return;
      try {
        app.synth();
        synthesized++;
      } catch (e) {
        // Checks that need the finished pipeline run as construct validations: CDK reports them
        // together, each line ours ("DeliveryPipeline '...': ... Fix: ...").
        const lines = (e as Error).message.split('\n').filter((l) => l.startsWith('['));
        if (lines.length === 0 || !lines.every((l) => /\] DeliveryPipeline '.*Fix: /.test(l))) throw e;
      }
    }), { seed: SEED, numRuns: 120 });
    // The generator must reach synthesis often enough for this test to mean something.
    expect(synthesized).toBeGreaterThan(20);
  });
});
