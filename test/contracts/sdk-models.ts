/**
 * The AWS SDK for JavaScript v3 service models, read from the published `@aws-sdk/client-*`
 * packages: each operation's input shape (member names and casing, required members, enum values,
 * nested structures and lists) and the errors it can throw. The declarations are read with the
 * TypeScript compiler once per package version and kept in node_modules/.cache.
 */
import * as fs from 'fs';
import * as path from 'path';

export type Shape =
  | { readonly type: 'string'; readonly enum?: string[] }
  | { readonly type: 'number' | 'boolean' | 'timestamp' | 'blob' | 'document' }
  | { readonly type: 'list'; readonly member: Shape }
  | { readonly type: 'map'; readonly value: Shape }
  | { readonly type: 'structure'; readonly name: string }
  | { readonly type: 'ref'; readonly name: string };

export interface Structure { readonly members: { [name: string]: { shape: Shape; required: boolean } } }

export interface ServiceModel {
  readonly package: string;
  readonly version: string;
  readonly operations: { [op: string]: { input: string; errors: string[] } };
  readonly structures: { [name: string]: Structure };
}

const CDK_SDK_INFO = path.join(path.dirname(require.resolve('aws-cdk-lib')), 'custom-resources', 'lib', 'helpers-internal');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** v3 package of a service name as AwsCustomResource and integ assertions take it (`CodeDeploy`, `@aws-sdk/client-codedeploy`). */
export function sdkPackage(service: string): string {
  const v2ToV3 = readJson(path.join(CDK_SDK_INFO, 'sdk-v2-to-v3.json'));
  let name = service.toLowerCase().replace(/^@aws-sdk\/client-/, '');
  name = v2ToV3[name] ?? name;
  return `@aws-sdk/client-${name}`;
}

/** The IAM prefix of a v3 package, as aws-cdk-lib maps it. */
export function iamPrefix(pkg: string): string {
  const metadata = readJson(path.join(CDK_SDK_INFO, 'sdk-v3-metadata.json'));
  const name = pkg.replace(/^@aws-sdk\/client-/, '');
  return metadata[name]?.iamPrefix ?? name;
}

function packageDir(pkg: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    try {
      return path.resolve(require.resolve(pkg), '..', '..');
    } catch {
      return undefined;
    }
  }
}

function cacheFile(pkg: string, version: string): string {
  return path.join(__dirname, '..', '..', 'node_modules', '.cache', 'cdk-delivery-contracts', `${pkg.replace(/[@/]/g, '_')}-${version}.json`);
}

const models = new Map<string, ServiceModel | undefined>();

/** The model of a v3 package, or undefined when the package is not installed. */
export function serviceModel(pkg: string): ServiceModel | undefined {
  if (models.has(pkg)) return models.get(pkg);
  const dir = packageDir(pkg);
  let model: ServiceModel | undefined;
  if (dir) {
    const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    const file = cacheFile(pkg, version);
    if (fs.existsSync(file)) {
      model = JSON.parse(fs.readFileSync(file, 'utf8'));
    } else {
      model = readModel(pkg, dir, version);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Written whole, then renamed: parallel test workers never read half a file.
      const tmp = `${file}.${process.pid}`;
      fs.writeFileSync(tmp, JSON.stringify(model));
      fs.renameSync(tmp, file);
    }
  }
  models.set(pkg, model);
  return model;
}

function readModel(pkg: string, dir: string, version: string): ServiceModel {
  // TypeScript is loaded only when a model is not cached yet.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, synchronously
  const ts: typeof import('typescript') = require('typescript');
  const entry = path.join(dir, 'dist-types', 'index.d.ts');
  const program = ts.createProgram([entry], { noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022, moduleResolution: ts.ModuleResolutionKind.Node10 });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const exports = checker.getExportsOfModule(module);
  const structures: { [name: string]: Structure } = {};

  const shapeOf = (type: import('typescript').Type): Shape => {
    let types = type.isUnion() ? type.types : [type];
    types = types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (types.length > 0 && types.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    if (types.length > 0 && types.every((t) => t.isStringLiteral())) return { type: 'string', enum: types.map((t) => (t as import('typescript').StringLiteralType).value) };
    if (types.length !== 1) {
      if (types.some((t) => t.flags & ts.TypeFlags.String)) return { type: 'string' };
      return { type: 'document' };
    }
    const t = types[0];
    if (t.flags & ts.TypeFlags.String) return { type: 'string' };
    if (t.flags & ts.TypeFlags.Number) return { type: 'number' };
    if (t.flags & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (checker.isArrayType(t)) return { type: 'list', member: shapeOf(checker.getTypeArguments(t as import('typescript').TypeReference)[0]) };
    const name = t.getSymbol()?.getName();
    if (name === 'Date') return { type: 'timestamp' };
    if (name === 'Uint8Array') return { type: 'blob' };
    const index = checker.getIndexInfoOfType(t, ts.IndexKind.String);
    if (index) return { type: 'map', value: shapeOf(index.type) };
    if (t.flags & ts.TypeFlags.Object && name && name !== '__type') {
      if (!structures[name]) {
        structures[name] = { members: {} };
        const members: Structure['members'] = {};
        for (const prop of checker.getPropertiesOfType(t)) {
          const propType = checker.getTypeOfSymbol(prop);
          members[prop.getName()] = { shape: shapeOf(propType), required: !(prop.flags & ts.SymbolFlags.Optional) };
        }
        structures[name] = { members };
      }
      return { type: 'structure', name };
    }
    return { type: 'document' };
  };

  const operations: ServiceModel['operations'] = {};
  for (const symbol of exports) {
    const m = /^(.*)CommandInput$/.exec(symbol.getName());
    if (!m) continue;
    const op = m[1];
    const declared = checker.getDeclaredTypeOfSymbol(symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
    const input = `${op}CommandInput`;
    structures[input] = { members: {} };
    const members: Structure['members'] = {};
    for (const prop of checker.getPropertiesOfType(declared)) {
      members[prop.getName()] = { shape: shapeOf(checker.getTypeOfSymbol(prop)), required: !(prop.flags & ts.SymbolFlags.Optional) };
    }
    structures[input] = { members };
    const commandFile = path.join(dir, 'dist-types', 'commands', `${op}Command.d.ts`);
    const text = fs.existsSync(commandFile) ? fs.readFileSync(commandFile, 'utf8') : '';
    const errors = [...new Set([...text.matchAll(/@throws \{@link (\w+)\}/g)].map((e) => e[1]))];
    operations[op] = { input, errors };
  }
  return { package: pkg, version, operations, structures };
}
