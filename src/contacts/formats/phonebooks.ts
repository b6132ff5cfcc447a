/**
 * The desk phones' remote phonebooks: every contact with at least one address, in the order given.
 * - Yealink: `YealinkIPPhoneDirectory` / `DirectoryEntry` with `Name` and one `Telephone` per number (the remote
 *   phone book of Yealink's administrator guides); `label` names the kind, as Yealink's newer firmware shows it.
 * - Snom: the XML minibrowser's `SnomIPPhoneDirectory`, whose `DirectoryEntry` holds one `Name` and one
 *   `Telephone` (docs.snom.io, "Snom XML Minibrowser"): one entry per number, the kind after the name when a
 *   contact has several.
 * - Grandstream: the GXP XML phonebook (`AddressBook` / `Contact` / `Phone type="Work|Home|Mobile|Fax|Other"` with
 *   `phonenumber` and `accountindex`, 0 being the first account; Grandstream's "GXP Series XML Phonebook Guide").
 *   The whole name goes in `FirstName`: splitting a name into first and last is a guess.
 * SIP URIs are written as the phones dial them, `user@host` (the `sip:` scheme dropped; `sips:` kept).
 */
import type { AddressLabel, Contact, ContactAddress, PhonebookFormat } from '../model.js';
import { oneLine } from './draft.js';
import { escapeXml } from './xml.js';

const kinds: Record<AddressLabel, string> = { home: 'Home', mobile: 'Mobile', work: 'Work', fax: 'Fax', other: 'Other' };

const writers: Record<PhonebookFormat, (contacts: readonly Listed[]) => string[]> = {
  yealink: (contacts) => [
    '<YealinkIPPhoneDirectory>',
    ...contacts.flatMap(({ name, addresses }) => [
      '  <DirectoryEntry>',
      `    <Name>${name}</Name>`,
      ...addresses.map((a) => `    <Telephone label="${kinds[a.label]}">${dialable(a)}</Telephone>`),
      '  </DirectoryEntry>',
    ]),
    '</YealinkIPPhoneDirectory>',
  ],
  snom: (contacts) => [
    '<SnomIPPhoneDirectory>',
    '  <Title>hometel</Title>',
    ...contacts.flatMap(({ name, addresses }) =>
      addresses.map((a) =>
        `  <DirectoryEntry><Name>${addresses.length > 1 ? `${name} (${kinds[a.label]})` : name}</Name><Telephone>${dialable(a)}</Telephone></DirectoryEntry>`,
      ),
    ),
    '</SnomIPPhoneDirectory>',
  ],
  grandstream: (contacts) => [
    '<AddressBook>',
    '  <version>1</version>',
    ...contacts.flatMap(({ name, addresses }) => [
      '  <Contact>',
      `    <FirstName>${name}</FirstName>`,
      '    <LastName></LastName>',
      ...addresses.map(
        (a) => `    <Phone type="${kinds[a.label]}"><phonenumber>${dialable(a)}</phonenumber><accountindex>0</accountindex></Phone>`,
      ),
      '  </Contact>',
    ]),
    '</AddressBook>',
  ],
};

/** A contact as the phonebooks list it: name escaped, addresses kept (and escaped when written). */
interface Listed {
  readonly name: string;
  readonly addresses: readonly ContactAddress[];
}

export function writePhonebook(format: PhonebookFormat, contacts: readonly Contact[]): string {
  const listed = contacts
    .map((c) => ({ name: escapeXml(oneLine(c.name)), addresses: c.addresses.filter((a) => dialable(a) !== '') }))
    .filter((c) => c.addresses.length > 0);
  return ['<?xml version="1.0" encoding="UTF-8"?>', ...writers[format](listed), ''].join('\n');
}

function dialable(address: ContactAddress): string {
  return escapeXml(oneLine(address.value.replace(/^sip:/i, '')));
}
