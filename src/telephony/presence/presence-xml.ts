/**
 * The presence fragment in hometel's namespace (the shape of the VoiceMailInfo fragment: a declaration, the root in
 * the namespace, unqualified children):
 *
 *   <pr:presence xmlns:pr="urn:schemas-hometel-org:phone:presence">
 *     <contact><kind>extension|user</kind><id/><displayName/>?<user/>?<state/></contact>*
 *   </pr:presence>
 *
 * state: available, on-the-phone, ringing, dnd, offline.
 */
import type { ExtensionPresence, PresenceState, UserPresence } from '../../phones/index.js';
import { presenceStates } from '../../phones/index.js';
import { childElements, elementValue, escapeXml, parseXml, sameNamespace } from '../../upnp/index.js';

export const presenceNamespace = 'urn:schemas-hometel-org:phone:presence';

export interface ContactPresence {
  readonly kind: 'extension' | 'user';
  readonly id: string;
  readonly displayName?: string;
  readonly user?: string;
  readonly state: PresenceState;
}

// eslint-disable-next-line no-control-regex -- exactly the characters XML 1.0 forbids
const notXmlChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const el = (name: string, value: string): string => `<${name}>${escapeXml(value.replace(notXmlChar, '\uFFFD'))}</${name}>`;

export function contactsOf(extensions: readonly ExtensionPresence[], users: readonly UserPresence[]): ContactPresence[] {
  return [
    ...extensions.map((e) => ({ kind: 'extension' as const, id: e.number, ...(e.displayName !== undefined ? { displayName: e.displayName } : {}), ...(e.user !== undefined ? { user: e.user } : {}), state: e.state })),
    ...users.map((u) => ({ kind: 'user' as const, id: u.user, state: u.state })),
  ];
}

export function buildPresence(contacts: readonly ContactPresence[]): string {
  const items = contacts
    .map((c) => `<contact>${[el('kind', c.kind), el('id', c.id), ...(c.displayName !== undefined ? [el('displayName', c.displayName)] : []), ...(c.user !== undefined ? [el('user', c.user)] : []), el('state', c.state)].join('')}</contact>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><pr:presence xmlns:pr="${presenceNamespace}">${items}</pr:presence>`;
}

/** Reads a presence fragment (a TelCP's side); undefined when it is not one. */
export function parsePresence(xml: string): ContactPresence[] | undefined {
  const parsed = parseXml(xml);
  if (!parsed.ok) return undefined;
  const root = parsed.doc.documentElement;
  if (!root || root.localName !== 'presence' || !sameNamespace(root.namespaceURI, presenceNamespace)) return undefined;
  const contacts: ContactPresence[] = [];
  for (const c of childElements(root).filter((e) => e.localName === 'contact')) {
    const text = (name: string): string | undefined => {
      const e = childElements(c).find((x) => x.localName === name);
      return e ? elementValue(e) : undefined;
    };
    const kind = text('kind');
    const state = text('state') as PresenceState | undefined;
    if ((kind !== 'extension' && kind !== 'user') || !state || !presenceStates.includes(state)) continue;
    const displayName = text('displayName');
    const user = text('user');
    contacts.push({ kind, id: text('id') ?? '', ...(displayName !== undefined ? { displayName } : {}), ...(user !== undefined ? { user } : {}), state });
  }
  return contacts;
}
