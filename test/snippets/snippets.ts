import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as lib from '../../lib';

/*
 * The TypeScript snippets of the README and docs/: each compiles as pasted, with the strict
 * settings of a `cdk init` app, on its own or, where its fence says `fixture=<name>`, inside
 * docs/fixtures/<name>.ts (which declares what it uses from earlier snippets). The type-check loads
 * every declaration of aws-cdk-lib, so it runs as `npm run snippets` (in CI, after the type-check)
 * rather than in the timed unit suite; test/snippets.test.ts checks the rest.
 */
const ROOT = path.join(__dirname, '..', '..');
export interface Snippet { readonly doc: string; readonly line: number; readonly code: string; readonly fixture?: string }

export const snippets: Snippet[] = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
  .flatMap((doc) => [...fs.readFileSync(path.join(ROOT, doc), 'utf8').matchAll(/^```ts([^\n]*)\n([\s\S]*?)^```/gm)].map((m) => ({
    doc,
    line: fs.readFileSync(path.join(ROOT, doc), 'utf8').slice(0, m.index).split('\n').length,
    code: m[2],
    fixture: /fixture=(\w+)/.exec(m[1])?.[1],
  })));

/** The file a snippet is checked as: itself, or its fixture with the snippet in place. */
export function sourceOf(s: Snippet): string {
  // A file of its own is a module (as a file with imports is), not a script sharing globals.
  if (!s.fixture) return `${s.code}\nexport {};\n`;
  const lines = s.code.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '));
  const body = lines.filter((l) => !l.startsWith('import ')).join('\n');
  const own = new Set(imports.filter((l) => l.includes("'cdk-delivery'")).flatMap((l) => /\{([^}]*)\}/.exec(l)?.[1].split(',').map((n) => n.trim()) ?? []));
  const library = Object.keys(lib).filter((n) => !own.has(n));
  // The fixture's imports, less what the snippet imports itself.
  const imported = (line: string) => /\{([^}]*)\}/.exec(line)?.[1].split(',').map((n) => n.trim()).filter((n) => n) ?? [];
  const moduleOf = (line: string) => /from '([^']+)'/.exec(line)?.[1];
  const fixture = fs.readFileSync(path.join(ROOT, 'docs', 'fixtures', `${s.fixture}.ts`), 'utf8').split('\n').map((line) => {
    if (!line.startsWith('import {')) return line;
    const taken = new Set(imports.filter((l) => moduleOf(l) === moduleOf(line)).flatMap(imported));
    const rest = imported(line).filter((n) => !taken.has(n));
    return rest.length > 0 ? `import { ${rest.join(', ')} } from '${moduleOf(line)}';` : '';
  }).join('\n');
  return fixture.replace('/// imports', [...imports, `import { ${library.join(', ')} } from 'cdk-delivery';`].join('\n')).replace('/// here', body);
}

export const name = (s: Snippet) => `${s.doc}:${s.line}`;

/** Type-checks the snippets; returns one line per problem. */
export function typeCheck(checked: readonly Snippet[] = snippets): string[] {
  const files = new Map(checked.map((s) => [path.join(ROOT, '.snippets', `${name(s).replace(/[^A-Za-z0-9]/g, '_')}.ts`), sourceOf(s)]));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, lib: ['lib.es2022.d.ts'],
    strict: true, noImplicitReturns: true, noImplicitThis: true, alwaysStrict: true, esModuleInterop: true, skipLibCheck: true, noEmit: true,
    types: ['node'], baseUrl: ROOT, paths: { 'cdk-delivery': ['lib/index.ts'] }, ignoreDeprecations: '6.0',
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => files.get(f) ?? read(f);
  host.fileExists = (f) => files.has(f) || exists(f);
  host.getSourceFile = (f, v, onError) => (files.has(f) ? ts.createSourceFile(f, files.get(f)!, v) : getSourceFile(f, v, onError));
  const program = ts.createProgram([...files.keys()], options, host);
  const problems = [...files.keys()].flatMap((f) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) => {
    const s = checked[[...files.keys()].indexOf(f)];
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${name(s)} (line ${at} of ${s.fixture ? `fixture ${s.fixture}` : 'the snippet'}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  }));
  return problems;
}
