import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Resources created with `PhysicalName.GENERATE_IF_NEEDED` get a name only when a stack of another
 * account or region refers to them. A stack deployed before that reference existed had
 * CloudFormation-generated names, so the first deploy with it replaces those resources. Synth
 * cannot know what was deployed before; it says which resources are named, and why, once per owner.
 */
const generated = new WeakMap<IConstruct, string[]>();
const noted = new WeakSet<IConstruct>();

/** Records that `owner` created a resource named only when another environment refers to it. */
export function namedWhenReferencedElsewhere(owner: IConstruct, what: string): void {
  generated.set(owner, [...(generated.get(owner) ?? []), what]);
}

/**
 * Prints, once per owner, which of its resources get generated names because `where` (another
 * account or region) refers to them, and what that means for a stack deployed before.
 */
export function noteGeneratedNames(owner: IConstruct, subject: string, where: string, replaced: string): void {
  const names = generated.get(owner) ?? [];
  if (names.length === 0 || noted.has(owner)) return;
  noted.add(owner);
  const one = names.length === 1;
  Annotations.of(owner).addInfo(`${subject}: ${list(names)} ${one ? 'gets a name' : 'get names'} generated at synth, because ${where} refers to ${one ? 'it' : 'them'}. A stack deployed before that reference existed has ${one ? 'it' : 'them'} replaced on its next deploy (${replaced}): see "Things to know before the first deploy to another account" in the cdk-delivery README.`);
}

function list(items: string[]): string {
  const text = items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
