/* eslint-disable @typescript-eslint/no-explicit-any -- Ajv's error params are untyped */
/**
 * JSON Schema validators, compiled once per schema and machine: Ajv's standalone code is kept in
 * node_modules/.cache, so a test worker loads a module instead of compiling every schema in every
 * test file (about 200 ms each). `precompile` (Jest's global setup) writes them before workers start.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { TOKEN } from './intrinsics';
import standaloneCode from 'ajv/dist/standalone';

const CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'cdk-delivery-contracts');
const ajvVersion: string = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('ajv/package.json')), 'package.json'), 'utf8')).version;
const loaded = new Map<object, ValidateFunction>();

function fileOf(schema: object): string {
  const hash = createHash('sha1').update(ajvVersion).update(JSON.stringify(schema)).digest('hex').slice(0, 16);
  return path.join(CACHE, `schema-${hash}.js`);
}

/** Compiles a schema to standalone code in the cache (when it is not there yet). */
function write(schema: object, file: string): void {
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true } });
  const code = standaloneCode(ajv, ajv.compile(schema));
  fs.mkdirSync(CACHE, { recursive: true });
  // Written whole, then renamed: parallel test workers never read half a file.
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, file);
}

/** The validator of a schema. */
export function validator(schema: object): ValidateFunction {
  let fn = loaded.get(schema);
  if (!fn) {
    const file = fileOf(schema);
    if (!fs.existsSync(file)) write(schema, file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated code, loaded by path
    const mod = require(file);
    fn = (mod.default ?? mod) as ValidateFunction;
    loaded.set(schema, fn);
  }
  return fn;
}

/** Compiles every schema ahead of the test workers. */
export function precompile(schemas: object[]): void {
  for (const schema of schemas) {
    const file = fileOf(schema);
    if (!fs.existsSync(file)) write(schema, file);
  }
}

/**
 * What a value breaks of a schema: the JSON path (dotted), what is there and what the schema
 * requires. What only a deploy-time value could decide (a token marker) is left out.
 */
export function schemaErrors(schema: object, value: unknown): Array<{ path: string; found: string; requires: string }> {
  const fn = validator(schema);
  if (fn(value)) return [];
  return (fn.errors ?? []).flatMap((e) => {
    const path = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const found = path.reduce<any>((v, k) => v?.[k], value);
    if (e.keyword === 'if' || (typeof found === 'string' && found.includes(TOKEN))) return [];
    const params = e.params as any;
    const detail = params.additionalProperty ? `: ${params.additionalProperty}` : params.allowedValues ? ` ${JSON.stringify(params.allowedValues)}` : params.propertyName ? ` (${params.propertyName})` : '';
    return [{ path: path.join('.'), found: params.additionalProperty ?? params.propertyName ?? JSON.stringify(found), requires: `${e.message}${detail}` }];
  });
}
