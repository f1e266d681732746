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

  let resources = 0, templateBytes = 0, iamBytes = 0, actions = 0, criticalPath = 0;
  for (const stack of assembly.stacks) {
    const t = stack.template;
    templateBytes += Buffer.byteLength(JSON.stringify(t));
    for (const r of Object.values<any>(t.Resources ?? {})) {
      resources++;
      if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') iamBytes += Buffer.byteLength(JSON.stringify(r.Properties.PolicyDocument));
      if (r.Type === 'AWS::IAM::Role') iamBytes += Buffer.byteLength(JSON.stringify([r.Properties.AssumeRolePolicyDocument, r.Properties.Policies ?? []]));
      if (r.Type === 'AWS::CodePipeline::Pipeline') {
        for (const stage of r.Properties.Stages ?? []) {
          actions += stage.Actions.length;
          criticalPath += new Set(stage.Actions.map((a: any) => a.RunOrder ?? 1)).size;
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
  process.stdout.write(JSON.stringify({ scenario, variant, count, importMs, ms, peakMiB, resources, templateBytes, iamBytes, actions: actions / count, criticalPath: criticalPath / count, nagErrors, runMinutes, costPerRun }) + '\n');
}

void main();
