/**
 * The rules a contact must meet before it is stored — the same for the API, the CLI and every imported record —
 * and its normal form: text trimmed, flags and groups present, addresses and groups without repeats.
 * Types are checked too: a draft may come straight from a JSON body.
 */
import { ContactError } from './errors.js';
import { addressLabels, type AddressLabel, type ContactAddress, type ContactDraft, type ContactPhoto } from './model.js';
import { addressKey, isTelephoneNumber, type NumberPlan } from './numbers.js';

export const MAX_NAME_LENGTH = 200;
export const MAX_ADDRESSES = 50;
export const MAX_ADDRESS_LENGTH = 256;
export const MAX_NOTE_LENGTH = 10_000;
export const MAX_GROUPS = 50;
export const MAX_GROUP_LENGTH = 100;
/** The photo's size once decoded from base64. */
export const MAX_PHOTO_BYTES = 256 * 1024;

/** A draft in its normal form, with the matching key of each address. */
export interface CheckedDraft {
  readonly draft: Required<Pick<ContactDraft, 'name' | 'addresses' | 'vip' | 'blocked' | 'groups'>> & Pick<ContactDraft, 'note' | 'photo'>;
  readonly keys: ReadonlyArray<string | undefined>;
}

/** Control characters (tab and newline are allowed where multi-line text is: the note). */
const control = /\p{Cc}/u;
const controlButLines = /(?![\t\n\r])\p{Cc}/u;

const invalid = (message: string): never => {
  throw new ContactError('invalid', message);
};

/** The draft in normal form, or ContactError('invalid') saying the first rule it breaks. */
export function checkDraft(d: ContactDraft, plan: NumberPlan): CheckedDraft {
  if (typeof d !== 'object' || d === null) return invalid('a contact must be an object');
  const name = text(d.name, 'the name', MAX_NAME_LENGTH, control);
  if (!Array.isArray(d.addresses)) return invalid('addresses must be a list');
  if (d.addresses.length > MAX_ADDRESSES) invalid(`at most ${MAX_ADDRESSES} addresses`);
  const addresses: ContactAddress[] = [];
  const keys: Array<string | undefined> = [];
  for (const a of d.addresses as readonly unknown[]) {
    const { address, key } = checkAddress(a, plan);
    // One address per key (or per value, for those without a key): a repeat adds nothing.
    if (addresses.some((b, i) => (key !== undefined ? keys[i] === key : b.value === address.value))) continue;
    addresses.push(address);
    keys.push(key);
  }
  if (name === '' && addresses.length === 0) invalid('a contact needs a name or an address');
  const note = d.note === undefined ? undefined : text(d.note, 'the note', MAX_NOTE_LENGTH, controlButLines);
  const groups = d.groups === undefined ? [] : checkGroups(d.groups);
  return {
    draft: {
      name,
      addresses,
      ...(note ? { note } : {}),
      ...(d.photo !== undefined ? { photo: checkPhoto(d.photo) } : {}),
      vip: flag(d.vip, 'vip'),
      blocked: flag(d.blocked, 'blocked'),
      groups,
    },
    keys,
  };
}

function text(value: unknown, what: string, max: number, forbidden: RegExp): string {
  if (typeof value !== 'string') return invalid(`${what} must be text`);
  const s = value.trim();
  if ([...s].length > max) invalid(`${what} is longer than ${max} characters`);
  if (forbidden.test(s)) invalid(`${what} contains control characters`);
  return s;
}

function checkAddress(a: unknown, plan: NumberPlan): { address: ContactAddress; key: string | undefined } {
  if (typeof a !== 'object' || a === null) return invalid('an address must be an object with a value and a label');
  const { value, label } = a as { value?: unknown; label?: unknown };
  const v = text(value, 'an address', MAX_ADDRESS_LENGTH, control);
  if (!addressLabels.includes(label as AddressLabel)) invalid(`an address label must be one of ${addressLabels.join(', ')}`);
  const key = addressKey(v, plan);
  if (key === undefined && !isTelephoneNumber(v, plan)) invalid(`"${v}" is neither a telephone number nor a SIP URI`);
  return { address: { value: v, label: label as AddressLabel }, key };
}

function checkGroups(groups: unknown): string[] {
  if (!Array.isArray(groups)) return invalid('groups must be a list');
  if (groups.length > MAX_GROUPS) invalid(`at most ${MAX_GROUPS} groups`);
  const out: string[] = [];
  for (const g of groups as readonly unknown[]) {
    const name = text(g, 'a group name', MAX_GROUP_LENGTH, control);
    if (name === '') invalid('a group name must not be empty');
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

function checkPhoto(photo: unknown): ContactPhoto {
  if (typeof photo !== 'object' || photo === null) return invalid('a photo must be an object with a media type and data');
  const { mediaType, data } = photo as { mediaType?: unknown; data?: unknown };
  if (typeof mediaType !== 'string' || !/^image\/[a-z0-9][a-z0-9.+-]{0,60}$/i.test(mediaType)) return invalid('a photo must be an image/* media type');
  if (typeof data !== 'string') return invalid('the photo data must be base64 text');
  const base64 = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) invalid('the photo data is not base64');
  // Decoded size without decoding: 3 bytes per 4 characters, less the padding.
  const bytes = Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
  if (bytes > MAX_PHOTO_BYTES) invalid(`the photo is larger than ${MAX_PHOTO_BYTES / 1024} KiB`);
  return { mediaType: mediaType.toLowerCase(), data: base64 };
}

function flag(value: unknown, what: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') return invalid(`${what} must be true or false`);
  return value;
}
