/**
 * The address book's file formats: readers (vCard 3.0/4.0, the FRITZ!Box phonebook XML, CSV with a header row) that
 * turn a file into drafts and problems, and writers (vCard, the desk phones' remote phonebook XML).
 * (Signatures fixed for the parallel work of issue 12; the implementations replace these.)
 */
import type { Contact, ParsedContacts, PhonebookFormat } from '../model.js';

const notYet = (what: string): never => {
  throw new Error(`${what} is not implemented yet`);
};

export function parseVcard(_text: string): ParsedContacts {
  return notYet('vCard import');
}

export function parseFritzbox(_xml: string): ParsedContacts {
  return notYet('FRITZ!Box import');
}

export function parseCsv(_text: string): ParsedContacts {
  return notYet('CSV import');
}

export function writeVcard(_contacts: readonly Contact[]): string {
  return notYet('vCard export');
}

export function writePhonebook(_format: PhonebookFormat, _contacts: readonly Contact[]): string {
  return notYet('phonebook export');
}
