/**
 * AVM FRITZ!Box phonebook export: `<phonebooks><phonebook name="…"><contact>` with `<category>` (1: important,
 * read as VIP), `<person><realName>`, `<telephony><number type="home|mobile|work|fax_work|…" prio="1">`. Numbers
 * come main number (prio 1) first; a number with `@` is a SIP address. E-mail, ring tones, pictures (paths on the
 * box) and quick dials have no place in a contact and are left out.
 */
import type { AddressLabel, ContactAddress, ParsedContacts } from '../model.js';
import { numberOrSip, ParseResult } from './draft.js';
import { childText, children, readXml, type Element } from './xml.js';

export function parseFritzbox(xml: string): ParsedContacts {
  const result = new ParseResult();
  const doc = readXml(xml);
  if (typeof doc === 'string') {
    result.problem('document', doc);
    return result.done();
  }
  const root = doc.documentElement;
  const books = root?.localName === 'phonebooks' ? children(root, 'phonebook') : root?.localName === 'phonebook' ? [root] : [];
  if (books.length === 0) result.problem('document', `not a FRITZ!Box phonebook (root element <${root?.localName ?? ''}>)`);
  books.forEach((book, b) => {
    children(book, 'contact').forEach((contact, c) => {
      result.add(books.length > 1 ? `phonebook[${b + 1}]/contact[${c + 1}]` : `contact[${c + 1}]`, {
        name: childText(children(contact, 'person')[0] ?? contact, 'realName'),
        addresses: numbers(contact),
        vip: childText(contact, 'category') === '1',
      });
    });
  });
  return result.done();
}

function numbers(contact: Element): ContactAddress[] {
  const all = children(contact, 'telephony').flatMap((t) => children(t, 'number'));
  const main = all.filter((n) => n.getAttribute('prio') === '1');
  return [...main, ...all.filter((n) => !main.includes(n))]
    .map((n) => numberOrSip(n.textContent ?? '', labelOf(n.getAttribute('type') ?? '')))
    .filter((a): a is ContactAddress => a !== undefined);
}

/** FRITZ!Box number types: home, mobile, work, fax_work; intern, memo and the rest are other. */
function labelOf(type: string): AddressLabel {
  if (type.startsWith('fax')) return 'fax';
  return type === 'home' || type === 'mobile' || type === 'work' ? type : 'other';
}
