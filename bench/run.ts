// `npm run bench`: the scenarios written three ways, measured in one run with the variants
// alternating, several repetitions, medians; then synth time and memory at 1 to 100 pipelines.
// Writes bench/RESULTS.md. Not part of `npm test`.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SCENARIOS } from './scenarios';

const REPS = Number(process.env.BENCH_REPS ?? '5');
const SCALE = [1, 10, 50, 100];
const SCALE_REPS = Number(process.env.BENCH_SCALE_REPS ?? '3');
const root = path.join(__dirname, '..');

interface Measure { importMs: number; ms: number; peakMiB: number; resources: number; templateBytes: number; iamBytes: number; actions: number; criticalPath: number; jobs: number; adminGrants: number; modelMinutes: number; modelCost: number; nagErrors: number; runMinutes?: number; costPerRun?: number }

/**
 * The benchmark runs compiled: the variants and examples compiled to JavaScript by tsc, and
 * cdk-delivery as an app installs it (its package.json and compiled dist/, in a node_modules of
 * their own), so that no TypeScript transpiler runs while a variant is timed, for any variant.
 */
const build = path.join(root, 'node_modules', '.cache', 'cdk-delivery-bench');
function compile(): void {
  fs.rmSync(build, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(__dirname, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  const installed = path.join(build, 'node_modules', 'cdk-delivery');
  fs.mkdirSync(installed, { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(installed, 'package.json'));
  fs.cpSync(path.join(root, 'dist'), path.join(installed, 'dist'), { recursive: true });
  // The examples' asset directories (a function's code, a Dockerfile), next to their compiled code.
  fs.cpSync(path.join(root, 'examples'), path.join(build, 'examples'), { recursive: true, filter: (src) => !src.endsWith('.ts') });
}

function run(scenario: string, variant: string, count: number): Measure {
  const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
  const out = execFileSync(process.execPath, [path.join(build, 'bench', 'one.js'), scenario, variant, String(count)], { cwd: root, encoding: 'utf8', env });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Non-blank lines that are not comments. */
function linesOfCode(files: string[]): number {
  let n = 0;
  for (const f of files) {
    let inBlock = false;
    for (const raw of fs.readFileSync(path.join(root, f), 'utf8').split('\n')) {
      const line = raw.trim();
      if (inBlock) { if (line.includes('*/')) inBlock = false; continue; }
      if (line.startsWith('/*')) { inBlock = !line.includes('*/'); continue; }
      if (line === '' || line.startsWith('//')) continue;
      n++;
    }
  }
  return n;
}

compile();
const rows: string[] = [];
const ratios: string[] = [];
for (const [scenario, variants] of Object.entries(SCENARIOS)) {
  const names = Object.keys(variants);
  const samples = new Map<string, Measure[]>(names.map((v) => [v, []]));
  for (let rep = 0; rep < REPS; rep++) {
    // Alternate the order so no variant always runs first (warm disk cache, CPU boost).
    const order = names.map((_, i) => names[(i + rep) % names.length]);
    for (const v of order) samples.get(v)!.push(run(scenario, v, 1));
    process.stderr.write(`${scenario}: repetition ${rep + 1}/${REPS}\n`);
  }
  const summary = new Map<string, Measure & { loc: number; total: number }>();
  for (const v of names) {
    const s = samples.get(v)!;
    summary.set(v, { ...s[0], importMs: median(s.map((x) => x.importMs)), ms: median(s.map((x) => x.ms)), total: median(s.map((x) => x.importMs + x.ms)), peakMiB: median(s.map((x) => x.peakMiB)), loc: linesOfCode(variants[v].files) });
  }
  for (const v of names) {
    const m = summary.get(v)!;
    rows.push(`| ${scenario} | ${v} | ${m.loc} | ${Math.round(m.importMs)} | ${Math.round(m.ms)} | ${Math.round(m.total)} | ${Math.round(m.peakMiB)} | ${m.resources} | ${(m.templateBytes / 1024).toFixed(1)} | ${(m.iamBytes / 1024).toFixed(1)} | ${m.actions} | ${m.jobs} | ${m.criticalPath} | ${m.runMinutes === undefined ? 'n/a' : Math.round(m.runMinutes)} | ${m.costPerRun === undefined ? 'n/a' : `$${m.costPerRun.toFixed(3)}`} | ${m.modelMinutes.toFixed(1)} | $${m.modelCost.toFixed(3)} | ${m.nagErrors} |`);
  }
  const d = summary.get('cdk-delivery')!;
  const l2 = summary.get('L2');
  if (!l2) continue;
  ratios.push(`| ${scenario} | ${(l2.loc / d.loc).toFixed(1)}x | ${(d.importMs / l2.importMs).toFixed(2)}x | ${(d.ms / l2.ms).toFixed(2)}x | ${(d.total / l2.total).toFixed(2)}x | ${(d.resources / l2.resources).toFixed(2)}x | ${(d.iamBytes / l2.iamBytes).toFixed(2)}x |`);
}

const scaleRows: string[] = [];
for (const variant of ['cdk-delivery', 'L2']) {
  for (const count of SCALE) {
    const s: Measure[] = [];
    for (let rep = 0; rep < SCALE_REPS; rep++) s.push(run('github-build-approve', variant, count));
    scaleRows.push(`| ${variant} | ${count} | ${Math.round(median(s.map((x) => x.ms)))} | ${Math.round(median(s.map((x) => x.ms)) / count)} | ${Math.round(median(s.map((x) => x.peakMiB)))} |`);
    process.stderr.write(`scale ${variant} x${count}\n`);
  }
}

const cpus = os.cpus();
const results = `# Benchmark results

Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${cpus.length} x ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node.js ${process.version}.
Each variant is synthesized in a process of its own (\`bench/one.ts\`), ${REPS} times with the variants alternating; times and peak memory (max RSS of the process) are medians. Import time is the loading of the user's file and what it imports (cdk-delivery from its compiled \`dist/\`, as an app installs it; aws-cdk-lib's core is loaded before, by every variant alike); synth time covers building the app and \`app.synth()\`; neither counts Node.js start-up or the TypeScript transpiler's own start.

The variants: **cdk-delivery** is the example in \`examples/\`; **L2** is the same scenario written by hand with aws-cdk-lib L2 constructs (\`bench/variants/*.l2.ts\`), with the same secure choices where the L2s allow them (KMS-encrypted artifacts, encrypted topics, scoped roles); **CDK Pipelines** (\`bench/variants/*.pipelines.ts\`) where it can express the scenario: it cannot deploy with CodeDeploy (ECS blue/green, Lambda traffic shifting, EC2 in place), so those rows are absent.

The ecs-canary scenario has a second cdk-delivery row: **cdk-delivery (ECS native)** is \`examples/ecs-native-canary\`, the same service released by Amazon ECS's own canary (\`EcsNativeDeployment\`) instead of CodeDeploy.

Lines of code are non-blank, non-comment lines of the user's file. Critical path is the number of sequential action groups (stages times runOrders) of a run. The estimated run minutes (critical path, without waiting for people) and cost per run (CodePipeline V2 action minutes and CodeBuild minutes) are \`DeliveryPipeline.estimate()\`'s; hand-written pipelines have no such model (n/a). The model run minutes and cost (bench/one.ts \`modelStage\`) apply one model to every variant's pipeline template alike, CDK Pipelines included: the constants of \`DeliveryPipeline.estimate()\` (CodeBuild provisioning 1 minute, also for a Commands action, which runs on CodeBuild compute and is counted as a CodeBuild job; a synth 5, cdk-assets 1 plus 0.2 per file uploaded, 3 per Docker image built and 1 per image pushed again or copied, a self-update 3, a change set 1, its execution 2; an approval and what runs alongside it not counted) and the same prices (ARM at its own); a CDK Pipelines asset job publishes its asset to every account its buildspec names (the image built once, pushed to each); it is meant for the cdk-app scenario, and counts a CodeDeploy or ECS deployment as one minute. IAM bytes count the policy documents of roles and policies. cdk-nag errors are the unsuppressed AwsSolutions findings of the variant (a separate, untimed synthesis).

| scenario | variant | lines of code | import ms | synth ms | import + synth ms | peak MiB | resources | template KiB | IAM KiB | actions | CodeBuild jobs per run | critical path | est. run min | est. cost per run | model run min | model cost per run | cdk-nag errors |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

## Ratios (cdk-delivery against hand-written L2)

| scenario | L2 lines per cdk-delivery line | import time | synth time | import + synth | resources | IAM policy bytes |
|---|---|---|---|---|---|---|
${ratios.join('\n')}

## Scale: the github-build-approve pipeline, n copies in one app

| variant | pipelines | synth ms | ms per pipeline | peak MiB |
|---|---|---|---|---|
${scaleRows.join('\n')}
`;
fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), results);
process.stdout.write(results);
