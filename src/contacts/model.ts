/**
 * The home's address book (issue 12): a contact is a name with numbers and SIP URIs (each with a label), an
 * optional note and photo, a VIP and a blocked flag, and groups. These are the shapes every part of the contacts
 * feature shares — the store, the importers and exporters, the UPnP, HTTP and CLI interfaces.
 */

/** What an address is to the person (vCard TYPE, FRITZ!Box number type, CSV column). */
export type AddressLabel = 'home' | 'mobile' | 'work' | 'fax' | 'other';
export const addressLabels: readonly AddressLabel[] = ['home', 'mobile', 'work', 'fax', 'other'];

/** A telephone number or a SIP URI of a contact, as entered or imported (normalised only for matching). */
export interface ContactAddress {
  readonly value: string;
  readonly label: AddressLabel;
}

export interface ContactPhoto {
  /** e.g. image/jpeg */
  readonly mediaType: string;
  /** base64 */
  readonly data: string;
}

/** A contact before it is stored (an import's record, an API request). */
export interface ContactDraft {
  readonly name: string;
  readonly addresses: ContactAddress[];
  readonly note?: string;
  readonly photo?: ContactPhoto;
  readonly vip?: boolean;
  readonly blocked?: boolean;
  readonly groups?: string[];
}

export interface Contact extends ContactDraft {
  readonly id: string;
  /** ms since the epoch */
  readonly created: number;
  readonly updated: number;
}

/** The formats the address book reads. */
export type ImportFormat = 'vcard' | 'fritzbox' | 'csv';
/** The desk phones' remote phonebook formats it writes. */
export type PhonebookFormat = 'yealink' | 'snom' | 'grandstream';

/** A record an import could not read: where it is in the file, and why. */
export interface ImportProblem {
  /** 1-based line of the record's start (vCard, CSV), or the element's position (FRITZ!Box: `contact[3]`). */
  readonly at: string;
  readonly reason: string;
}

/** What a parser of one of the formats makes of a file: every record it could read, and every one it could not. */
export interface ParsedContacts {
  readonly drafts: readonly ContactDraft[];
  readonly problems: readonly ImportProblem[];
}
