/**
 * A small YAML writer for the files this library generates (appspecs): maps, lists, strings,
 * numbers and booleans. Strings are written as JSON strings (valid YAML double-quoted scalars) unless
 * they are plain words, so no value can change type or meaning when read back.
 */
export type YamlValue = string | number | boolean | YamlValue[] | { [key: string]: YamlValue | undefined } | RawYaml;

/** A value written as is (e.g. `0.0`, which must stay a version and not become the number 0). */
export class RawYaml {
  constructor(public readonly text: string) {}
}

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~)$/i;

function scalar(value: string | number | boolean | RawYaml): string {
  if (value instanceof RawYaml) return value.text;
  if (typeof value === 'string') return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
  return String(value);
}

function isScalar(value: YamlValue): value is string | number | boolean | RawYaml {
  return typeof value !== 'object' || value instanceof RawYaml;
}

/** Renders a value as a YAML document. */
export function toYaml(value: YamlValue): string {
  return render(value, 0).join('\n') + '\n';
}

function render(value: YamlValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (isScalar(value)) return [pad + scalar(value)];
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (isScalar(item)) return [`${pad}- ${scalar(item)}`];
      const lines = render(item, indent + 2);
      return [`${pad}- ${lines[0].trimStart()}`, ...lines.slice(1)];
    });
  }
  return Object.entries(value).filter(([, v]) => v !== undefined).flatMap(([key, v]) => {
    if (isScalar(v!)) return [`${pad}${key}: ${scalar(v!)}`];
    if (Array.isArray(v) && v.length === 0) return [`${pad}${key}: []`];
    return [`${pad}${key}:`, ...render(v!, indent + 2)];
  });
}
