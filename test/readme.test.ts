import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';
import * as lib from '../lib';

// The README's quick start must run as written.
const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const quickStart = readme.split('## Quick start')[1].split('```ts\n')[1].split('```')[0];

test('the README quick start synthesizes a V2 pipeline with a trigger and an approval', () => {
  const js = ts.transpileModule(quickStart, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const apps: unknown[] = [];
  const requireShim = (name: string) => {
    if (name === 'cdk-delivery') return lib;
    if (name === 'aws-cdk-lib') {
      const cdk = jest.requireActual('aws-cdk-lib');
      // Capture the app the snippet creates.
      class CapturingApp extends cdk.App { constructor(...args: never[]) { super(...args); apps.push(this); } }
      return { ...cdk, App: CapturingApp };
    }
    return jest.requireActual(name);
  };
  new Function('require', 'exports', js)(requireShim, {});
  expect(apps).toHaveLength(1);
  const stack = (apps[0] as App).node.children.find((c) => c instanceof Stack) as Stack;
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
    PipelineType: 'V2',
    Triggers: [Match.objectLike({ GitConfiguration: Match.objectLike({ Push: [Match.objectLike({ FilePaths: { Excludes: ['docs/**', '**/*.md'] } })] }) })],
  });
  t.resourceCountIs('AWS::SNS::Subscription', 1);
});

test('the README\'s contents list every section, in order', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const slug = (h: string) => h.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
  const sections = readme.split('\n').filter((l) => l.startsWith('## ') && l !== '## Contents').map((l) => l.slice(3));
  const contents = readme.slice(readme.indexOf('## Contents'), readme.indexOf('\n## ', readme.indexOf('## Contents') + 1));
  const listed = [...contents.matchAll(/^- \[([^\]]+)\]\(#([^)]+)\)/gm)].map((m) => [m[1], m[2]]);
  expect(listed).toEqual(sections.map((h) => [h, slug(h)]));
});

test('every relative link of the README and docs/ points at a file, and a heading, that exist', () => {
  const root = path.join(__dirname, '..');
  const slug = (h: string) => h.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
  const headings = (file: string) => new Set(fs.readFileSync(file, 'utf8').split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, ''))));
  const docs = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  let checked = 0;
  for (const doc of docs) {
    const text = fs.readFileSync(path.join(root, doc), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(((?!https?:)[^)\s]+)\)/g)) {
      checked++;
      const [file, anchor] = target.split('#');
      const resolved = file ? path.join(root, path.dirname(doc), file) : path.join(root, doc);
      if (!fs.existsSync(resolved)) broken.push(`${doc}: ${target} (no such file)`);
      else if (anchor && resolved.endsWith('.md') && !headings(resolved).has(anchor)) broken.push(`${doc}: ${target} (no such heading)`);
    }
  }
  expect(checked).toBeGreaterThan(30);
  expect(broken).toEqual([]);
});
