import * as fs from 'fs';
import * as path from 'path';
import * as aws from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as lib from '../lib';
import { name, snippets } from './snippets/snippets';

// The snippets of the README and docs/ (test/snippets/snippets.ts): `npm run snippets` type-checks
// each as pasted (in CI); here, each fixture exists and every snippet that stands on its own runs
// and the apps it makes synthesize.
const ROOT = path.join(__dirname, '..');

test('the snippets are found, each fixture exists', () => {
  expect(snippets.length).toBeGreaterThan(15);
  for (const s of snippets.filter((x) => x.fixture)) expect(fs.existsSync(path.join(ROOT, 'docs', 'fixtures', `${s.fixture}.ts`))).toBe(true);
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
