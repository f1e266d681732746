// Synthesizes one variant of one scenario (count copies in one app) and prints what it measured as
// JSON: the time to import the variant's modules (aws-cdk-lib's core is loaded before), and the
// time to build and synthesize the app. bench/run.ts runs it compiled, with cdk-delivery installed.
/* eslint-disable @typescript-eslint/no-explicit-any -- reads the untyped JSON of synthesized templates */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects } from 'aws-cdk-lib';
import { SCENARIOS } from './scenarios';

const [scenario, variant, countArg] = process.argv.slice(2);
const count = Number(countArg ?? '1');
// Run from the project's root: its cdk.json holds the app's feature flags.
const context = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'cdk.json'), 'utf8')).context;
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));

async function main(): Promise<void> {
  const loading = process.hrtime.bigint();
  const build = await SCENARIOS[scenario][variant].load();
  const importMs = Number(process.hrtime.bigint() - loading) / 1e6;
  const start = process.hrtime.bigint();
  const app = new App({ context, outdir });
  for (let i = 0; i < count; i++) build(app, i);
  const assembly = app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;

  let resources = 0, templateBytes = 0, iamBytes = 0, actions = 0, criticalPath = 0, jobs = 0, adminGrants = 0;
  let modelMinutes = 0, modelCost = 0;
  const computeOf = new Map<string, Project>();
  for (const stack of assembly.stacksRecursively) {
    for (const [id, r] of Object.entries<any>(stack.template.Resources ?? {})) {
      if (r.Type === 'AWS::CodeBuild::Project') computeOf.set(id, { compute: r.Properties.Environment?.ComputeType, arm: r.Properties.Environment?.Type === 'ARM_CONTAINER', spec: JSON.stringify(r.Properties.Source?.BuildSpec ?? ''), privileged: r.Properties.Environment?.PrivilegedMode === true });
    }
  }
  for (const stack of assembly.stacks) {
    const t = stack.template;
    templateBytes += Buffer.byteLength(JSON.stringify(t));
    for (const r of Object.values<any>(t.Resources ?? {})) {
      resources++;
      if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') iamBytes += Buffer.byteLength(JSON.stringify(r.Properties.PolicyDocument));
      if (r.Type === 'AWS::IAM::Role') iamBytes += Buffer.byteLength(JSON.stringify([r.Properties.AssumeRolePolicyDocument, r.Properties.Policies ?? []]));
      if (JSON.stringify(r.Properties?.ManagedPolicyArns ?? []).includes('AdministratorAccess') || JSON.stringify(r.Properties?.PolicyDocument ?? {}).match(/"Action":"\*"/)) adminGrants++;
      if (r.Type === 'AWS::CodePipeline::Pipeline') {
        for (const stage of r.Properties.Stages ?? []) {
          actions += stage.Actions.length;
          criticalPath += new Set(stage.Actions.map((a: any) => a.RunOrder ?? 1)).size;
          // CodePipeline's Commands action runs on CodeBuild compute, billed and limited as a build.
          jobs += stage.Actions.filter((a: any) => a.ActionTypeId.Provider === 'CodeBuild' || a.ActionTypeId.Provider === 'Commands').length;
          const run = modelStage(stage, computeOf);
          modelMinutes += run.minutes;
          modelCost += run.cost;
        }
      }
    }
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  const peakMiB = process.resourceUsage().maxRSS / 1024;

  // The run-time and cost estimate of the cdk-delivery pipelines (hand-written pipelines have none),
  // found by shape so that other variants never load cdk-delivery.
  let runMinutes: number | undefined, costPerRun: number | undefined;
  for (const c of app.node.findAll() as any[]) {
    if (c.constructor?.name !== 'DeliveryPipeline' || typeof c.estimate !== 'function') continue;
    const e = c.estimate();
    runMinutes = (runMinutes ?? 0) + e.criticalPathMinutes / count;
    costPerRun = (costPerRun ?? 0) + e.costPerRun / count;
  }

  // Unsuppressed cdk-nag AwsSolutions errors, from a second synthesis that is not timed.
  let nagErrors = 0;
  if (count === 1 && !process.env.BENCH_NO_NAG) {
    const nagOut = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-nag-'));
    const { AwsSolutionsChecks } = await import('cdk-nag');
    const nagApp = new App({ context, outdir: nagOut });
    build(nagApp, 0);
    Aspects.of(nagApp).add(new AwsSolutionsChecks());
    for (const stack of nagApp.synth().stacks) nagErrors += stack.messages.filter((m) => m.level === 'error' && String(m.entry.data).startsWith('AwsSolutions-')).length;
    fs.rmSync(nagOut, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify({ scenario, variant, count, importMs, ms, peakMiB, resources, templateBytes, iamBytes, actions: actions / count, criticalPath: criticalPath / count, jobs: jobs / count, adminGrants, modelMinutes: modelMinutes / count, modelCost: modelCost / count, nagErrors, runMinutes, costPerRun }) + '\n');
}

void main();

/** A CodeBuild project as the model reads it. */
interface Project { compute: string; arm: boolean; spec: string; privileged: boolean }

/**
 * One model of a run for every variant, from the pipeline's template alone (the same constants
 * DeliveryPipeline.estimate() uses): a source 0.5 minutes; a CodeBuild job 1 minute of
 * provisioning plus its work (a synth 5, installing cdk-assets 1, then 0.2 per file uploaded, 3
 * per Docker image built and 1 per image pushed again or copied, a self-update 3, a smoke test 1),
 * a Commands action counted as such a job (it runs on CodeBuild compute); a change set 1, its
 * execution or a stack deploy 2; anything else 1; approvals are not counted, nor what runs alongside
 * one (it finishes while a person decides). Stages in sequence,
 * runOrders in sequence, the actions of a runOrder in parallel. The cost is CodePipeline V2 action
 * minutes at $0.002 and CodeBuild minutes at the project's compute type (small $0.005, medium
 * $0.01, large $0.02; ARM small $0.0034). A CDK Pipelines asset job (cdk-assets in its buildspec)
 * publishes one asset to each account its buildspec names (a `publish` command each: the file
 * uploaded to each, the image built once and pushed to each), a Docker image when privileged;
 * cdk-delivery's prepare job publishes the scenario's one file and one image (copied, when its
 * buildspec copies images) to its own account.
 */
function modelStage(stage: any, computeOf: Map<string, Project>): { minutes: number; cost: number } {
  const price: Record<string, number> = { 'BUILD_GENERAL1_SMALL': 0.005, 'BUILD_GENERAL1_MEDIUM': 0.01, 'BUILD_GENERAL1_LARGE': 0.02, 'BUILD_GENERAL1_SMALL (ARM)': 0.0034 };
  const groups = new Map<number, number>();
  // What runs alongside an approval finishes while a person decides: that group takes no counted time.
  const waiting = new Set(stage.Actions.filter((a: any) => a.ActionTypeId.Category === 'Approval').map((a: any) => a.RunOrder ?? 1));
  let cost = 0;
  for (const a of stage.Actions) {
    const type = `${a.ActionTypeId.Category}/${a.ActionTypeId.Provider}`;
    let minutes = 1;
    if (type === 'Approval/Manual') continue;
    if (a.ActionTypeId.Category === 'Source') minutes = 0.5;
    else if (a.ActionTypeId.Provider === 'CloudFormation') minutes = a.Configuration?.ActionMode === 'CHANGE_SET_REPLACE' ? 1 : 2;
    else if (a.ActionTypeId.Provider === 'Commands') {
      minutes = 1 + 1;
      cost += minutes * price.BUILD_GENERAL1_SMALL;
    }
    else if (a.ActionTypeId.Provider === 'CodeBuild') {
      const name: string = a.Name;
      const project = computeOf.get(a.Configuration?.ProjectName?.Ref);
      // CDK Pipelines names an asset job after the asset's construct; its buildspec runs cdk-assets
      // once per account it publishes to, privileged for a Docker image.
      const destinations = (project?.spec.match(/ publish /g) ?? []).length;
      if (project?.spec.includes('cdk-assets') && !/\.Prepare$/.test(name) && destinations === 0) throw new Error(`${name}: a cdk-assets job whose buildspec the model cannot read (no publish command)`);
      const work = /Synth/.test(name) ? 5 : /SelfMutate|SelfUpdate/.test(name) ? 3
        : /\.Prepare$/.test(name) ? 1 + 0.2 + (project?.spec.includes('copy-images') ? 1 : 3)
        : project?.spec.includes('cdk-assets') ? 1 + (project.privileged ? 3 + (destinations - 1) : 0.2 * destinations) : 1;
      minutes = 1 + work;
      const key = `${project?.compute ?? 'BUILD_GENERAL1_SMALL'}${project?.arm ? ' (ARM)' : ''}`;
      if (price[key] === undefined) throw new Error(`${name}: no price in the model for ${key}`);
      cost += minutes * price[key];
    }
    cost += minutes * 0.002;
    const order = a.RunOrder ?? 1;
    groups.set(order, waiting.has(order) ? 0 : Math.max(groups.get(order) ?? 0, minutes));
  }
  return { minutes: [...groups.values()].reduce((x, y) => x + y, 0), cost };
}
