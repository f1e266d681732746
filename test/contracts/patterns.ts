/**
 * Can an ARN written in a policy ever name a resource of a given type? Both sides are patterns of
 * literal characters and wildcards: the policy's `*` and `?` and its deploy-time tokens, the
 * Service Authorization Reference's `${Placeholders}`. The question is whether one string matches
 * both, answered by walking the two patterns together (a product of two small automata).
 */
import { Part } from './intrinsics';

type Cls = { lit: string } | { any: true } | { noColon: true } | { segment: true };
interface Item { readonly cls: Cls; readonly star: boolean }

const ANY: Cls = { any: true };
const NO_COLON: Cls = { noColon: true };
const SEGMENT: Cls = { segment: true };

function lits(text: string): Item[] {
  return [...text].map((c) => ({ cls: { lit: c }, star: false }));
}

/**
 * A policy's resource: `*` any text, `?` one character, name tokens one or more characters but
 * `:`, segment tokens one or more characters but `:` and `/`.
 */
export function policyPattern(parts: Part[]): Item[] {
  const items: Item[] = [];
  for (const p of parts) {
    if ('lit' in p) {
      for (const c of p.lit) {
        if (c === '*') items.push({ cls: ANY, star: true });
        else if (c === '?') items.push({ cls: ANY, star: false });
        else items.push({ cls: { lit: c }, star: false });
      }
    } else if (p.token === 'name') {
      items.push({ cls: NO_COLON, star: false }, { cls: NO_COLON, star: true });
    } else if (p.token === 'segment') {
      items.push({ cls: SEGMENT, star: false }, { cls: SEGMENT, star: true });
    } else {
      items.push({ cls: ANY, star: true });
    }
  }
  return items;
}

/**
 * A resource type's ARN format from the Service Authorization Reference: the partition, region
 * and account never hold a `:` (and may be empty, as in S3 and IAM ARNs); other placeholders
 * (names, paths, ids) are one or more characters.
 */
export function referencePattern(format: string): Item[] {
  const items: Item[] = [];
  const re = /\$\{([^}]*)\}/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    items.push(...lits(format.slice(last, m.index)));
    if (['Partition', 'Region', 'Account'].includes(m[1])) items.push({ cls: NO_COLON, star: true });
    else items.push({ cls: ANY, star: false }, { cls: ANY, star: true });
    last = m.index + m[0].length;
  }
  items.push(...lits(format.slice(last)));
  return items;
}

/** True when a character of both classes exists. */
function meet(a: Cls, b: Cls): boolean {
  if ('lit' in a && 'lit' in b) return a.lit === b.lit;
  if ('lit' in b) return meet(b, a);
  if ('lit' in a) return 'any' in b || ('noColon' in b && a.lit !== ':') || ('segment' in b && a.lit !== ':' && a.lit !== '/');
  return true;
}

/** True when some string matches both patterns. */
export function intersects(a: Item[], b: Item[]): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    if (i < a.length && a[i].star) stack.push([i + 1, j]);
    if (j < b.length && b[j].star) stack.push([i, j + 1]);
    if (i < a.length && j < b.length && meet(a[i].cls, b[j].cls)) {
      const ni = a[i].star ? i : i + 1;
      const nj = b[j].star ? j : j + 1;
      if (ni !== i || nj !== j) stack.push([ni, nj]);
    }
  }
  return false;
}

/** Glob match of an IAM action pattern (`s3:GetObject*`) against an action name, case-insensitive. */
export function actionGlob(pattern: string): RegExp {
  const body = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'i');
}
