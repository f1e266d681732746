/**
 * Jest hook (setupFilesAfterEnv): every template a test synthesizes is checked against AWS's
 * contracts after the test, so no test synthesizes twice and no template escapes. A test that
 * breaks a contract on purpose says so with `allowContractViolations(reason)`.
 */
import { createHash } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { basename, join } from 'path';
import { Stage } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { contractReport } from './index';
import { state } from './state';

const captured: CloudAssembly[] = [];
const checked = new Set<string>();
const synth = Stage.prototype.synth;
Stage.prototype.synth = function (this: Stage, ...args: Parameters<Stage['synth']>) {
  const assembly = synth.apply(this, args);
  if (!captured.includes(assembly)) captured.push(assembly);
  return assembly;
};

/**
 * `TEMPLATE_DUMP=<dir> npm test` also writes every synthesized template to
 * `<dir>/<test file>/<test name>/<n>-<stack>.json`, so a refactoring that must not change any
 * template can be checked with `diff -r` of a dump before and after.
 */
function dump(assemblies: readonly CloudAssembly[]): void {
  const dir = process.env.TEMPLATE_DUMP;
  if (!dir) return;
  const state = expect.getState();
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
  const folder = join(dir, safe(basename(state.testPath ?? 'unknown')), safe(state.currentTestName ?? 'unknown'));
  mkdirSync(folder, { recursive: true });
  let n = 0;
  for (const assembly of assemblies) {
    for (const stack of assembly.stacksRecursively) {
      writeFileSync(join(folder, `${n++}-${safe(stack.hierarchicalId)}.json`), JSON.stringify(stack.template, undefined, 1));
    }
  }
}

afterEach(() => {
  const assemblies = captured.splice(0);
  dump(assemblies);
  const allowed = state.allowed;
  state.allowed = undefined;
  if (allowed) return;
  const report: string[] = [];
  for (const assembly of assemblies) {
    for (const stack of assembly.stacksRecursively) {
      const text = JSON.stringify(stack.template);
      const key = createHash('sha1').update(text).digest('hex');
      if (checked.has(key)) continue;
      checked.add(key);
      report.push(...contractReport(stack.hierarchicalId, stack.template));
    }
  }
  if (report.length > 0) {
    throw new Error(`A synthesized template breaks ${report.length} of AWS's contracts (test/contracts):\n\n${report.join('\n\n')}`);
  }
});
