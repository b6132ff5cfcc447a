/**
 * The XML fragments the AddressBook service carries in its string arguments, in hometel's namespace (the shape of
 * CallManagement's cams fragments: a declaration, the root in the namespace, unqualified children):
 *
 *   <ab:contactList xmlns:ab="urn:schemas-hometel-org:phone:ab">
 *     <contact><id/><name/><address label="mobile"/>*<group/>*<vip>0|1</vip><blocked>0|1</blocked>
 *       <note/>?<photo mediaType="image/jpeg">base64</photo>?<created/><updated/></contact>*
 *   </ab:contactList>
 *   <ab:contact …same children…/>            (one contact)
 *   <ab:groupList><group/>*</ab:groupList>
 *
 * Text is escaped once, as XML 1.0 requires, and nothing else: non-ASCII is written as UTF-8, never as character
 * references. Characters XML 1.0 cannot carry at all (C0 controls, lone surrogates) become U+FFFD, so an odd
 * imported name cannot make the fragment malformed. A list leaves photos out (a page stays small); one contact
 * carries its photo. Times are ISO 8601 in UTC.
 */
import { addressLabels, type AddressLabel, type Contact, type ContactAddress } from '../../contacts/index.js';
import { childElements, escapeXml, parseXml, sameNamespace, type Element } from '../../upnp/index.js';

export const addressBookNamespace = 'urn:schemas-hometel-org:phone:ab';

export type FragmentResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const declaration = '<?xml version="1.0" encoding="utf-8"?>';
// eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 forbids
const notXmlChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(value: string): string {
  return escapeXml(value.replace(notXmlChar, '\uFFFD'));
}

function el(name: string, value: string, attrs = ''): string {
  return `<${name}${attrs}>${text(value)}</${name}>`;
}

function contactBody(c: Contact, withPhoto: boolean): string {
  return [
    el('id', c.id),
    el('name', c.name),
    ...c.addresses.map((a) => el('address', a.value, ` label="${text(a.label)}"`)),
    ...(c.groups ?? []).map((g) => el('group', g)),
    el('vip', c.vip ? '1' : '0'),
    el('blocked', c.blocked ? '1' : '0'),
    ...(c.note !== undefined ? [el('note', c.note)] : []),
    ...(withPhoto && c.photo ? [el('photo', c.photo.data, ` mediaType="${text(c.photo.mediaType)}"`)] : []),
    el('created', new Date(c.created).toISOString()),
    el('updated', new Date(c.updated).toISOString()),
  ].join('');
}

/** A page of contacts, photos left out. */
export function buildContactList(contacts: readonly Contact[]): string {
  const items = contacts.map((c) => `<contact>${contactBody(c, false)}</contact>`).join('');
  return `${declaration}<ab:contactList xmlns:ab="${addressBookNamespace}">${items}</ab:contactList>`;
}

/** One contact, with its photo. */
export function buildContactInfo(contact: Contact): string {
  return `${declaration}<ab:contact xmlns:ab="${addressBookNamespace}">${contactBody(contact, true)}</ab:contact>`;
}

export function buildGroupList(groups: readonly string[]): string {
  return `${declaration}<ab:groupList xmlns:ab="${addressBookNamespace}">${groups.map((g) => el('group', g)).join('')}</ab:groupList>`;
}

// ------------------------------------------------------------------ reading (a TelCP's side, and the tests')

class FragmentError extends Error {}

function root(xml: string, localName: string): Element {
  const parsed = parseXml(xml);
  if (!parsed.ok) throw new FragmentError(parsed.reason);
  const r = parsed.doc.documentElement;
  if (!r || r.localName !== localName || !sameNamespace(r.namespaceURI, addressBookNamespace)) {
    throw new FragmentError(`the root is not ab:${localName}`);
  }
  return r;
}

function all(parent: Element, name: string): Element[] {
  return childElements(parent).filter((e) => e.localName === name);
}

function one(parent: Element, name: string): string {
  const found = all(parent, name);
  if (found.length !== 1) throw new FragmentError(`${parent.localName} needs one ${name}, has ${found.length}`);
  return found[0]!.textContent ?? '';
}

function optional(parent: Element, name: string): string | undefined {
  return all(parent, name).length ? one(parent, name) : undefined;
}

function flag(parent: Element, name: string): boolean {
  const v = one(parent, name).trim();
  if (v !== '0' && v !== '1') throw new FragmentError(`${name} is ${JSON.stringify(v)}, not 0 or 1`);
  return v === '1';
}

function time(parent: Element, name: string): number {
  const ms = Date.parse(one(parent, name));
  if (Number.isNaN(ms)) throw new FragmentError(`${name} is not a time`);
  return ms;
}

function address(e: Element): ContactAddress {
  const label = e.getAttribute('label') ?? '';
  if (!(addressLabels as readonly string[]).includes(label)) throw new FragmentError(`address label ${JSON.stringify(label)}`);
  return { value: e.textContent ?? '', label: label as AddressLabel };
}

function contact(e: Element): Contact {
  const note = optional(e, 'note');
  const photo = all(e, 'photo')[0];
  return {
    id: one(e, 'id'),
    name: one(e, 'name'),
    addresses: all(e, 'address').map(address),
    groups: all(e, 'group').map((g) => g.textContent ?? ''),
    vip: flag(e, 'vip'),
    blocked: flag(e, 'blocked'),
    ...(note !== undefined ? { note } : {}),
    ...(photo ? { photo: { mediaType: photo.getAttribute('mediaType') ?? '', data: photo.textContent ?? '' } } : {}),
    created: time(e, 'created'),
    updated: time(e, 'updated'),
  };
}

function reading<T>(read: () => T): FragmentResult<T> {
  try {
    return { ok: true, value: read() };
  } catch (e) {
    if (e instanceof FragmentError) return { ok: false, reason: e.message };
    throw e;
  }
}

export function parseContactList(xml: string): FragmentResult<Contact[]> {
  return reading(() => all(root(xml, 'contactList'), 'contact').map(contact));
}

export function parseContactInfo(xml: string): FragmentResult<Contact> {
  return reading(() => contact(root(xml, 'contact')));
}

export function parseGroupList(xml: string): FragmentResult<string[]> {
  return reading(() => all(root(xml, 'groupList'), 'group').map((g) => g.textContent ?? ''));
}
