/**
 * The cron expression and time zone of CodePipeline's DeploymentWindow rule, checked as the rule
 * reference defines them
 * (https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html):
 * six required fields and an optional year, seconds first, Quartz-style:
 *
 * | field | values | special characters |
 * |---|---|---|
 * | Seconds | none | `*` |
 * | Minutes | 0-59 | `, - * /` |
 * | Hours | 0-23 | `, - * /` |
 * | Day-of-month | 1-31 | `, - * ? / L W` |
 * | Month | 1-12 or JAN-DEC | `, - * /` |
 * | Day-of-week | 1-7 or SUN-SAT | `, - * ? / L #` |
 * | Year (optional) | 1970-2199 | `, - * /` |
 *
 * Names are not case sensitive. `?` ("no specific value") goes in one of day-of-month and
 * day-of-week. This is not EventBridge's cron (no seconds) nor Unix cron (five fields).
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string[];
  /** Special characters allowed besides `, - * /`. */
  readonly extra: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: Field[] = [
  { name: 'seconds', min: 0, max: 0, extra: '' },
  { name: 'minutes', min: 0, max: 59, extra: '' },
  { name: 'hours', min: 0, max: 23, extra: '' },
  { name: 'day-of-month', min: 1, max: 31, extra: '?LW' },
  { name: 'month', min: 1, max: 12, names: MONTHS, extra: '' },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, extra: '?L#' },
  { name: 'year', min: 1970, max: 2199, extra: '' },
];

/** The first problem of one field's value, or undefined. */
function fieldProblem(field: Field, value: string): string | undefined {
  const v = value.toUpperCase();
  if (field.name === 'seconds') return v === '*' ? undefined : `seconds is '${value}', and the deployment window accepts only '*' there`;
  if (v === '*') return undefined;
  if (v === '?') return field.extra.includes('?') ? undefined : `${field.name} is '?', which only day-of-month and day-of-week accept`;
  const number = (text: string): number | undefined => {
    if (/^\d+$/.test(text)) return Number(text);
    const i = field.names?.indexOf(text) ?? -1;
    return i >= 0 ? i + 1 : undefined;
  };
  const inRange = (n: number | undefined) => n !== undefined && n >= field.min && n <= field.max;
  const allowed = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
  for (const item of v.split(',')) {
    if (item === '') return `${field.name} '${value}' has an empty list item`;
    if (field.extra.includes('L') && field.name === 'day-of-month' && /^(L(-\d+)?|LW)$/.test(item)) {
      const offset = Number(item.slice(2) || 0);
      if (offset > 30) return `${field.name} '${value}': L-${offset} is before the first day of any month`;
      continue;
    }
    if (field.name === 'day-of-month' && /^\d+W$/.test(item)) {
      if (!inRange(number(item.slice(0, -1)))) return `${field.name} '${value}': ${item} is not a day ${allowed}`;
      continue;
    }
    if (field.name === 'day-of-week' && /^(L|[^#L]+L)$/.test(item)) {
      if (item !== 'L' && !inRange(number(item.slice(0, -1)))) return `${field.name} '${value}': ${item} is not a day ${allowed}`;
      continue;
    }
    if (field.name === 'day-of-week' && item.includes('#')) {
      const [day, nth] = item.split('#');
      if (!inRange(number(day)) || !/^[1-5]$/.test(nth)) return `${field.name} '${value}': ${item} must be a day (${allowed}) then # then 1-5`;
      continue;
    }
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) return `${field.name} '${value}' has more than one '/'`;
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max)) {
      return `${field.name} '${value}': the increment after '/' must be a number from 1 to ${field.max}`;
    }
    if (range === '*' && step !== undefined) continue;
    const bounds = range.split('-');
    if (bounds.length > 2 || bounds.some((b) => !inRange(number(b)))) {
      return `${field.name} '${value}' must use values ${allowed}${field.extra ? ` and the special characters , - * / ${field.extra.split('').join(' ')}` : ' and the special characters , - * /'}`;
    }
  }
  return undefined;
}

/** Problems of a deployment-window cron expression written in AWS's order (empty when it is valid). */
export function cronProblems(cron: string): string[] {
  const fields = cron.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 7) return [`has ${fields.length} fields; the deployment window takes 6 or 7 (seconds minutes hours day-of-month month day-of-week [year])`];
  const problems = fields.map((f, i) => fieldProblem(FIELDS[i], f)).filter((p): p is string => p !== undefined);
  const dom = fields[3];
  const dow = fields[5];
  if (problems.length === 0 && (dom === '?') === (dow === '?')) {
    problems.push(dom === '?' ? 'has \'?\' in both day-of-month and day-of-week; give one of them a value' : 'sets both day-of-month and day-of-week; put \'?\' in one of them');
  }
  return problems;
}

/**
 * The expression AWS would read as meant, for an error message: a five-field Unix cron or a
 * minutes-first six-field cron gets `*` seconds in front (and `?` for an unrestricted day field).
 * Undefined when no simple correction is valid.
 */
export function correctedCron(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return undefined;
  if (fields.length === 5) {
    // Unix cron counts days of the week 0-6 (or 7) from Sunday; the deployment window 1-7 from Sunday.
    fields[4] = fields[4].replace(/\d+/g, (d) => String((Number(d) % 7) + 1));
  }
  const candidate = ['*', ...fields];
  if (candidate[3] === '*' && candidate[5] !== '*' && candidate[5] !== '?') candidate[3] = '?';
  else if (candidate[5] === '*' && candidate[3] !== '?') candidate[5] = '?';
  const text = candidate.join(' ');
  return cronProblems(text).length === 0 ? text : undefined;
}

/**
 * A deployment window's time zone: an IANA Region/City name, `UTC` with an optional `+HH:MM` or
 * `-HH:MM` offset, or a 3-5 letter abbreviation, as the rule reference lists them.
 */
export function timeZoneProblem(zone: string): string | undefined {
  if (/^UTC([+-]([01]\d|2[0-3]):[0-5]\d)?$/.test(zone)) return undefined;
  if (/^[A-Z]{3,5}$/.test(zone)) return undefined;
  if (/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(zone)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return undefined;
    } catch {
      return 'is not an IANA time zone name';
    }
  }
  return 'is not a time zone the deployment window accepts (an IANA name such as Europe/Paris, UTC or UTC+05:30, or an abbreviation such as PST)';
}
