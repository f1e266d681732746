import * as fs from 'fs';
import * as path from 'path';

// The layout the README's Architecture section describes, kept true.
const ROOT = path.join(__dirname, '..');
const LIB = path.join(ROOT, 'lib');
const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
const libFiles = files(LIB);

/** The layers, lowest first: a file imports only from its own layer or lower ones. */
const LAYERS: Record<string, number> = { core: 0, private: 1, source: 2, codebuild: 2, deploy: 2, checks: 2, pipeline: 3 };
const layerOf = (file: string) => path.relative(LIB, file).split(path.sep)[0];

test('each layer imports only from its own layer or lower ones', () => {
  const breaches: string[] = [];
  let checked = 0;
  for (const file of libFiles.filter((f) => layerOf(f) in LAYERS)) {
    for (const [, target] of fs.readFileSync(file, 'utf8').matchAll(/^import [^;]*? from '(\.[^']+)';/gm)) {
      checked++;
      const imported = path.resolve(path.dirname(file), target);
      const layer = layerOf(imported);
      if (layer in LAYERS && LAYERS[layer] > LAYERS[layerOf(file)]) breaches.push(`${path.relative(ROOT, file)} imports ${path.relative(ROOT, imported)}`);
    }
  }
  expect(checked).toBeGreaterThan(200);
  expect(breaches).toEqual([]);
});

test('no library file is over 450 lines (the generated API shapes aside)', () => {
  const long = libFiles.filter((f) => !f.endsWith('api-shapes.ts'))
    .map((f) => [path.relative(ROOT, f), fs.readFileSync(f, 'utf8').split('\n').length] as const)
    .filter(([, lines]) => lines > 450);
  expect(long).toEqual([]);
});

test('every file and folder the README\'s Architecture section names exists', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Architecture'), readme.indexOf('## Development'));
  const named = [...section.matchAll(/`(lib\/[^`<>]+)`/g)].map((m) => m[1]);
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter((p) => !fs.existsSync(path.join(ROOT, p)))).toEqual([]);
});
