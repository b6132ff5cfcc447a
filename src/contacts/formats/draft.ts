/**
 * What every reader does with the fields it found: one record becomes a draft, or the reason it could not be read.
 * The rules are the same for vCard, FRITZ!Box and CSV, so a file reads alike whatever its format.
 */
import type { AddressLabel, ContactAddress, ContactDraft, ContactPhoto, ImportProblem, ParsedContacts } from '../model.js';

/** The fields a reader collected from one record, before the common rules apply. */
export interface RecordFields {
  /** The record's name (vCard FN or N, FRITZ!Box realName, CSV name columns). */
  name?: string | undefined;
  /** A name to use when the record has none (an organisation). */
  fallbackName?: string | undefined;
  addresses: ContactAddress[];
  notes?: string[];
  photo?: ContactPhoto | undefined;
  vip?: boolean | undefined;
  blocked?: boolean | undefined;
  groups?: string[];
}

/**
 * A draft, or why the record is not one. A record without a name is named after its organisation or its first
 * address; one with neither a name nor an address is not a contact.
 */
export function toDraft(fields: RecordFields): ContactDraft | string {
  const addresses = uniqueAddresses(fields.addresses);
  const name = oneLine(fields.name) || oneLine(fields.fallbackName) || addresses[0]?.value;
  if (!name) return 'no name and no number';
  const note = (fields.notes ?? []).map((n) => n.trim()).filter((n) => n !== '').join('\n');
  const groups = [...new Set((fields.groups ?? []).map((g) => oneLine(g)).filter((g) => g !== ''))];
  return {
    name,
    addresses,
    ...(note ? { note } : {}),
    ...(fields.photo ? { photo: fields.photo } : {}),
    ...(fields.vip ? { vip: true } : {}),
    ...(fields.blocked ? { blocked: true } : {}),
    ...(groups.length > 0 ? { groups } : {}),
  };
}

/** Collects drafts and problems in file order. */
export class ParseResult {
  readonly drafts: ContactDraft[] = [];
  readonly problems: ImportProblem[] = [];

  add(at: string, fields: RecordFields): void {
    const draft = toDraft(fields);
    if (typeof draft === 'string') this.problem(at, draft);
    else this.drafts.push(draft);
  }

  problem(at: string, reason: string): void {
    this.problems.push({ at, reason });
  }

  /** What the reader returns: plain data (the service may send it on as JSON). */
  done(): ParsedContacts {
    return { drafts: this.drafts, problems: this.problems };
  }
}

/** `at` of a record that starts on a line (vCard, CSV). */
export function lineAt(line: number): string {
  return `line ${line}`;
}

/** White space (line breaks included) collapsed: names and groups are one line. */
export function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

const sipScheme = /^sips?:/i;

export function isSipUri(value: string): boolean {
  return sipScheme.test(value);
}

/**
 * A SIP address as a `sip:` URI: exports write `alice@example.org` as often as `sip:alice@example.org`. A value
 * with neither a scheme nor a host is no SIP address (undefined).
 */
export function sipAddress(value: string): string | undefined {
  const v = value.trim();
  if (isSipUri(v)) return v.length > 4 ? v : undefined;
  return /^[^@\s:]+@[^@\s]+$/.test(v) ? `sip:${v}` : undefined;
}

/** An address from a field that holds a number or a SIP address (a FRITZ!Box number, a CSV cell). */
export function numberOrSip(value: string, label: AddressLabel): ContactAddress | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return { value: v.includes('@') ? (sipAddress(v) ?? v) : v, label };
}

function uniqueAddresses(addresses: readonly ContactAddress[]): ContactAddress[] {
  const seen = new Set<string>();
  const out: ContactAddress[] = [];
  for (const a of addresses) {
    const value = a.value.trim();
    if (value === '' || seen.has(value)) continue;
    seen.add(value);
    out.push({ value, label: a.label });
  }
  return out;
}

/** A yes/no field (CSV cells, vCard X-HOMETEL-* values); undefined when it is neither. */
export function yesNo(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (/^(1|y|yes|true|x|ja|on|✓)$/.test(t)) return true;
  if (/^(|0|n|no|false|nein|off|-)$/.test(t)) return false;
  return undefined;
}

/** Base64 without white space, or undefined when it is not base64. */
export function cleanBase64(data: string): string | undefined {
  const d = data.replace(/\s+/g, '');
  return d !== '' && /^[A-Za-z0-9+/]*={0,2}$/.test(d) ? d : undefined;
}
