import { Token } from 'aws-cdk-lib';
import { API_SHAPES } from './api-shapes';
import { Problems, internalError } from './validation';

/**
 * Checks what a public entry point is handed against the shape the jsii assembly gives it (see
 * scripts/api-shapes.js): plain JavaScript, and other jsii languages, can pass any value. Types
 * are checked, props that are not props are reported with a did-you-mean, and a `null` where a
 * value may be left out is reported too, so later checks never meet a value of the wrong type.
 */

type Shape = 's' | 'n' | 'b' | 'a' | { l: Shape } | { m: Shape } | { s: string } | { e: Array<string | number> } | { o: string; k?: string[] } | { u: Shape[] };
interface Param { readonly n: string; readonly t: Shape; readonly o?: 1; readonly v?: 1 }

const NAMES: { [kind: string]: string } = { s: 'a string', n: 'a number', b: 'a boolean' };

function typeName(shape: Shape): string {
  if (typeof shape === 'string') return NAMES[shape] ?? 'a value';
  if ('l' in shape) return `a list of ${plural(shape.l)}`;
  if ('m' in shape) return `a map of ${plural(shape.m)}`;
  if ('s' in shape) return `an object (${shape.s.split('.').pop()})`;
  if ('e' in shape) return `one of ${shape.e.map((v) => JSON.stringify(v)).join(', ')}`;
  if ('o' in shape) return `a ${shape.o.split('.').pop()}`;
  return shape.u.map(typeName).join(' or ');
}

function plural(shape: Shape): string {
  if (typeof shape === 'object' && 's' in shape) return `${shape.s.split('.').pop()} objects`;
  if (typeof shape === 'object' && 'o' in shape) return `${shape.o.split('.').pop()}s`;
  if (typeof shape === 'object' && 'e' in shape) return `values (${typeName(shape)})`;
  return `${typeName(shape).replace(/^an? /, '')}s`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** Keys that belong to other entry points, and where they go. */
const ELSEWHERE: { [key: string]: string } = {
  pushFilters: 'trigger filters apply to connection sources only: use Source.connection(\'owner/repo\', ...) for a GitHub, GitLab or Bitbucket repository',
  pullRequestFilters: 'trigger filters apply to connection sources only: use Source.connection(\'owner/repo\', ...) for a GitHub, GitLab or Bitbucket repository',
  filePaths: 'trigger filters apply to connection sources only: use Source.connection(\'owner/repo\', ...) for a GitHub, GitLab or Bitbucket repository',
};

/** Props renamed while the package is 0.x (`Struct.old` to the new name): the error names the new one. */
const RENAMED: { [structAndKey: string]: string } = {
  'BuildStepProps.env': 'environmentVariables',
  'DockerImageStepProps.env': 'environmentVariables',
  'GraphBuild.env': 'environmentVariables',
};

/** The prop a misspelled key most likely meant. */
function suggest(key: string, known: string[]): string | undefined {
  const scored = known.map((k) => ({ k, d: k.toLowerCase() === key.toLowerCase() ? 0 : distance(key.toLowerCase(), k.toLowerCase()) }));
  const best = scored.sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 4)) ? best.k : undefined;
}

function checkValue(problems: Problems, prop: string, value: unknown, shape: Shape): void {
  if (value === undefined) return;
  const wrong = () => problems.add(prop, value, `is ${kindOf(value)}, but ${typeName(shape)} is expected`, `give ${typeName(shape)}`);
  if (shape === 'a') return;
  if (shape === 's') {
    if (typeof value !== 'string') wrong();
    return;
  }
  if (shape === 'n') {
    if (typeof value !== 'number' || Number.isNaN(value)) wrong();
    return;
  }
  if (shape === 'b') {
    if (typeof value !== 'boolean') wrong();
    return;
  }
  if ('u' in shape) {
    const attempts = shape.u.map((s) => {
      const p = new Problems('');
      checkValue(p, prop, value, s);
      return p.length;
    });
    if (!attempts.includes(0)) wrong();
    return;
  }
  if ('l' in shape) {
    if (!Array.isArray(value)) return wrong();
    if (Token.isUnresolved(value)) return;
    value.forEach((v, i) => (v === undefined || v === null ? problems.add(`${prop}[${i}]`, v, 'is empty', 'remove it from the list') : checkValue(problems, `${prop}[${i}]`, v, shape.l)));
    return;
  }
  if ('m' in shape) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return wrong();
    for (const [k, v] of Object.entries(value)) checkValue(problems, `${prop}.${k}`, v, shape.m);
    return;
  }
  if ('e' in shape) {
    if (!shape.e.includes(value as string | number) && !(typeof value === 'number' && Token.isUnresolved(value))) wrong();
    return;
  }
  if ('s' in shape) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return wrong();
    checkStruct(problems, `${prop}.`, shape.s, value as Record<string, unknown>);
    return;
  }
  // A class or interface: an object with its methods (instanceof would fail across copies of aws-cdk-lib).
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || Array.isArray(value)) {
    wrong();
    return;
  }
  const missing = (shape.k ?? []).filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    problems.add(prop, value, `is an object, but not ${typeName(shape)}: it has no ${missing.join(', ')}`, `give ${typeName(shape)}`);
  }
}

function checkStruct(problems: Problems, prefix: string, fqn: string, value: Record<string, unknown>): void {
  const struct = API_SHAPES.structs[fqn] as { p: { [name: string]: { t: Shape; o?: 1 } }; open?: 1 } | undefined;
  if (!struct) return;
  const known = Object.keys(struct.p);
  for (const key of Object.keys(value)) {
    const prop = struct.p[key];
    if (!prop) {
      if (struct.open || value[key] === undefined) continue;
      const structName = fqn.split('.').pop();
      const renamed = RENAMED[`${structName}.${key}`];
      const close = suggest(key, known);
      problems.add(`${prefix}${key}`, value[key], `is not a prop of ${structName}`,
        renamed ? `it was renamed to '${renamed}' in cdk-delivery 0.x: use ${renamed}` : close ? `did you mean '${close}'?` : ELSEWHERE[key] ? `remove it: ${ELSEWHERE[key]}` : `remove it; the props are ${known.join(', ')}`);
      continue;
    }
    if (value[key] === null) {
      problems.add(`${prefix}${key}`, null, 'is null', prop.o ? 'leave it out (undefined) for its default' : `give ${typeName(prop.t)}`);
      continue;
    }
    checkValue(problems, `${prefix}${key}`, value[key], prop.t);
  }
}

/**
 * The constructor whose shape applies to an instance of `target`: its own, or that of the nearest
 * class of this library it extends (a user's subclass passes its parent's props to `super`).
 */
export function constructorOf(target: unknown): string {
  for (let c = target as { name?: string } | null; c && typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    if (c.name && API_SHAPES.methods[`cdk-delivery.${c.name}#new`]) return `${c.name}#new`;
  }
  return `${(target as { name?: string }).name}#new`;
}

/**
 * Checks the arguments of a constructor (`Class#new`) or method (`Class.method`, `Class#method`)
 * of the public API, and throws our error listing every problem. Members of a props or options
 * object are named by themselves; other parameters by their name.
 *
 * @param method e.g. `BuildStep#new`, `Source.codeCommit`
 * @param args the arguments as received
 * @param subject who is called, for the message
 * @default - the method, as `Class.method`
 */
export function checkArgs(method: string, args: ArrayLike<unknown>, subject: string = method.replace('#', '.')): void {
  const params = API_SHAPES.methods[`cdk-delivery.${method}`] as Param[] | undefined;
  if (!params) internalError(`checkArgs: no shape for ${method} (npm run build writes the shapes)`);
  const problems = new Problems(subject);
  params.forEach((p, i) => {
    const value = args[i];
    if (p.v) {
      Array.from(args).slice(i).forEach((v, k) => checkValue(problems, `${p.n}[${k}]`, v, p.t));
      return;
    }
    if (value === undefined || value === null) {
      if (!p.o) problems.add(p.n, value, 'is required', p.n === 'props' || p.n === 'options' ? `pass the ${p.n} object (${typeName(p.t).replace(/^an object \((.*)\)$/, '$1')})` : `give ${typeName(p.t)}`);
      else if (value === null) problems.add(p.n, value, 'is null', 'leave it out (undefined) for its default');
      return;
    }
    if (p.n === 'id' && value === '') {
      problems.add('id', value, 'is empty', 'give the construct an id, unique among its siblings');
      return;
    }
    const struct = typeof p.t === 'object' && 's' in p.t;
    if (struct && ['props', 'options'].includes(p.n) && typeof value === 'object' && !Array.isArray(value)) {
      checkStruct(problems, '', (p.t as { s: string }).s, value as Record<string, unknown>);
    } else {
      checkValue(problems, p.n, value, p.t);
    }
  });
  problems.throwIfAny();
}
