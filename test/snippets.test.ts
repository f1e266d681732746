import * as fs from 'fs';
import * as path from 'path';
import * as aws from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as lib from '../lib';
import { fixtureValues } from './snippets/fixture-values';
import { name, snippets, sourceOf } from './snippets/snippets';

// The snippets of the README and docs/ (test/snippets/snippets.ts): `npm run snippets` type-checks
// each as pasted (in CI); here, each fixture exists, every snippet that stands on its own runs and
// the apps it makes synthesize, and every snippet in a fixture runs there, with what the fixture
// declares made for real, and its app synthesizes.
const ROOT = path.join(__dirname, '..');

test('the snippets are found, each fixture exists', () => {
  expect(snippets.length).toBeGreaterThan(15);
  for (const s of snippets.filter((x) => x.fixture)) expect(fs.existsSync(path.join(ROOT, 'docs', 'fixtures', `${s.fixture}.ts`))).toBe(true);
});

/**
 * Synthesizes an app, keeping two reports of aws-cdk-lib off the console: its policy validation
 * report (with an aws-cdk-lib that gives plugins no construct tree, DeliveryChecks registered as a
 * plugin reports so, as documented), and, in newer versions, the warning that a stack is empty
 * (CloudFormation-Validate F0001: a snippet that only builds steps leaves its stack empty).
 * Anything else printed fails.
 */
function synthQuietly(app: aws.App): void {
  const printed: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')); });
  try {
    app.synth();
  } finally {
    spy.mockRestore();
  }
  const report = /Performing Policy Validations|Validation Report|Delivery-ValidationContext|Validation failed/;
  const onlyEmptyStacks = (p: string) => /Template validation found issues/.test(p) && [...p.matchAll(/Acknowledge with '([^']+)'/g)].every((m) => m[1] === 'CloudFormation-Validate::F0001');
  expect(printed.filter((p) => !report.test(p) && !onlyEmptyStacks(p))).toEqual([]);
}

/** Runs a snippet's TypeScript as a CommonJS module; returns its exports. */
function runModule(code: string, modules: Record<string, unknown>): Record<string, unknown> {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports: Record<string, unknown> = {};
  const run = new Function('require', 'exports', 'console', js);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the snippet's own imports
  run((m: string) => modules[m] ?? require(m), exports, { ...console, error: () => undefined, log: () => undefined });
  return exports;
}

test('every snippet in a fixture runs there, with what the fixture declares made for real, and its app synthesizes', () => {
  const inFixture = snippets.filter((x) => x.fixture === 'stack');
  expect(inFixture.length).toBeGreaterThan(10);
  const declared = [...fs.readFileSync(path.join(ROOT, 'docs', 'fixtures', 'stack.ts'), 'utf8').matchAll(/^declare const (\w+)/gm)].map((m) => m[1]);
  const failures: string[] = [];
  for (const s of inFixture) {
    const app = new aws.App();
    const values = fixtureValues(app);
    // The fixture's declarations vanish when transpiled: the snippet's names resolve to these globals.
    const globals = globalThis as Record<string, unknown>;
    for (const n of declared) {
      if (!values[n]) throw new Error(`test/snippets/fixture-values.ts makes no '${n}', which docs/fixtures/stack.ts declares`);
      Object.defineProperty(globals, n, { configurable: true, get: values[n] });
    }
    try {
      const { Snippet } = runModule(sourceOf(s), { 'aws-cdk-lib': aws, 'cdk-delivery': lib }) as { Snippet: new (scope: aws.App, id: string, props: aws.StackProps) => aws.Stack };
      new Snippet(app, 'Snippet', { env: { account: '111111111111', region: 'us-east-1' } });
      synthQuietly(app);
    } catch (e) {
      failures.push(`${name(s)}: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`);
    } finally {
      for (const n of declared) delete globals[n];
    }
  }
  expect(failures).toEqual([]);
});

test('every snippet that stands on its own runs, and the apps it makes synthesize', () => {
  for (const s of snippets.filter((x) => !x.fixture)) {
    const apps: aws.App[] = [];
    const App = class extends aws.App {
      constructor(props?: aws.AppProps) {
        super(props);
        apps.push(this);
      }
    };
    const js = ts.transpileModule(s.code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const modules: Record<string, unknown> = { 'aws-cdk-lib': { ...aws, App }, 'cdk-delivery': lib };
    const run = new Function('require', 'exports', 'console', js);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the snippet's own imports
    run((m: string) => modules[m] ?? require(m), {}, { ...console, error: () => undefined, log: () => undefined });
    expect({ snippet: name(s), apps: apps.length }).toEqual({ snippet: name(s), apps: expect.any(Number) });
    for (const app of apps) app.synth();
  }
});
